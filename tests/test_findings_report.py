"""Everything the checks say about each fixture, compared with a reviewed report.

The fixture tests (test_checks_fixtures.py) pin which codes fire where. This pins the rest
of what a user reads and applies: each message, the severity, the data a quick-fix uses,
and every fix with its title, whether it is safe (applied by "fix all" and ``check --fix``)
and the text it writes. Mutation testing (.ci/mutation.py) showed those could change with
no test noticing.

The reports live in tests/reports/, one per fixture, written by hand-reviewed runs of

    PEP725_UPDATE_REPORTS=1 .venv/bin/python -m pytest tests/test_findings_report.py

and read back in review as a diff. A report that does not match fails with the diff.
"""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path

import pytest

from conftest import WORKSPACES
from pep725_ls.checks import CheckContext, run_checks
from pep725_ls.data_index import default_index
from pep725_ls.document import PyprojectDocument
from pep725_ls.edits import apply

REPORTS = Path(__file__).parent / "reports"
ROOT = Path(__file__).parents[1]

# (fixture, missingDependencies.install): every workspace pyproject a check reads, and
# the projects with Python dependencies once more as built from source.
CASES = [
    *[(p, "wheels") for p in sorted(WORKSPACES.glob("*/*/pyproject.toml"))],
    *[(p, "wheels") for p in sorted(WORKSPACES.glob("*/pyproject.toml"))],
    (WORKSPACES / "reliability/real-shaped.toml", "wheels"),
    (ROOT / "examples/draft-forms/pyproject.toml", "wheels"),
    *[(p, "source") for p in sorted((WORKSPACES / "missing").glob("*/pyproject.toml"))],
]


def _case_id(case) -> str:
    path, install = case
    name = path.relative_to(ROOT).as_posix().removeprefix("tests/workspaces/")
    name = name.removesuffix("/pyproject.toml").replace("/", "--")
    return name if install == "wheels" else f"{name}--source"


def _where(text: str, offset: int) -> str:
    line = text.count("\n", 0, offset)
    return f"{line + 1}:{offset - (text.rfind(chr(10), 0, offset) + 1) + 1}"


def _changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if not line.startswith(("---", "+++"))]


def report(path: Path, install: str) -> str:
    text = path.read_text("utf-8")
    findings = run_checks(PyprojectDocument(text), default_index(),
                          CheckContext(project_dir=path.parent, install=install))
    out = [f"# {path.relative_to(ROOT).as_posix()} (install: {install}): {len(findings)} findings"]
    for f in findings:
        out.append(f"{_where(text, f.start)}-{_where(text, f.end)} {f.code} [{f.default_severity.name.lower()}]")
        out.append(f"  flagged: {text[f.start:f.end]!r}")
        out.append(f"  message: {f.message}")
        if f.data:
            out.append(f"  data: {json.dumps(f.data, sort_keys=True, default=repr)}")
        for fix in f.fixes:
            flags = ", ".join(name for name, on in [("safe", fix.safe), ("preferred", fix.preferred)] if on)
            out.append(f"  fix ({fix.kind}; {flags or 'guessed'}): {fix.title}")
            for edit in fix.edits:
                out.append(f"    edit {_where(text, edit.start)}-{_where(text, edit.end)}: "
                           f"{text[edit.start:edit.end]!r} -> {edit.new_text!r}")
            if fix.edits:
                out.extend(f"    | {line}" for line in _changed_lines(text, apply(text, fix.edits)))
            for addition in fix.additions:
                out.append(f"    add {addition.specifier!r} to [external].{addition.where}")
    return "\n".join(out) + "\n"


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_findings_match_the_reviewed_report(case):
    path, install = case
    expected_file = REPORTS / f"{_case_id(case)}.txt"
    actual = report(path, install)
    if os.environ.get("PEP725_UPDATE_REPORTS"):
        REPORTS.mkdir(exist_ok=True)
        expected_file.write_text(actual, encoding="utf-8")
    expected = expected_file.read_text("utf-8")
    assert actual == expected, "\n".join(difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), "reviewed report", "now", lineterm=""))


def test_every_report_has_its_fixture():
    """A fixture renamed or removed takes its report with it."""
    assert sorted(p.stem for p in REPORTS.glob("*.txt")) == sorted(_case_id(c) for c in CASES)
