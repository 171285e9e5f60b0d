"""pep725-ls against the purl-spec test suite (vendored in tests/data/purl-spec/).

Each string input of a parse or validate test is turned into a DepURL (``pkg:`` becomes
``dep:``) and judged. The suite's verdict for an input is its ``required`` tests' if it
has any (the standard's rule), else its ``recommended`` ones'. Every disagreement must fall
in a class of tests/spec_conformance.py, counted as docs/spec-conformance.md says.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from pep725_ls import depurl
from pep725_ls.codes import CODES, Severity
from spec_conformance import classify, documented_counts, report

SUITE = Path(__file__).parent / "data/purl-spec"


def suite_verdicts() -> dict[str, bool]:
    """DepURL -> whether the suite rejects it."""
    files = [SUITE / "spec/specification-test.json", *sorted((SUITE / "types").glob("*-test.json"))]
    by_input: dict[str, dict[str, set[bool]]] = {}
    for path in files:
        for test in json.loads(path.read_text("utf-8"))["tests"]:
            if test["test_type"] == "build" or not isinstance(test["input"], str):
                continue
            groups = by_input.setdefault(test["input"], {})
            groups.setdefault(test["test_group"], set()).add(bool(test["expected_failure"]))
    verdicts = {}
    for purl, groups in by_input.items():
        votes = groups.get("required") or groups["recommended"]
        depurl_text = re.sub(r"(?i)^pkg:", "dep:", purl)
        verdicts[depurl_text] = True in votes
    return verdicts


def pep725_ls_rejects(text: str) -> bool:
    return any(CODES[p.code].severity == Severity.ERROR for p in depurl.parse(text).problems)


@pytest.fixture(scope="module")
def verdicts():
    return [(text, pep725_ls_rejects(text), theirs) for text, theirs in suite_verdicts().items()]


def test_the_suite_is_all_there(verdicts):
    assert len(verdicts) > 200
    assert (SUITE / "LICENSE").exists() and (SUITE / "SOURCE.txt").exists()
    assert sum(theirs for _, _, theirs in verdicts) >= 25  # it has invalid inputs (29 today), not only valid ones


def test_every_disagreement_is_a_documented_class(verdicts):
    disagreements = [(t, ours) for t, ours, theirs in verdicts if ours != theirs]
    found, unclassified = classify(disagreements)
    documented = documented_counts("purl-spec suite")
    measured = {k: len(v) for k, v in found.items()}
    assert not unclassified and measured == {k: v for k, v in documented.items() if v}, report(found, unclassified, documented)
