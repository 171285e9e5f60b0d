"""The language server: document state, settings, scheduling, and feature registration.

Features live in ``features/`` (one module per LSP method); this module owns what they
share: the current analysis of each open document (parsed once per version), the
settings, and the debounced re-analysis that publishes diagnostics.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
import threading
import time
from dataclasses import dataclass, field
from .cached import cached_property

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol

from pathlib import Path


from . import __version__, data_files
from .background import run_in_daemon_thread
from .checks import AnalysisCancelled, CheckContext, Finding, run_checks
from .config import SECTION, Settings, parse_settings
from .data_index import DataIndex
from .document import BIG_DOCUMENT_CHARS, PyprojectDocument
from .project_files import is_pyproject, project_dir  # noqa: F401 - the server's own API too
from .text_document import LspTextDocument
from .venv_scan import ScanCache, VenvScan

log = logging.getLogger(__name__)

# A request on a big document (document.BIG_DOCUMENT_CHARS) waits at most this long for its
# parse in a worker, then answers with what it has: nothing, rather than a freeze (code
# actions: features/code_actions.py).
REQUEST_WAIT_S = 1.0


@dataclass
class Analysis:
    """One version of one document, and what the checks found in it (computed once)."""

    uri: str
    version: int | None
    doc: PyprojectDocument
    index: DataIndex = field(repr=False)
    context: CheckContext = field(default_factory=CheckContext, repr=False)
    # set when a newer version replaces this one (or at shutdown): its checks stop at the
    # next finding. Ten quick edits left eight threads analysing versions nobody would see.
    stale: threading.Event = field(default_factory=threading.Event, repr=False)
    running: asyncio.Future | None = field(default=None, repr=False)  # the worker computing findings
    preparing: asyncio.Future | None = field(default=None, repr=False)  # the worker parsing a big document
    generation: int = 0  # of what the server knew (Pep725Server.generation) when made
    # (previous analysis, edit) when the previous version of a big document was still being
    # parsed: this one is re-read from it once it is (not parsed whole again per keystroke)
    pending_base: tuple[Analysis, tuple[int, int, int]] | None = field(default=None, repr=False)

    @cached_property
    def findings(self) -> list[Finding]:
        """Raises AnalysisCancelled once ``stale`` is set (nothing is cached then). A check
        that fails is one internal-error finding (checks/__init__.py), not an empty list."""
        return run_checks(self.doc, self.index, self.context, cancelled=self.stale.is_set)


# An analysis faster than this is run at every change, with no wait (at 30,000 lines one
# takes 3-26 ms here; a hostile 5 MB document seconds).
FAST_ANALYSIS_S = 0.05


@dataclass(frozen=True)
class _UnreadableRequest:
    """A request whose params did not match its method (stands in for the message)."""

    id: int | str
    method: str
    error: JsonRpcException
    jsonrpc: str = "2.0"


class Pep725Protocol(LanguageServerProtocol):
    """pygls's protocol, except that requests pygls would drop get an error reply.

    pygls logs a request with unreadable params, or any request after ``shutdown``, and
    drops it, so the client would wait for ever. JSON-RPC says to answer the first with
    -32602 Invalid params; LSP says to answer the second with InvalidRequest (-32600).
    """

    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and isinstance(data.get("method"), str):
                return _UnreadableRequest(data["id"], data["method"], exc)
            raise

    def handle_message(self, message):
        if isinstance(message, _UnreadableRequest):
            self._send_response(message.id, error=message.error.to_response_error())
            return
        if self._shutdown and _is_request(message) and message.method != lsp.EXIT:
            self._send_response(message.id, error=JsonRpcInvalidRequest(
                f"{message.method}: the server is shutting down").to_response_error())
            return
        super().handle_message(message)
        self._server.freeze_long_lived()


def _is_request(message) -> bool:
    return getattr(message, "id", None) is not None and isinstance(getattr(message, "method", None), str)


class Pep725Server(LanguageServer):
    def __init__(self, index: DataIndex | None = None) -> None:
        super().__init__("pep725-ls", __version__, protocol_cls=Pep725Protocol)
        # Its own index: live nixpkgs metadata (nix_live) changes this server's, never the
        # process-wide default_index() the CLI and other code share.
        self.index = index if index is not None else DataIndex()
        self.settings = Settings()
        self.pull_diagnostics = False
        self.completion_support = None  # features.completion.ClientSupport, set at initialize
        self._analyses: dict[str, Analysis] = {}
        self._pending: dict[str, asyncio.Task] = {}
        self._analysis_seconds: dict[str, float] = {}  # the last publish per document (diagnostics_delay)
        # What the server knows besides the text (settings, nixpkgs data, virtualenv scans):
        # each change is one step, through ``learned``. Analyses and pull result ids are
        # keyed by (document version, generation), so nothing computed from older knowledge
        # is served again, on any path.
        self.generation = 0
        # virtualenv scans by project folder (features/virtualenv.py runs them)
        self.venv_scans: dict[Path, VenvScan] = {}
        self.venv_scans_running: set[Path] = set()
        self.venv_scan_cache = ScanCache()
        # set by shutdown/exit: background work (venv scans, analyses) stops at its next check
        self.stopping = threading.Event()
        self._frozen_after_reads = -1
        self.warm_up_task: asyncio.Future | None = None  # features/warm_up.py
        self.nix_refresh_task: asyncio.Task | None = None  # nix_live.start_background_refresh
        # LSP: 0 after shutdown + exit, 1 after an exit without shutdown (set from pygls's sys.exit)
        self.exit_code = 0

    # -- transport -------------------------------------------------------------------
    def start_io(self, stdin=None, stdout=None) -> None:
        """Serve over stdio: pygls's message loop, stdin read as stdio_transport.py says."""
        from pygls.io_ import StdinAsyncReader, StdoutWriter, run_async

        from .stdio_transport import BoundedStdin, PipeReader

        stdin = stdin or sys.stdin.buffer
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))

        async def serve() -> None:
            reader = await PipeReader.open(stdin) or StdinAsyncReader(BoundedStdin(stdin), self.thread_pool)
            await run_async(stop_event=self._stop_event, reader=reader, protocol=self.protocol, logger=log,
                            error_handler=self.report_server_error)

        try:
            asyncio.run(serve())
        except BrokenPipeError:
            log.error("the connection to the client is lost; shutting down")
        except SystemExit as exc:  # pygls's exit handler: the code LSP asks for
            self.exit_code = exc.code if isinstance(exc.code, int) else 1
        except KeyboardInterrupt:
            pass
        finally:
            self.stopping.set()
            for analysis in self._analyses.values():
                analysis.stale.set()
            self.shutdown()

    # -- memory ----------------------------------------------------------------------
    def freeze_long_lived(self) -> None:
        """Keep what is loaded for good (modules, the data index's tables) out of the cyclic
        garbage collector's full passes, once more data files have been read.

        A full collection visited every object of the process: 34 ms on a warm server,
        the slowest request of a run whenever one struck. ``gc.freeze`` moves the objects alive
        now to a generation the collector never scans; they are still freed by reference
        counting when dropped, which is how this server's documents, trees and analyses (no
        reference cycles) go. Done at start-up and after each request that read data files,
        so only a handful of times per process.
        """
        if data_files.reads() != self._frozen_after_reads:
            self._frozen_after_reads = data_files.reads()
            gc.freeze()

    # -- documents -----------------------------------------------------------------
    def analysis(self, uri: str) -> Analysis:
        """The analysis of the document's current text (cached per version)."""
        document = self.workspace.get_text_document(uri)
        cached = self._analyses.get(uri)
        try:
            source = document.source
        except (OSError, UnicodeDecodeError):  # not open, and not readable on disk: nothing to say
            source = ""
        if cached is not None and cached.version == document.version and cached.doc.text is source:
            if cached.generation == self.generation:
                return cached
            # new knowledge, same text: keep the parse, check again
            folder = project_dir(uri)
            context = CheckContext(folder, self.venv_scans.get(folder) if folder else None,
                                   self.settings.missing_dependencies_install)
            analysis = Analysis(uri, cached.version, cached.doc, self.index, context, generation=self.generation)
            cached.stale.set()
            self._analyses[uri] = analysis
            return analysis
        encoding = getattr(self.workspace.position_encoding, "value", self.workspace.position_encoding) or "utf-16"
        folder = project_dir(uri)
        context = CheckContext(folder, self.venv_scans.get(folder) if folder else None,
                               self.settings.missing_dependencies_install)
        edit = document.take_edit() if isinstance(document, LspTextDocument) else None
        # the editor copy's line index, patched per change, when it is of this very text
        lines = document.line_index() if isinstance(document, LspTextDocument) and document._source is not None else None
        pending_base = None
        if cached is not None and cached.doc.encoding == encoding:
            doc = PyprojectDocument.edited(cached.doc, source, edit, encoding, lines)
            if doc._base is None and edit is not None and cached.preparing is not None and not cached.preparing.done():
                pending_base = (cached, edit)
        else:
            doc = PyprojectDocument(source, encoding, lines)
        analysis = Analysis(uri, document.version, doc, self.index, context, generation=self.generation,
                            pending_base=pending_base)
        if cached is not None:
            cached.stale.set()
        self._analyses[uri] = analysis
        return analysis

    async def findings(self, analysis: Analysis) -> list[Finding]:
        """Findings computed off the event loop, so a big file never stalls requests; one
        worker per analysis, shared by every caller. Raises AnalysisCancelled when the
        analysis went stale meanwhile (``current_findings`` then moves on to the new one)."""
        if "findings" in analysis.__dict__:
            return analysis.findings
        if analysis.running is None:
            async def run() -> list[Finding]:
                await self.prepared(analysis)  # a big document: parsed once, by one worker
                return await run_in_daemon_thread(lambda: analysis.findings, name="pep725-ls analysis")

            analysis.running = asyncio.ensure_future(run())
        return await asyncio.shield(analysis.running)

    async def prepared(self, analysis: Analysis) -> None:
        """Wait until a big document is parsed, in a worker (small ones: at once)."""
        doc = analysis.doc
        if len(doc.text) < BIG_DOCUMENT_CHARS or doc.prepared:
            return
        if analysis.preparing is None:
            analysis.preparing = asyncio.ensure_future(self._prepare(analysis))
        await asyncio.shield(analysis.preparing)

    async def _prepare(self, analysis: Analysis) -> None:
        if analysis.pending_base is not None:
            previous, edit = analysis.pending_base
            analysis.pending_base = None
            try:
                await asyncio.shield(previous.preparing)
            except Exception:
                pass
            if not analysis.doc.prepared:
                analysis.doc = PyprojectDocument.edited(previous.doc, analysis.doc.text, edit, analysis.doc.encoding)
        await run_in_daemon_thread(analysis.doc.prepare, name="pep725-ls parse")

    def ready(self, uri: str):
        """For request handlers written as generators (pygls runs them in message order up
        to their first ``yield``): ``analysis = yield from ls.ready(uri)``. A small or parsed
        document answers at once, exactly as a plain handler would; a big one being parsed
        waits up to REQUEST_WAIT_S off the event loop, then gives None."""
        analysis = self.analysis(uri)
        if len(analysis.doc.text) < BIG_DOCUMENT_CHARS or analysis.doc.prepared:
            return analysis
        parsed = yield (self._wait_prepared, (analysis,), None)
        return analysis if parsed else None

    async def _wait_prepared(self, analysis: Analysis) -> bool:
        try:
            await asyncio.wait_for(self.prepared(analysis), REQUEST_WAIT_S)
        except asyncio.TimeoutError:
            return False
        return True

    async def ready_analysis(self, uri: str) -> Analysis | None:
        """The current analysis, with its document parsed; None when a big document is not
        parsed within REQUEST_WAIT_S (the parse goes on; a later request finds it done)."""
        analysis = self.analysis(uri)
        try:
            await asyncio.wait_for(self.prepared(analysis), REQUEST_WAIT_S)
        except asyncio.TimeoutError:
            return None
        return analysis

    def prepare_soon(self, uri: str) -> None:
        """Start parsing a big document now (didOpen/didChange), before a request needs it."""
        document = self.workspace.text_documents.get(uri)
        if document is not None and len(document.source) >= BIG_DOCUMENT_CHARS:
            analysis = self.analysis(uri)
            task = asyncio.ensure_future(self.prepared(analysis))
            task.add_done_callback(lambda t: t.cancelled() or t.exception())  # failures are the next request's

    async def current_findings(self, uri: str) -> tuple[Analysis, list[Finding]]:
        """The analysis of the document's current version and its findings; when an edit
        makes it stale while its checks run, the newest version's instead."""
        while True:
            analysis = self.analysis(uri)
            try:
                return analysis, await self.findings(analysis)
            except AnalysisCancelled:
                if self.stopping.is_set():
                    return analysis, []

    def learned(self, what: str) -> None:
        """The server knows something new (settings, live nixpkgs data, a virtualenv scan):
        a new generation; every analysis made before it is stale (an unchanged text keeps its
        parse: a 5 MB document took 2.7 s), and every open document's diagnostics are
        published (or, in pull mode, the client is asked to pull) again."""
        self.generation += 1
        log.debug("generation %d: %s", self.generation, what)
        for analysis in self._analyses.values():
            analysis.stale.set()
        self.refresh_all_diagnostics()

    def stop_analyses(self) -> None:
        """Shutdown: every running analysis stops at its next finding."""
        for analysis in self._analyses.values():
            analysis.stale.set()
        self._analyses.clear()

    def forget(self, uri: str) -> None:
        analysis = self._analyses.pop(uri, None)
        if analysis is not None:
            analysis.stale.set()
        task = self._pending.pop(uri, None)
        if task is not None:
            task.cancel()

    # -- diagnostics scheduling ----------------------------------------------------
    def schedule_diagnostics(self, uri: str, delay: float) -> None:
        """Publish diagnostics for ``uri`` after ``delay`` s, replacing any pending run."""
        if self.pull_diagnostics or not is_pyproject(uri):
            return
        previous = self._pending.pop(uri, None)
        if previous is not None:
            previous.cancel()
        self._pending[uri] = asyncio.ensure_future(self._publish_later(uri, delay))

    def diagnostics_delay(self, uri: str) -> float:
        """How long to wait after a change before analysing: nothing while analyses of this
        document are fast (the user sees diagnostics at once; a change that comes while one
        runs replaces it, the stale one stops at its next finding), else as long as the last
        one took, at most ``debounceMs``: slow documents are not re-analysed per keystroke.
        (It was a fixed 150 ms: 25x Tombi's time to diagnostics after a keystroke.)"""
        last = self._analysis_seconds.get(uri)
        if last is None or last < FAST_ANALYSIS_S:
            return 0.0
        return min(last, self.settings.debounce_ms / 1000)

    async def _publish_later(self, uri: str, delay: float) -> None:
        from .features.diagnostics import publish

        try:
            if delay > 0:
                await asyncio.sleep(delay)
            began = time.perf_counter()
            await publish(self, uri)
            self._analysis_seconds[uri] = time.perf_counter() - began
            self.freeze_long_lived()
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("publishing diagnostics for %s failed", uri)

    def refresh_all_diagnostics(self) -> None:
        if self.pull_diagnostics:
            caps = self.client_capabilities.workspace
            if caps and caps.diagnostics and caps.diagnostics.refresh_support:
                self.workspace_diagnostic_refresh(None)
            return
        for uri in list(self.workspace.text_documents):
            self.schedule_diagnostics(uri, 0)

    # -- settings ------------------------------------------------------------------
    def apply_settings(self, raw) -> None:
        settings, problems = parse_settings(raw)
        self.settings = settings
        self.generation += 1  # findings depend on settings (callers publish: learned() or initialize)
        for problem in problems:
            log.warning("settings: %s", problem)
        if problems:
            self.window_show_message(
                lsp.ShowMessageParams(
                    type=lsp.MessageType.Warning,
                    message="pep725-ls settings: " + "; ".join(problems),
                )
            )

    async def pull_settings(self) -> None:
        caps = self.client_capabilities.workspace
        if not (caps and caps.configuration):
            return
        try:
            result = await asyncio.wait_for(
                self.workspace_configuration_async(
                    lsp.ConfigurationParams(items=[lsp.ConfigurationItem(section=SECTION)])
                ),
                timeout=5,
            )
        except Exception as exc:  # the client may not answer; keep what we have
            log.warning("workspace/configuration failed: %s", exc)
            return
        if result and isinstance(result[0], dict):
            self.apply_settings(result[0])


def create_server(index: DataIndex | None = None) -> Pep725Server:
    server = Pep725Server(index)
    from .features import register_all

    register_all(server)
    return server


def configure_logging(log_file: str | None, level: str = "INFO") -> None:
    handler: logging.Handler
    if log_file:
        handler = logging.FileHandler(os.path.expanduser(log_file), encoding="utf-8")
    else:
        handler = logging.StreamHandler()  # stderr: stdout carries the protocol
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    if level.upper() != "DEBUG":
        # pygls logs every message at INFO; that is debugging detail, not a log.
        logging.getLogger("pygls").setLevel(logging.WARNING)
