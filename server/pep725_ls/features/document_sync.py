"""didOpen / didChange / didClose: keep the analysis current, schedule diagnostics.

pygls applies the incremental changes to its copy of the text; we re-parse lazily, at
most once per version, when a feature or the diagnostics run asks (at once while analyses
are fast, after a wait only when they are slow: Pep725Server.diagnostics_delay).
"""

from __future__ import annotations

from lsprotocol import types as lsp

from . import virtualenv


def register(server) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls, params: lsp.DidOpenTextDocumentParams) -> None:
        ls.prepare_soon(params.text_document.uri)
        ls.schedule_diagnostics(params.text_document.uri, 0)
        virtualenv.schedule(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls, params: lsp.DidChangeTextDocumentParams) -> None:
        ls.prepare_soon(params.text_document.uri)
        ls.schedule_diagnostics(params.text_document.uri, ls.diagnostics_delay(params.text_document.uri))

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.schedule_diagnostics(params.text_document.uri, 0)
        virtualenv.schedule(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.forget(uri)
        if not ls.pull_diagnostics:
            ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    del did_open, did_change, did_save, did_close
