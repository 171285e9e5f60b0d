"""The README's examples, run as written: the "20 seconds" session and the clean first check."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text("utf-8")
# The README runs `.venv/bin/pep725-ls`, the venv its own first command makes; the tests run
# from a venv made the same way (README's second command), so its pep725-ls stands in.
PEP725_LS = Path(sys.executable).parent / "pep725-ls"


def console_sessions(section: str) -> list[tuple[str, str]]:
    """(command, expected output) for each `$ ` line of the console block under ``section``."""
    body = README.split(f"## {section}\n", 1)[1]
    block = re.search(r"```console\n(.*?)```", body, re.S).group(1)
    sessions = []
    for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
        command, _, output = chunk.partition("\n")
        sessions.append((command, output.rstrip("\n")))
    return sessions


SESSIONS = console_sessions("20 seconds")


def run_as_written(command: str) -> subprocess.CompletedProcess:
    if not PEP725_LS.is_file():
        pytest.skip(f"no pep725-ls beside {sys.executable}: pip install -e . into the venv that runs pytest")
    words = shlex.split(command)
    assert words[0] == ".venv/bin/pep725-ls", "the README's commands use the first command's .venv"
    return subprocess.run([str(PEP725_LS), *words[1:]], cwd=REPO, capture_output=True, text=True, timeout=60)


def test_the_readme_shows_both_commands():
    assert [c for c, _ in SESSIONS] == [
        ".venv/bin/pep725-ls check examples/draft-forms/pyproject.toml",
        ".venv/bin/pep725-ls check --diff examples/draft-forms/pyproject.toml",
    ]


@pytest.mark.parametrize("command,expected", SESSIONS, ids=["check", "diff"])
def test_twenty_seconds_example_prints_what_the_readme_shows(command, expected):
    r = run_as_written(command)
    # The summary line is on stderr, after the findings, as a terminal shows it.
    assert (r.stdout + r.stderr).rstrip("\n") == expected
    assert r.returncode == 1


def test_first_command_on_this_repository_says_all_checks_passed():
    assert ".venv/bin/pep725-ls check pyproject.toml" in README
    r = run_as_written(".venv/bin/pep725-ls check pyproject.toml")
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "All checks passed!\n"
    assert "`All checks passed!`" in README
