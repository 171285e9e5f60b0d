"""Bounds on the findings of one document: a cap with one summary, cancellation, and
linear work on hostile shapes (thousands of duplicates on one line)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from types import ModuleType

import pytest

import pep725_ls.checks as checks
from pep725_ls.checks import MAX_FINDINGS, AnalysisCancelled, run_checks
from pep725_ls.data_index import default_index
from pep725_ls.document import PyprojectDocument


def malformed(count: int) -> str:
    """``count`` strings that are not DepURLs: one invalid-depurl finding each, nothing else."""
    return "[external]\nhost-requires = [\n" + "".join(f'  "not a depurl {i}",\n' for i in range(count)) + "]\n"


def test_one_finding_per_malformed_string_without_a_cap():
    findings = run_checks(PyprojectDocument(malformed(1500)), default_index(), limit=None)
    assert len(findings) == 1500 and {f.code for f in findings} == {"invalid-depurl"}


def test_findings_past_the_cap_are_summed_up_in_one():
    """A 5 MB document gave 1.67 M diagnostics (63 s, 3.8 GB per analysis): now 1,000 and a summary."""
    text = malformed(3000)
    findings = run_checks(PyprojectDocument(text), default_index())
    assert MAX_FINDINGS == 1000 and len(findings) == 1001
    summary = findings[-1]
    assert summary.code == "too-many-findings"
    assert summary.message == "2000 more findings not shown: pep725-ls reports at most 1000 per document"
    assert summary.data == {"left_out": 2000, "exact": True}
    assert text[summary.start:summary.end] == 'not a depurl 1000'  # where the first one left out is


def test_counting_stops_at_ten_thousand_left_out():
    """Counting 1.25 M left-out findings took 40 s: the count stops, the summary says so."""
    findings = run_checks(PyprojectDocument(malformed(12_000)), default_index())
    assert len(findings) == 1001
    assert findings[-1].message == "At least 10000 more findings not shown: pep725-ls reports at most 1000 per document"
    assert findings[-1].data == {"left_out": 10_000, "exact": False}


def test_the_cap_counts_only_wanted_findings():
    findings = run_checks(PyprojectDocument(malformed(3000)), default_index(), wanted=lambda f: f.code != "invalid-depurl")
    assert findings == []


def test_checks_stop_when_cancelled():
    calls = iter(range(10**9))
    with pytest.raises(AnalysisCancelled):
        run_checks(PyprojectDocument(malformed(3000)), default_index(), cancelled=lambda: next(calls) > 50)
    assert next(calls) < 60  # it stopped at the first check after the flag, not at the end


@pytest.mark.out_of_process
def test_check_cli_reports_the_cap_and_thousands_of_duplicates_on_one_line_are_linear(tmp_path):
    """20,000 duplicates on one line: "remove the duplicate" walked the whole line for each
    (3,000 took 7.5 s, so 20,000 ~5 min). The CLI prints 1,000 findings and the summary."""
    path = tmp_path / "pyproject.toml"
    path.write_text("[external]\nhost-requires = [" + ", ".join(['"dep:generic/zlib"'] * 20_001) + "]\n")
    done = {}

    def run():
        done["run"] = subprocess.run([sys.executable, "-m", "pep725_ls", "check", "--format", "json", str(path)],
                                     capture_output=True, text=True, timeout=300)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(120)  # a safety timeout; figures in bench/hostile_bench.py
    assert "run" in done, "check took more than 120 s"
    report = json.loads(done["run"].stdout)
    assert done["run"].returncode == 1 and len(report) == 1001
    assert [r["code"] for r in report].count("duplicate-entry") == 1000
    summary = [r for r in report if r["code"] == "too-many-findings"]
    assert len(summary) == 1 and "more findings not shown" in summary[0]["message"]


def test_one_left_out_is_one_finding():
    findings = run_checks(PyprojectDocument(malformed(1001)), default_index())
    assert findings[-1].message == "1 more finding not shown: pep725-ls reports at most 1000 per document"
    assert findings[-1].data == {"left_out": 1, "exact": True}


def test_unwanted_findings_are_skipped_not_the_end():
    text = malformed(10)
    odd = run_checks(PyprojectDocument(text), default_index(), wanted=lambda f: text[f.start:f.end][-1] in "13579")
    assert [text[f.start:f.end] for f in odd] == [f"not a depurl {i}" for i in (1, 3, 5, 7, 9)]


def fake_checker(name: str, count: int, ran: list[str] | None = None) -> ModuleType:
    """A checker module yielding ``count`` findings (and noting in ``ran`` that it ran)."""
    module = ModuleType(f"pep725_ls.checks.{name}")

    def check(doc, index):
        if ran is not None:
            ran.append(name)
        for i in range(count):
            yield checks.Finding("invalid-depurl", f"{name} {i}", 0, 1)
    module.check = check
    return module


def test_no_check_runs_once_the_count_is_full(monkeypatch):
    """Past the cap and the count, the remaining checks are not run at all: their findings
    could only make the summary's "at least" larger."""
    ran = []
    monkeypatch.setattr(checks, "MAX_COUNTED", 3)
    monkeypatch.setattr(checks, "CHECKERS", [fake_checker("first", 5, ran), fake_checker("second", 1, ran)])
    found = checks.run_checks(PyprojectDocument(""), default_index(), limit=2)
    assert ran == ["first"]
    assert found[-1].data == {"left_out": 3, "exact": False}
    assert found[-1].message == "At least 3 more findings not shown: pep725-ls reports at most 2 per document"


def test_the_count_is_at_least_when_the_last_check_overflows_it(monkeypatch):
    monkeypatch.setattr(checks, "MAX_COUNTED", 3)
    monkeypatch.setattr(checks, "CHECKERS", [fake_checker("only", 7)])
    found = checks.run_checks(PyprojectDocument(""), default_index(), limit=2)
    assert found[-1].data == {"left_out": 3, "exact": False}
    assert found[-1].message.startswith("At least 3 more findings")
