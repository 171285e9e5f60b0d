"""The floor for cold start: a pygls 2 server with nothing of pep725-ls, answering what the
benchmark asks (diagnostics on open and change, empty completion, hover and code actions).
bench/run.py measures it beside pep725-ls: issue 16 asks for pep725-ls' cold start CPU
within 10 % of this."""

from __future__ import annotations

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

server = LanguageServer("bare-pygls", "1")


def _publish(ls: LanguageServer, uri: str, version: int | None) -> None:
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[], version=version))


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: LanguageServer, params: lsp.DidOpenTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri, params.text_document.version)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: LanguageServer, params: lsp.DidChangeTextDocumentParams) -> None:
    _publish(ls, params.text_document.uri, params.text_document.version)


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION)
def completion(ls: LanguageServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    return lsp.CompletionList(is_incomplete=False, items=[])


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: LanguageServer, params: lsp.HoverParams) -> None:
    return None


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION)
def code_action(ls: LanguageServer, params: lsp.CodeActionParams) -> list:
    return []


if __name__ == "__main__":
    server.start_io()
