"""Resource bounds against the real server over stdio: work a hostile repository can cause
(a crafted virtualenv, huge lines, floods of findings, edit storms) stays bounded, and never
keeps the process alive after ``exit``."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from elf_fixtures import dynamic_table_bomb, make_venv, needs_cc
from lsp_wire import LspProcess, server_env

CAPS = {"window": {"workDoneProgress": True}}


def bomb_venv(project: Path, copies: int) -> Path:
    """A venv whose site-packages holds ``copies`` hard links of a crafted .so (each read in
    ~0.1 s now, ~1.5 h before): a scan that takes long whatever its per-file bounds."""
    venv = make_venv(project)
    site = next(venv.glob("lib/python*/site-packages"))
    bomb = dynamic_table_bomb(next(site.glob("demo/*.so")), site / "evil" / "_bomb0.cpython-311-x86_64-linux-gnu.so", first=True)
    for i in range(1, copies):
        os.link(bomb, bomb.with_name(f"_bomb{i}.cpython-311-x86_64-linux-gnu.so"))
    return venv


@needs_cc
def test_exit_ends_the_server_while_a_venv_scan_runs(tmp_path):
    """The scan ran in the event loop's executor, whose threads asyncio.run and the interpreter
    wait for: the server outlived `exit` for as long as the scan took."""
    project = tmp_path / "project"
    project.mkdir()
    bomb_venv(project, 400)
    text = '[external]\nhost-requires = ["dep:generic/zlib"]\n'
    (project / "pyproject.toml").write_text(text)
    uri = (project / "pyproject.toml").as_uri()
    with LspProcess(env=server_env()) as proc:
        proc.initialize(project, CAPS)
        proc.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": text}})
        proc.wait_for_notification(lambda n: n.get("method") == "$/progress" and n["params"]["value"].get("kind") == "begin", 60)
        time.sleep(1)  # well inside the scan
        assert proc.alive() and not any(n.get("method") == "$/progress" and n["params"]["value"].get("kind") == "end"
                                        for n in proc.notifications), "the scan ended before the test could exit during it"
        started = time.monotonic()
        proc.notify("exit")
        assert proc.proc.wait(15) == 1, proc.stderr()
        print(f"exit during a venv scan: the process ended after {time.monotonic() - started:.2f} s")


def _threads(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/task"))


def test_edits_do_not_pile_up_analysis_threads_and_diagnostics_are_capped(tmp_path):
    """Ten quick edits, each pulled at once, left eight threads analysing versions nobody
    would see: the analyses ran in the loop's executor and were never cancelled. Now a
    stale analysis stops at its next finding, its thread ends, and every answer is for
    the newest version. The document has 3,000 findings: 1,000 and one summary come back."""
    text = "[external]\nhost-requires = [\n" + "".join(f'  "not a depurl {i}",\n' for i in range(3000)) + "]\n"
    uri = (tmp_path / "pyproject.toml").as_uri()
    with LspProcess(env=server_env()) as proc:
        proc.initialize(tmp_path, {"textDocument": {"diagnostic": {}}})
        proc.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": text}})
        first = proc.request("textDocument/diagnostic", {"textDocument": {"uri": uri}}, 60)["result"]["items"]
        assert len(first) == 1001 and first[-1]["code"] == "too-many-findings", first[-1]
        assert first[-1]["message"] == "2000 more findings not shown: pep725-ls reports at most 1000 per document"
        time.sleep(1)
        baseline = _threads(proc.proc.pid)
        pending = []
        for version in range(2, 12):
            proc.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": [
                {"range": {"start": {"line": 2, "character": 3}, "end": {"line": 2, "character": 3}}, "text": "x"}]})
            pending.append(proc.request_nowait("textDocument/diagnostic", {"textDocument": {"uri": uri}}))
        answers = [proc.wait(i, 60) for i in pending]
        assert all(len(a["result"]["items"]) == 1001 for a in answers), [len(a["result"]["items"]) for a in answers]
        deadline = time.monotonic() + 20
        while _threads(proc.proc.pid) > baseline and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _threads(proc.proc.pid) <= baseline, f"{_threads(proc.proc.pid) - baseline} threads left after the edits"
        assert proc.shutdown() == 0
