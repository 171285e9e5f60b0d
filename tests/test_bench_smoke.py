"""The LSP benchmark (bench/run.py) runs end to end: one repetition, pep725-ls only.

No timing is asserted; this keeps the benchmark's client and fixtures working.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_runs_one_repetition(tmp_path):
    out = tmp_path / "lsp.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "run.py"), "--reps", "1", "--sizes", "300",
         "--no-tombi", "--no-plot", "--json", str(out)],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(out.read_text())
    run = results["runs"]["pep725-ls"]["300"]
    assert set(run["stats"]) == set(results["runs"]["pep725-ls"]["300"]["samples_ms"])
    for op, stat in run["stats"].items():
        assert stat["n"] == 1, op
    notes = run["notes"]
    assert notes["completion (name) items"] > 0
    assert notes["completion (dep:) items"] > 0
    assert notes["hover"] is True
    assert notes["code actions"] >= 1
    assert run["rss_mib"] > 0
    assert "completion (name)" in done.stdout
    bare = results["runs"]["bare pygls"]["300"]["stats"]  # the cold-start floor runs too
    assert bare["cold start CPU time"]["n"] == 1 and bare["didOpen → diagnostics"]["n"] == 1
