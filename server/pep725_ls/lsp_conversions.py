"""Our plain values → lsprotocol types. The only module that builds LSP ranges from offsets."""

from __future__ import annotations

from lsprotocol import types as lsp

from .checks import Finding
from .codes import CODES
from .config import Settings
from .document import PyprojectDocument
from .edits import TextEdit, within_last_line

SOURCE = "pep725-ls"
_UNNECESSARY = {"duplicate-entry"}
_DEPRECATED = {"legacy-depurl"}


def lsp_range(doc: PyprojectDocument, start: int, end: int) -> lsp.Range:
    a = doc.lines.offset_to_position(start)
    b = doc.lines.offset_to_position(end)
    return lsp.Range(lsp.Position(a.line, a.character), lsp.Position(b.line, b.character))


def offset_of(doc: PyprojectDocument, position: lsp.Position) -> int:
    return doc.lines.position_to_offset(position.line, position.character)


def text_edit(doc: PyprojectDocument, edit: TextEdit) -> lsp.TextEdit:
    edit = within_last_line(doc.text, edit)  # Neovim 0.11 adds a line for a range past the last one
    return lsp.TextEdit(range=lsp_range(doc, edit.start, edit.end), new_text=edit.new_text)


def diagnostic(doc: PyprojectDocument, finding: Finding, settings: Settings) -> lsp.Diagnostic | None:
    """The LSP diagnostic for a finding, or None when the user switched its code off."""
    severity = settings.severity_for(finding.code)
    if severity is None:
        return None
    tags = []
    if finding.code in _UNNECESSARY:
        tags.append(lsp.DiagnosticTag.Unnecessary)
    if finding.code in _DEPRECATED:
        tags.append(lsp.DiagnosticTag.Deprecated)
    code = CODES.get(finding.code)
    return lsp.Diagnostic(
        range=lsp_range(doc, finding.start, finding.end),
        message=finding.message,
        severity=lsp.DiagnosticSeverity(int(severity)),
        code=finding.code,
        code_description=lsp.CodeDescription(href=code.href(settings.docs_url)) if code and settings.docs_url else None,
        source=SOURCE,
        tags=tags or None,
        data={"code": finding.code, **finding.data} if finding.data or finding.fixes else None,
    )


def diagnostics(doc: PyprojectDocument, findings: list[Finding], settings: Settings) -> list[lsp.Diagnostic]:
    out = []
    for finding in findings:
        d = diagnostic(doc, finding, settings)
        if d is not None:
            out.append(d)
    return out
