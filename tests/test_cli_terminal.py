"""``pep725-ls`` as a user meets it in a terminal: pipes closed early, no input, help, summaries."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from conftest import WORKSPACES

LEGACY = WORKSPACES / "core/legacy-depurl/pyproject.toml"
CLEAN = WORKSPACES / "core/clean/pyproject.toml"
COMMAND = [sys.executable, "-m", "pep725_ls"]


def run(*args, **kwargs):
    return subprocess.run([*COMMAND, *map(str, args)], capture_output=True, text=True, timeout=60, **kwargs)


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_stdout_closed_by_its_reader_ends_quietly_with_141(fmt):
    # The reader is gone before pep725-ls writes a byte (as `| head -1` once head has its
    # line): every write fails with EPIPE, whatever the buffer sizes.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        r = subprocess.run([*COMMAND, "check", "--format", fmt, str(LEGACY)], stdout=write_end,
                           stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write_end)
    assert "Traceback" not in r.stderr and "BrokenPipeError" not in r.stderr, r.stderr
    assert r.returncode == 141


def test_head_of_a_shell_pipeline_sees_the_first_finding_and_no_traceback():
    r = subprocess.run(f"{' '.join(COMMAND)} check '{LEGACY}' | head -1", shell=True, capture_output=True,
                       text=True, timeout=60)
    assert r.stdout.startswith(f"{LEGACY}:15:4: legacy-depurl ")
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("stdin", ["devnull", "empty pipe"])
def test_server_without_input_exits_at_once_without_a_traceback(stdin):
    # </dev/null: epoll refuses the device; the server used to print asyncio's traceback and wait forever.
    kwargs = {"stdin": subprocess.DEVNULL} if stdin == "devnull" else {"input": ""}
    r = subprocess.run(COMMAND, capture_output=True, text=True, timeout=30, **kwargs)
    assert r.returncode == 0
    assert "Traceback" not in r.stderr and "not registered" not in r.stderr, r.stderr
    assert r.stdout == ""


def test_clean_check_says_so_on_stderr_and_leaves_stdout_empty():
    r = run("check", CLEAN)
    assert r.returncode == 0
    assert r.stdout == ""
    assert r.stderr == "All checks passed!\n"


def test_json_output_is_json_alone_clean_or_not():
    clean = run("check", "--format", "json", CLEAN)
    assert json.loads(clean.stdout) == [] and clean.stderr == ""
    found = run("check", "--format", "json", LEGACY)
    assert len(json.loads(found.stdout)) == 3 and found.stderr == ""


def test_check_help_describes_the_command_the_formats_and_the_exit_codes():
    out = run("check", "--help").stdout
    assert "Report the diagnostics the editor shows" in out
    assert "GitHub Actions annotations" in out  # --format's help
    for line in ("0   nothing found", "1   findings", "2   usage error", "141 stdout was closed"):
        assert line in out


def test_help_mentions_only_options_that_exist():
    nix_install = run("nix", "install-command", "--help").stdout
    assert "--flake" not in nix_install
    assert "--flake" in run("nix", "shell", "--help").stdout
    install = run("install-command", "--help").stdout
    assert "--ecosystem list" not in install
    # What the help promises instead: an unknown name prints the known ones.
    unknown = run("install-command", "--ecosystem", "no-such-ecosystem", LEGACY)
    assert unknown.returncode == 2
    assert "known: " in unknown.stderr and "fedora" in unknown.stderr
