"""The one place pep725-ls reaches into pygls (text_document.use_lsp_text_documents):
pygls 2 offers no public way to choose the workspace's document class. These tests fail
loudly when a pygls upgrade moves what it relies on (issue 16)."""

from __future__ import annotations

from lsprotocol import types as lsp
from pygls.workspace import Workspace

from pep725_ls.text_document import LspTextDocument, use_lsp_text_documents

URI = "file:///p/pyproject.toml"


def test_pygls_still_has_what_we_replace():
    workspace = Workspace(None, sync_kind=lsp.TextDocumentSyncKind.Incremental)
    assert callable(workspace._create_text_document)  # replaced by use_lsp_text_documents
    assert workspace._sync_kind == lsp.TextDocumentSyncKind.Incremental  # read to build ours


def test_documents_are_ours_and_break_lines_as_lsp_does():
    workspace = Workspace(None, sync_kind=lsp.TextDocumentSyncKind.Incremental)
    use_lsp_text_documents(workspace)
    text = 'a = "\x0b"\n[external]\n'  # \v: str.splitlines breaks there, LSP does not
    workspace.put_text_document(lsp.TextDocumentItem(uri=URI, language_id="toml", version=1, text=text))
    document = workspace.get_text_document(URI)
    assert isinstance(document, LspTextDocument)
    workspace.update_text_document(
        lsp.VersionedTextDocumentIdentifier(uri=URI, version=2),
        lsp.TextDocumentContentChangePartial(range=lsp.Range(lsp.Position(1, 0), lsp.Position(1, 0)), text="#"))
    assert document.source == 'a = "\x0b"\n#[external]\n'  # line 1 is after the \n only
    assert document.take_edit() == (len('a = "\x0b"\n'), len('a = "\x0b"\n'), len('a = "\x0b"\n#'))
    assert document.line_index().line_starts == [0, 8, 20]
