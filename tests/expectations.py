"""What tests expect of the checks: fixture files' ``# expect: <code> <flagged text>``
lines, and the findings of some codes for a text."""

from __future__ import annotations

import re
from pathlib import Path

from pep725_ls.checks import CheckContext, Finding, run_checks
from pep725_ls.data_index import default_index
from pep725_ls.document import PyprojectDocument

_EXPECT = re.compile(r"^# expect: (\S+) (.+)$", re.M)


def expected_findings(path: Path) -> list[tuple[str, str]]:
    return sorted(_EXPECT.findall(path.read_text("utf-8")))


def findings_of(text: str, *codes: str, context: CheckContext | None = None) -> list[Finding]:
    """The findings with one of ``codes`` that all the checks give the pyproject ``text``."""
    return [f for f in run_checks(PyprojectDocument(text), default_index(), context) if f.code in codes]
