"""Background scans of the project's virtualenv for shared libraries it needs.

Started when a pyproject.toml is opened or saved (and by the ``pep725.rescanVirtualenv``
command), run in a daemon thread with ``$/progress``, one at a time per project (and one
reading at a time per process, venv_scan.py), cached by file mtimes, cancelled at
shutdown; when a scan ends, diagnostics are refreshed.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from pathlib import Path

from lsprotocol import types as lsp

from ..background import run_in_daemon_thread
from ..project_files import is_pyproject, project_dir
from ..venv_scan import find_venv, scan

log = logging.getLogger(__name__)
RESCAN_COMMAND = "pep725.rescanVirtualenv"


async def _progress(ls, title: str):
    caps = ls.client_capabilities.window
    if not (caps and caps.work_done_progress):
        return None
    token = str(uuid.uuid4())
    try:
        await asyncio.wait_for(ls.work_done_progress.create_async(token), timeout=5)
    except Exception:
        return None
    ls.work_done_progress.begin(token, lsp.WorkDoneProgressBegin(title=title, cancellable=False))
    return token


async def scan_project(ls, folder: Path) -> None:
    running = ls.venv_scans_running
    if folder in running:
        return
    venv = find_venv(folder, ls.settings.venv_path)
    if venv is None:
        ls.venv_scans.pop(folder, None)
        return
    running.add(folder)
    token = await _progress(ls, f"pep725-ls: scanning {venv.name} for shared libraries")
    loop = asyncio.get_running_loop()

    def report(count: int) -> None:
        if token:
            loop.call_soon_threadsafe(
                ls.work_done_progress.report, token, lsp.WorkDoneProgressReport(message=f"{count} files")
            )

    try:
        result = await run_in_daemon_thread(
            lambda: scan(venv, ls.venv_scan_cache, report, cancelled=ls.stopping.is_set), name="pep725-ls venv scan")
    except Exception as exc:  # never let a scan take the server down
        log.exception("virtualenv scan of %s failed", venv)
        ls.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Warning, message=f"pep725-ls: scan of {venv} failed: {exc}"))
        result = None
    finally:
        running.discard(folder)
    if token:
        summary = "" if result is None else f"{result.elf_files} shared objects, {len(result.missing)} libraries from outside"
        ls.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message=summary))
    if result is None:
        return
    for problem in result.problems[:20]:
        ls.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Info, message=f"pep725-ls venv scan: {problem}"))
    if ls.stopping.is_set():
        return
    if not result.complete:
        ls.window_show_message(lsp.ShowMessageParams(
            type=lsp.MessageType.Warning,
            message=f"pep725-ls: the scan of {venv} stopped at {result.stopped_because}, after "
                    f"{result.files_seen} files; results are partial"))
    ls.venv_scans[folder] = result
    ls.learned(f"virtualenv scan of {venv}")


def schedule(ls, uri: str) -> None:
    if not ls.settings.diagnostics_enable or not is_pyproject(uri):
        return
    folder = project_dir(uri)
    if folder is not None:
        asyncio.ensure_future(scan_project(ls, folder))


def register(server) -> None:
    @server.command(RESCAN_COMMAND)
    async def rescan(ls, *args):
        for uri in list(ls.workspace.text_documents):
            folder = project_dir(uri)
            if is_pyproject(uri) and folder is not None:
                await scan_project(ls, folder)

    del rescan
