#!/usr/bin/env python3
"""End-to-end LSP benchmark: pep725-ls beside Tombi, over stdio, on three document sizes.

    .venv/bin/python bench/run.py                 # the full run (a few minutes)
    .venv/bin/python bench/run.py --reps 1 --sizes 300 --no-tombi --no-plot   # smoke

Each server is started as a real process and driven by bench/lsp_client.py (plain JSON-RPC
with Content-Length framing). Per server and document size it measures, over --reps
repetitions, the median and p99 of:

- ``initialize``: spawn → initialize response (a fresh process each time);
- ``didOpen → diagnostics``: didOpen → first publishDiagnostics, in the same processes;
- ``cold start → diagnostics``: spawn → first publishDiagnostics, and the CPU time the
  server used until then (``cold start CPU time``, steadier than wall time on a busy machine);
- ``first completion after open``: in those fresh processes, a name completion sent as soon
  as the first diagnostics arrive (the first-request costs: data loaded, converters built);
- ``completion (name)`` after ``dep:generic/lib`` and ``completion (dep:)`` right after
  ``dep:``, ``completion resolve`` of the first name offered (what an editor asks for the
  item it shows documentation of; only for a server that resolves items and offers names),
  ``hover`` on a DepURL, ``code action`` on the legacy ``pkg:generic/zlib``;
- ``didChange → diagnostics``: one keystroke, then the diagnostics of that version;
- ``keystroke → completion``: one keystroke in the name being completed, then completion
  (the re-analysis of the new version is in this figure: it is what a user waits for);
- peak RSS (VmHWM) of the long-running process after all of it.

The requests start one idle second after the document is opened (a user reads before
typing), so the first-request costs a server moves into its idle time are not counted.

Tombi (``pip install tombi``; ``tombi lsp --offline``) runs on the same documents with the
same requests; it knows nothing of ``[external]``, so its completion there is empty and its
hover shows the key path: the comparison is of protocol round trips on the same document.
Servers get changes the way they ask for them (pep725-ls incremental, Tombi full text).
pep725-ls runs with its default settings; ``didChange → diagnostics`` is measured twice:
with them (what users get: no wait while analyses are fast), and with ``debounceMs`` 0
(``workspace/didChangeConfiguration``), the work alone. ``--baseline`` measures another
copy of pep725-ls (a git ref or a folder) in the same run, for before/after ratios.

Tombi, matplotlib and the profilers live in the benchmark's own virtualenv (created on
first run under the user cache dir, ``--env`` to choose), never in the project's.
Results: a table on stdout, ``bench/results/lsp.json``, and ``bench/results/lsp.png``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tarfile
import io
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

from fixtures import Document, document  # noqa: E402
from lsp_client import CLIENT_CAPABILITIES, LspClient, server_env  # noqa: E402

RESULTS = BENCH / "results"
IDLE_AFTER_OPEN = 1.0  # s
ENV_PACKAGES = ["tombi", "matplotlib"]

OPERATIONS = [
    "initialize",
    "didOpen → diagnostics",
    "cold start → diagnostics",
    "cold start CPU time",
    "first completion after open",
    "completion (name)",
    "completion (dep:)",
    "completion resolve",
    "hover",
    "code action",
    "didChange → diagnostics, default settings",
    "didChange → diagnostics, debounce off",
    "keystroke → completion",
]


# -- environment -----------------------------------------------------------------------------
def default_env_dir() -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "pep725-ls-bench" / "venv"


def ensure_env(env_dir: Path, packages: list[str]) -> tuple[Path | None, str]:
    """The benchmark virtualenv's python with ``packages`` installed, or None and why not."""
    python = env_dir / "bin" / "python"
    if not python.exists():
        print(f"creating the benchmark virtualenv {env_dir} …", file=sys.stderr)
        try:
            subprocess.run([sys.executable, "-m", "venv", str(env_dir)], check=True, capture_output=True)
        except (subprocess.CalledProcessError, OSError) as exc:
            return None, f"cannot create {env_dir}: {exc}"
    missing = [p for p in packages if subprocess.run(
        [str(python), "-m", "pip", "show", "-q", p], capture_output=True).returncode != 0]
    if missing:
        print(f"installing {', '.join(missing)} into {env_dir} …", file=sys.stderr)
        done = subprocess.run([str(python), "-m", "pip", "install", "-q", *missing], capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["?"]
            return python, f"pip install {' '.join(missing)} failed: {tail[0]}"
    return python, ""


# -- servers -------------------------------------------------------------------------------
@dataclass
class Server:
    name: str
    command: list[str]
    env: dict[str, str]
    init_options: dict | None = None
    # settings (workspace/didChangeConfiguration) that make diagnostics follow an edit at once
    no_debounce: dict | None = None


def pep725_server(label: str = "pep725-ls", source: Path | None = None) -> Server:
    env = server_env()
    if source is not None:  # another copy of the package (a baseline), ahead of the editable install
        env["PYTHONPATH"] = str(source)
    return Server(label, [sys.executable, "-m", "pep725_ls"], env, None, {"pep725": {"debounceMs": 0}})


def baseline_source(spec: str, scratch: Path) -> Path:
    """A folder holding a ``pep725_ls`` package: ``spec`` itself, or the git ref's server/."""
    path = Path(spec).expanduser()
    if (path / "pep725_ls" / "__init__.py").exists():
        return path
    data = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", spec, "server/pep725_ls"],
                          check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(scratch, filter="data")
    return scratch / "server"


# -- one server, one document ---------------------------------------------------------------
class Session:
    """A server process with the document open: the requests the benchmark makes."""

    def __init__(self, server: Server, doc: Document, folder: Path, log: Path) -> None:
        self.server, self.doc = server, doc
        self.path = folder / "pyproject.toml"
        self.uri = self.path.as_uri()
        self.text = doc.text
        self.version = 1
        self.client = LspClient(server.command, folder, stderr_path=log, env=server.env)
        init, _ = self.client.request("initialize", {
            "processId": os.getpid(), "rootUri": folder.as_uri(), "capabilities": CLIENT_CAPABILITIES,
            "initializationOptions": server.init_options,
            "workspaceFolders": None,
        }, timeout=120)
        self.t_initialized = time.perf_counter()
        self.capabilities = init["result"]["capabilities"]
        sync = self.capabilities.get("textDocumentSync")
        self.incremental = (sync.get("change") if isinstance(sync, dict) else sync) == 2
        self.client.notify("initialized", {})
        self.last_diagnostics: list = []

    def open(self) -> float:
        t0 = self.client.notify("textDocument/didOpen", {"textDocument": {
            "uri": self.uri, "languageId": "toml", "version": 1, "text": self.text}})
        t1 = self.wait_diagnostics(1)
        return t1 - t0

    def wait_diagnostics(self, version: int, timeout: float = 120) -> float:
        def match(m: dict) -> bool:
            p = m.get("params") or {}
            return (m.get("method") == "textDocument/publishDiagnostics" and p.get("uri") == self.uri
                    and p.get("version", version) == version)
        t, message = self.client.wait_for(match, timeout)
        self.last_diagnostics = message["params"]["diagnostics"]
        return t

    def change(self, start_offset: int, end_offset: int, new_text: str, at) -> float:
        """One edit (LSP range given by ``at``: (start spot, end spot)); returns the send time."""
        self.text = self.text[:start_offset] + new_text + self.text[end_offset:]
        self.version += 1
        if self.incremental:
            change = {"range": {"start": at[0], "end": at[1]}, "text": new_text}
        else:
            change = {"text": self.text}
        return self.client.notify("textDocument/didChange", {
            "textDocument": {"uri": self.uri, "version": self.version}, "contentChanges": [change]})

    def request(self, method: str, params: dict) -> tuple[dict, float]:
        return self.client.request(method, {"textDocument": {"uri": self.uri}, **params})

    def close(self) -> int:
        rss = self.client.peak_rss_kib()
        self.client.close()
        return rss


def _pos(line: int, character: int) -> dict:
    return {"line": line, "character": character}


def measure(server: Server, doc: Document, reps: int, cold_reps: int, logs: Path) -> dict:
    """Every operation's samples (seconds) for one server on one document, and what it answered."""
    samples: dict[str, list[float]] = {op: [] for op in OPERATIONS}
    notes: dict[str, object] = {}
    log = logs / f"{server.name}-{doc.lines}.log"
    with tempfile.TemporaryDirectory(prefix="pep725-bench-") as tmp:
        folder = Path(tmp)
        (folder / "pyproject.toml").write_text(doc.text, "utf-8")

        for _ in range(cold_reps):
            s = Session(server, doc, folder, log)
            samples["initialize"].append(s.t_initialized - s.client.t_spawn)
            t_open = s.open()
            samples["didOpen → diagnostics"].append(t_open)
            samples["cold start → diagnostics"].append(time.perf_counter() - s.client.t_spawn)
            samples["cold start CPU time"].append(s.client.cpu_seconds())
            # at once, without the idle second below: what a user who types straight away waits
            _, dt = s.request("textDocument/completion", {"position": doc.name_completion.position()})
            samples["first completion after open"].append(dt)
            s.close()

        s = Session(server, doc, folder, log)
        s.open()
        # A user reads before typing: one idle second after the file opens, so what a server
        # does in the background after start (pep725-ls: features/warm_up.py) is not in the
        # request timings. Both servers get it.
        time.sleep(IDLE_AFTER_OPEN)
        notes["diagnostics"] = len(s.last_diagnostics)
        legacy = [d for d in s.last_diagnostics if d["range"]["start"]["line"] == doc.legacy_start.line]

        def timed(op: str, method: str, params: dict) -> dict:
            message, dt = s.request(method, params)
            samples[op].append(dt)
            return message.get("result")

        for _ in range(reps):
            r = timed("completion (name)", "textDocument/completion", {"position": doc.name_completion.position()})
            notes["completion (name) items"] = _count_items(r)
            items = (r.get("items") if isinstance(r, dict) else r) or []
            if items and (s.capabilities.get("completionProvider") or {}).get("resolveProvider"):
                message, dt = s.client.request("completionItem/resolve", items[0])
                samples["completion resolve"].append(dt)
                notes["completion resolve documentation"] = bool((message.get("result") or {}).get("documentation"))
            r = timed("completion (dep:)", "textDocument/completion", {"position": doc.scheme_completion.position()})
            notes["completion (dep:) items"] = _count_items(r)
            r = timed("hover", "textDocument/hover", {"position": doc.hover.position()})
            notes["hover"] = bool(r)
            r = timed("code action", "textDocument/codeAction", {
                "range": {"start": doc.legacy_start.position(), "end": doc.legacy_end.position()},
                "context": {"diagnostics": legacy, "triggerKind": 1}})
            notes["code actions"] = len(r or [])

        # keystroke → completion: backspace over the "b" of "lib", complete; type it again, complete.
        c = doc.name_completion
        b = _pos(c.line, c.character - 1)
        for i in range(reps):
            if i % 2 == 0:
                t0 = s.change(c.offset - 1, c.offset, "", (b, c.position()))
                rid, _ = s.client.send_request("textDocument/completion", {
                    "textDocument": {"uri": s.uri}, "position": b})
            else:
                t0 = s.change(c.offset - 1, c.offset - 1, "b", (b, b))
                rid, _ = s.client.send_request("textDocument/completion", {
                    "textDocument": {"uri": s.uri}, "position": c.position()})
            t1, _ = s.client.wait_for(lambda m: m.get("id") == rid and "method" not in m)
            samples["keystroke → completion"].append(t1 - t0)
            s.wait_diagnostics(s.version)  # let the re-analysis settle before the next keystroke
        if reps % 2:  # leave the text as it was
            s.change(c.offset - 1, c.offset - 1, "b", (b, b))
            s.wait_diagnostics(s.version)

        # didChange → diagnostics: type "s" after "openblas", then delete it, alternately;
        # first with the default settings (what users get), then with pep725-ls' upper
        # bound on the wait (debounceMs) at 0, so the second figure is the work alone.
        k = doc.keystroke

        def keystrokes(label: str) -> None:
            for i in range(reps):
                if i % 2 == 0:
                    t0 = s.change(k.offset, k.offset, "s", (k.position(), k.position()))
                else:
                    t0 = s.change(k.offset, k.offset + 1, "", (k.position(), _pos(k.line, k.character + 1)))
                samples[label].append(s.wait_diagnostics(s.version) - t0)
            if reps % 2:  # leave the text as it was
                s.change(k.offset, k.offset + 1, "", (k.position(), _pos(k.line, k.character + 1)))
                s.wait_diagnostics(s.version)

        keystrokes("didChange → diagnostics, default settings")
        if server.no_debounce:
            s.client.notify("workspace/didChangeConfiguration", {"settings": server.no_debounce})
            s.wait_diagnostics(s.version)
        keystrokes("didChange → diagnostics, debounce off")
        rss_kib = s.close()
    return {"samples": samples, "rss_mib": rss_kib / 1024, "notes": notes}


def _count_items(result) -> int:
    if isinstance(result, dict):
        return len(result.get("items") or [])
    return len(result or [])


# -- statistics and output ---------------------------------------------------------------
def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile: with 20 samples p99 is the slowest one."""
    s = sorted(values)
    rank = max(1, -(-len(s) * p // 100))  # ceil
    return s[int(rank) - 1]


def summarise(samples: dict[str, list[float]]) -> dict[str, dict]:
    out = {}
    for op, values in samples.items():
        if values:
            out[op] = {"n": len(values), "p50_ms": statistics.median(values) * 1000,
                       "p99_ms": percentile(values, 99) * 1000, "max_ms": max(values) * 1000}
    return out


def machine() -> dict:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        mem = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, IndexError, ValueError):
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "load_average": os.getloadavg(), "date": time.strftime("%Y-%m-%d %H:%M %Z")}


def print_table(results: dict) -> None:
    servers = results["servers"]
    main, other = servers[0], (servers[1] if len(servers) > 1 else None)
    sizes = [str(s) for s in results["sizes"]]
    for size in sizes:
        lines = results["runs"][main][size]["lines"]
        print(f"\n### {lines} lines")
        head = f"{'operation':<28}"
        for name in servers:
            head += f" | {name + ' p50':>16} {'p99':>8}"
        if other:
            head += f" | {'ratio p50':>9} {'ratio p99':>9}"
        print(head)
        print("-" * len(head))
        for op in OPERATIONS:
            row = f"{op:<28}"
            figures = []
            for name in servers:
                stat = results["runs"][name][size]["stats"].get(op)
                figures.append(stat)
                row += f" | {stat['p50_ms']:>13.1f} ms {stat['p99_ms']:>8.1f}" if stat else f" | {'—':>16} {'—':>8}"
            if other and figures[0] and figures[1]:
                row += " | " + " ".join(
                    f"{figures[0][k] / figures[1][k]:>8.1f}×" if figures[1][k] > 0 else f"{'—':>9}"
                    for k in ("p50_ms", "p99_ms"))
            print(row)
        row = f"{'peak RSS (VmHWM)':<28}"
        for name in servers:
            row += f" | {results['runs'][name][size]['rss_mib']:>12.1f} MiB {'':>8}"
        print(row)
    print()
    for name in servers:
        for size in sizes:
            print(f"{name} at {results['runs'][name][size]['lines']} lines answered: {results['runs'][name][size]['notes']}")
    scaling = results.get("scaling")
    if scaling:
        print()
        for name, ops in scaling.items():
            print(f"{name}: p50 at the largest size / p50 at the smallest: "
                  + ", ".join(f"{op} {ratio:.1f}×" for op, ratio in ops.items()))


def scaling(results: dict) -> dict:
    out = {}
    sizes = [str(s) for s in results["sizes"]]
    if len(sizes) < 2:
        return out
    for name in results["servers"]:
        small = results["runs"][name][sizes[0]]["stats"]
        large = results["runs"][name][sizes[-1]]["stats"]
        out[name] = {op: large[op]["p50_ms"] / small[op]["p50_ms"] for op in (
            "completion (name)", "completion (dep:)", "hover", "didChange → diagnostics, default settings",
            "didChange → diagnostics, debounce off", "keystroke → completion")
            if op in small and op in large and small[op]["p50_ms"] > 0}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=20, help="repetitions per operation (default 20)")
    ap.add_argument("--cold-reps", type=int, default=None, help="fresh processes per size (default: --reps)")
    ap.add_argument("--sizes", default="300,3000,30000", help="document sizes in lines (300 = the fixture as is)")
    ap.add_argument("--no-tombi", action="store_true", help="measure pep725-ls only")
    ap.add_argument("--no-bare", action="store_true", help="leave out the bare pygls server (the cold-start floor)")
    ap.add_argument("--no-plot", action="store_true", help="write no PNG")
    ap.add_argument("--baseline", default=None, metavar="REF_OR_DIR",
                    help="also measure another pep725-ls: a git ref, or a folder holding pep725_ls/")
    ap.add_argument("--env", type=Path, default=None, help="the benchmark virtualenv (default: user cache dir)")
    ap.add_argument("--json", type=Path, default=RESULTS / "lsp.json")
    ap.add_argument("--png", type=Path, default=RESULTS / "lsp.png")
    args = ap.parse_args(argv)
    cold_reps = args.reps if args.cold_reps is None else args.cold_reps
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    logs = args.json.parent / "logs"
    logs.mkdir(parents=True, exist_ok=True)

    servers = [pep725_server()]
    tombi_status = "not requested (--no-tombi)"
    env_python = None
    need = ([] if args.no_tombi else ["tombi"]) + ([] if args.no_plot else ["matplotlib"])
    if need:
        env_python, problem = ensure_env(args.env or default_env_dir(), need)
        if problem:
            print(f"benchmark environment: {problem}", file=sys.stderr)
    if not args.no_tombi:
        tombi = env_python.parent / "tombi" if env_python else None
        if tombi and tombi.exists():
            version = subprocess.run([str(tombi), "--version"], capture_output=True, text=True).stdout.strip()
            tombi_status = version
            servers.append(Server("tombi", [str(tombi), "lsp", "--offline"], server_env()))
        else:
            tombi_status = "NOT MEASURED: tombi could not be installed (pip install tombi failed); pep725-ls only"
            print(f"tombi: {tombi_status}", file=sys.stderr)
    scratch = Path(tempfile.mkdtemp(prefix="pep725-bench-src-"))
    if args.baseline:
        servers.append(pep725_server("baseline", baseline_source(args.baseline, scratch)))
    if not args.no_bare:  # the floor: pygls with one handler per request, nothing of pep725-ls
        servers.append(Server("bare pygls", [sys.executable, str(Path(__file__).with_name("bare_pygls_server.py"))],
                              server_env()))

    results: dict = {"machine": machine(), "reps": args.reps, "cold_reps": cold_reps, "sizes": sizes,
                     "servers": [s.name for s in servers], "tombi": tombi_status, "baseline": args.baseline,
                     "runs": {s.name: {} for s in servers}}
    started = time.perf_counter()
    try:
        for size in sizes:
            doc = document(size)
            for server in servers:
                t = time.perf_counter()
                run = measure(server, doc, args.reps, cold_reps, logs)
                results["runs"][server.name][str(size)] = {
                    "lines": doc.lines, "stats": summarise(run["samples"]), "rss_mib": run["rss_mib"],
                    "notes": run["notes"], "samples_ms": {k: [v * 1000 for v in vs] for k, vs in run["samples"].items()}}
                print(f"{server.name}: {doc.lines} lines measured in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    results["scaling"] = scaling(results)
    results["seconds"] = time.perf_counter() - started
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False))
    m = results["machine"]
    print(f"pep725-ls LSP benchmark, {m['date']}: {m['nproc']} × {m['cpu']}, {m['memory']}, "
          f"load {m['load_average'][0]:.1f}; {args.reps} repetitions ({cold_reps} cold starts) per size")
    print(f"tombi: {tombi_status}")
    print_table(results)
    print(f"\nJSON: {args.json}")
    if not args.no_plot:
        if env_python is None:
            print("plot: no benchmark virtualenv with matplotlib; no PNG written")
        else:
            done = subprocess.run([str(env_python), str(BENCH / "plot.py"), str(args.json), str(args.png)],
                                  capture_output=True, text=True)
            print(f"plot: {args.png}" if done.returncode == 0 else f"plot failed: {done.stderr.strip()[-300:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
