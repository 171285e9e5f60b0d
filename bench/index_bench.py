#!/usr/bin/env python3
"""Benchmark of the data index and the features that use it (not a test: it prints figures).

    .venv/bin/python bench/index_bench.py [--runs 5] [--iterations 300] [--json bench/results/index.json]

Measures, on this machine:
1. cold start to first diagnostics: spawn ``python -m pep725_ls``, initialize, open a
   pyproject.toml, wait for publishDiagnostics (median and max of --runs fresh processes);
2. index load time per table (registry, curated mapping, nixpkgs attrs, names, sonames,
   PyPI table), each in a fresh interpreter;
3. completion and hover latency p50/p99 with the full index loaded (in process);
4. peak RSS (VmHWM) of a server that has loaded every table and answered requests.
Targets from issue 3: cold start <= 400 ms, completion p99 <= 16 ms, RSS <= 80 MiB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "workspaces" / "nix" / "bench" / "pyproject.toml"


def _frame(obj: dict) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read_message(stream) -> dict:
    length = 0
    while True:
        line = stream.readline()
        if not line:
            raise EOFError("server closed its output")
        if line in (b"\r\n", b"\n"):
            break
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    return json.loads(stream.read(length))


def _wait_for(proc, predicate) -> dict:
    while True:
        msg = _read_message(proc.stdout)
        if "id" in msg and "method" in msg:  # a request from the server: answer null
            proc.stdin.write(_frame({"jsonrpc": "2.0", "id": msg["id"], "result": None}))
            proc.stdin.flush()
        if predicate(msg):
            return msg


def cold_start(text: str, extra: list[dict] | None = None) -> tuple[float, int, list]:
    """Seconds from spawn to the first publishDiagnostics; the server's peak RSS (KiB)."""
    uri = FIXTURE.as_uri()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pep725_ls"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, cwd=ROOT)
    send = lambda m: (proc.stdin.write(_frame(m)), proc.stdin.flush())  # noqa: E731
    send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
          "params": {"processId": os.getpid(), "rootUri": FIXTURE.parent.as_uri(), "capabilities": {}}})
    _wait_for(proc, lambda m: m.get("id") == 1)
    send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": uri, "languageId": "toml", "version": 1, "text": text}}})
    diag = _wait_for(proc, lambda m: m.get("method") == "textDocument/publishDiagnostics")
    elapsed = time.perf_counter() - t0
    answers = []
    for i, req in enumerate(extra or [], start=100):
        send({"jsonrpc": "2.0", "id": i, **req})
        answers.append(_wait_for(proc, lambda m, i=i: m.get("id") == i))
    rss = _peak_rss(proc.pid)
    send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    _wait_for(proc, lambda m: m.get("id") == 2)
    send({"jsonrpc": "2.0", "method": "exit"})
    proc.wait(10)
    return elapsed, rss, [diag] + answers


def _peak_rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


_LOADS = {
    "import pep725_ls.server": "import pep725_ls.server",
    "registry": "i.registry",
    "curated mapping": "i._curated",
    "nixpkgs attrs (73k)": "i._attr_lines",
    "nixpkgs names": "i._names",
    "sonames (36k)": "i._soname_lines",
    "PyPI table": "i._pypi._lines",
    "ecosystem mappings": "i._mappings",
}


def load_times() -> dict[str, float]:
    """Milliseconds per table, each measured in a fresh interpreter (cold tables)."""
    out = {}
    for label, stmt in _LOADS.items():
        code = ("import time; t=time.perf_counter(); " + stmt + "; print(time.perf_counter()-t)"
                if label.startswith("import") else
                "from pep725_ls.data_index import DataIndex; i=DataIndex(); import time; "
                f"t=time.perf_counter(); {stmt}; print(time.perf_counter()-t)")
        runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
                for _ in range(3)]
        out[label] = statistics.median(runs) * 1000
    return out


def latencies(iterations: int) -> dict[str, dict[str, float]]:
    from pep725_ls.data_index import DataIndex
    from pep725_ls.document import PyprojectDocument
    from pep725_ls.features.completion import complete
    from pep725_ls.features.hover import hover

    index = DataIndex()
    prefixes = ["", "l", "li", "lib", "libp", "libpq", "z", "ssl", "open", "py", "x", "qt", "gtk", "hdf", "zzz"]
    ids = ["dep:generic/zlib", "dep:generic/libpq", "dep:generic/openssl@>=3", "dep:virtual/compiler/c",
           "dep:github/Kitware/CMake", "dep:generic/jq", "dep:generic/no-such-thing", "dep:generic/hdf5"]
    docs = [(PyprojectDocument(f'[external]\nhost-requires = ["dep:generic/{p}"]\n'), 38 + len(p)) for p in prefixes]
    hover_docs = [PyprojectDocument(f'[external]\nhost-requires = ["{d}"]\n') for d in ids]
    for doc, off in docs:  # warm: load every table once
        complete(doc, off, index)
    index.soname_providers("libz.so.1")
    index.nix_attr("zlib")
    out: dict[str, list[float]] = {"completion": [], "hover": [], "soname lookup": [], "pypi lookup": []}
    sonames = ["libz.so.1", "libpq.so.5", "libssl.so.3", "libblas.so.3", "libfoo.so.9"]
    for n in range(iterations):
        doc, off = docs[n % len(docs)]
        t = time.perf_counter(); complete(PyprojectDocument(doc.text), off, index); out["completion"].append(time.perf_counter() - t)
        hd = hover_docs[n % len(hover_docs)]
        t = time.perf_counter(); hover(PyprojectDocument(hd.text), 34, index); out["hover"].append(time.perf_counter() - t)
        t = time.perf_counter(); index.soname_providers(sonames[n % len(sonames)]); out["soname lookup"].append(time.perf_counter() - t)
        t = time.perf_counter(); index.pypi_native(["psycopg2", "Pillow", "lxml", "nope"][n % 4]); out["pypi lookup"].append(time.perf_counter() - t)
    return {k: {"p50_ms": _pct(v, 50) * 1000, "p99_ms": _pct(v, 99) * 1000, "max_ms": max(v) * 1000} for k, v in out.items()}


def _pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--iterations", type=int, default=300)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    text = FIXTURE.read_text("utf-8")

    starts = [cold_start(text)[0] for _ in range(args.runs)]
    heavy = [
        {"method": "textDocument/completion", "params": {"textDocument": {"uri": FIXTURE.as_uri()},
                                                          "position": {"line": 7, "character": 22}}},
        {"method": "textDocument/hover", "params": {"textDocument": {"uri": FIXTURE.as_uri()},
                                                     "position": {"line": 6, "character": 25}}},
    ]
    _, rss_kib, answers = cold_start(text, heavy)
    results = {
        "cold_start_ms": {"median": statistics.median(starts) * 1000, "max": max(starts) * 1000, "runs": args.runs},
        "load_ms": load_times(),
        "latency": latencies(args.iterations),
        "peak_rss_mib": rss_kib / 1024,
        "first_diagnostics": len(answers[0]["params"]["diagnostics"]),
        "completion_items": len((answers[1].get("result") or {}).get("items", [])),
    }
    print(f"cold start to first diagnostics: median {results['cold_start_ms']['median']:.0f} ms, "
          f"max {results['cold_start_ms']['max']:.0f} ms over {args.runs} runs (target <= 400 ms)")
    for label, ms in results["load_ms"].items():
        print(f"load {label:<24} {ms:7.1f} ms")
    for label, v in results["latency"].items():
        print(f"{label:<16} p50 {v['p50_ms']:6.2f} ms  p99 {v['p99_ms']:6.2f} ms  max {v['max_ms']:6.2f} ms")
    print(f"peak RSS of a server with every table loaded: {results['peak_rss_mib']:.1f} MiB (target <= 80 MiB)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
