"""pep725-ls against pyproject-external (the PEP 725 authors' library) on a seeded corpus.

Both judge each specifier of tests/depurl_corpus.py: pep725-ls rejects it when any problem
has error severity by default; pyproject-external when ``DepURL.from_string`` raises.
Every disagreement must fall in a class of tests/spec_conformance.py, and each class's
count must be the one docs/spec-conformance.md gives. A new disagreement fails here.
"""

from __future__ import annotations

import logging

import pytest

from depurl_corpus import corpus, registry_ids
from pep725_ls import depurl
from pep725_ls.codes import CODES, Severity
from spec_conformance import classify, documented_counts, report

pyproject_external = pytest.importorskip("pyproject_external", reason="pip install -e '.[test]' installs pyproject-external")


def pep725_ls_rejects(text: str) -> bool:
    return any(CODES[p.code].severity == Severity.ERROR for p in depurl.parse(text).problems)


def pyproject_external_rejects(text: str) -> bool:
    try:
        pyproject_external.DepURL.from_string(text)
    except Exception:  # noqa: BLE001 - any exception is its "invalid" verdict (ValueError, its own errors, TypeError…)
        return True
    return False


@pytest.fixture(scope="module")
def verdicts():
    logging.getLogger("pyproject_external").setLevel(logging.ERROR)  # it logs each invalid marker
    return [(text, pep725_ls_rejects(text), pyproject_external_rejects(text)) for text in corpus()]


def test_the_corpus_is_large_and_deterministic(verdicts):
    assert len(verdicts) >= 500
    assert corpus() == [t for t, _, _ in verdicts]


def test_both_tools_accept_every_registry_id(verdicts):
    # The corpus starts with the PEP 804 registry's ids: if either tool rejected one, the
    # harness (or a tool's install) would be broken, and every count below meaningless.
    ids = registry_ids()
    assert [(t, ours, theirs) for t, ours, theirs in verdicts[: len(ids)]] == [(t, False, False) for t in ids]


def test_every_disagreement_is_a_documented_class(verdicts):
    disagreements = [(t, ours) for t, ours, theirs in verdicts if ours != theirs]
    found, unclassified = classify(disagreements)
    documented = documented_counts("pyproject-external")
    measured = {k: len(v) for k, v in found.items()}
    assert not unclassified and measured == {k: v for k, v in documented.items() if v}, report(found, unclassified, documented)
