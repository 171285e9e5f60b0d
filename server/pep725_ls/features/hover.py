"""textDocument/hover on a DepURL: what it is and what other ecosystems call it."""

from __future__ import annotations

from lsprotocol import types as lsp

from .. import depurl, lsp_conversions
from ..data_index import DataIndex
from ..document import CursorInString, PyprojectDocument


def hover_markdown(spec: depurl.ExternalSpecifier, index: DataIndex) -> str | None:
    """The hover text for one specifier, or None when there is nothing to say."""
    if spec.legacy_replacement:
        spec = depurl.parse(spec.legacy_replacement)
    package_id = spec.package_id
    if package_id is None:
        return None
    lines = [f"**{package_id}**"]
    entry = index.lookup(spec.registry_id or package_id) or index.lookup(package_id)
    if entry is not None:
        if entry.description:
            lines += ["", entry.description]
        if not entry.is_canonical and entry.canonical_target:
            lines += ["", f"Alias of **{entry.canonical_target}** in the PEP 804 registry."]
        elif entry.provides:
            lines += ["", "Provides " + ", ".join(f"`{p}`" for p in entry.provides) + "."]
        target = entry.canonical_target if not entry.is_canonical else None
    else:
        target = None
        lines += ["", "_Not in the PEP 804 registry._"]
    if spec.version is not None:
        lines += ["", f"Version: `{spec.version.text}`"]
    if spec.marker is not None:
        lines += ["", f"Only when: `{spec.marker.text}`"]
    rows = index.ecosystem_packages(target or package_id)
    if rows:
        lines += ["", "| Ecosystem | Packages |", "|---|---|"]
        for row in rows:
            lines.append(f"| {row.ecosystem_name} | {', '.join(f'`{p}`' for p in row.all)} |")
    return "\n".join(lines)


def hover(doc: PyprojectDocument, offset: int, index: DataIndex) -> lsp.Hover | None:
    cursor = doc.cursor(offset)
    if not isinstance(cursor, CursorInString):
        return None
    string = cursor.string
    text = hover_markdown(depurl.parse(string.value), index)
    if text is None:
        return None
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text),
        range=lsp_conversions.lsp_range(doc, string.content_start, string.content_end),
    )


def register(server) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def on_hover(ls, params: lsp.HoverParams):
        if not ls.settings.hover_enable:
            return None
        analysis = ls.analysis(params.text_document.uri)
        return hover(analysis.doc, lsp_conversions.offset_of(analysis.doc, params.position), ls.index)

    del on_hover
