"""Diagnostics: pushed (publishDiagnostics) or pulled (textDocument/diagnostic).

Pull is used when the client supports it, push otherwise, never both.
"""

from __future__ import annotations

from lsprotocol import types as lsp

from .. import lsp_conversions
from ..project_files import is_pyproject


async def compute(ls, uri: str) -> tuple[int | None, list[lsp.Diagnostic]]:
    if not ls.settings.diagnostics_enable or not is_pyproject(uri):
        return None, []
    analysis, findings = await ls.current_findings(uri)
    return analysis.version, lsp_conversions.diagnostics(analysis.doc, findings, ls.settings)


async def publish(ls, uri: str) -> None:
    if uri not in ls.workspace.text_documents:
        return
    version, items = await compute(ls, uri)
    if uri not in ls.workspace.text_documents or ls.workspace.get_text_document(uri).version != version:
        return  # closed or edited meanwhile: a newer run is scheduled
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=items, version=version))


def register(server) -> None:
    if not server.pull_diagnostics:
        return

    @server.feature(
        lsp.TEXT_DOCUMENT_DIAGNOSTIC,
        lsp.DiagnosticOptions(identifier="pep725-ls", inter_file_dependencies=False, workspace_diagnostics=False),
    )
    async def pull(ls, params: lsp.DocumentDiagnosticParams):
        uri = params.text_document.uri
        generation = ls.generation
        version, items = await compute(ls, uri)
        # What the report was computed from: the text's version and what the server knew.
        # (It was the settings object's id: a venv scan left it equal, and a client sending
        # previousResultId was told "unchanged" and never saw venv-missing-library.)
        result_id = f"{version}:{generation}"
        if params.previous_result_id == result_id:
            return lsp.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return lsp.RelatedFullDocumentDiagnosticReport(items=items, result_id=result_id)

    del pull
