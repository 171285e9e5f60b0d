"""Every diagnostic code on its own small fixture, checked without a server."""

from __future__ import annotations

import pytest

from expectations import expected_findings
from pep725_ls.checks import run_checks
from pep725_ls.data_index import default_index
from pep725_ls.document import PyprojectDocument

from conftest import WORKSPACES

FIXTURES = sorted(p for p in (WORKSPACES / "core").glob("*/pyproject.toml"))


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.parent.name)
def test_fixture_reports_exactly_what_it_expects(path):
    text = path.read_text("utf-8")
    doc = PyprojectDocument(text)
    found = sorted((f.code, text[f.start : f.end]) for f in run_checks(doc, default_index()))
    assert found == expected_findings(path)


def test_every_issue_2_code_has_a_fixture():
    covered = {code for p in FIXTURES for code, _ in expected_findings(p)}
    for code in ["toml-syntax", "unknown-key", "wrong-type", "invalid-depurl", "unsupported-version-operator",
                 "invalid-marker", "legacy-depurl", "duplicate-entry", "compiler-not-in-build-requires",
                 "unknown-name", "non-canonical-name", "unknown-type", "unknown-include-group",
                 "include-group-cycle", "duplicate-group-name", "invalid-group-name"]:
        assert code in covered
