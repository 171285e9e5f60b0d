"""textDocument/inlayHint: after each DepURL, the nixpkgs attribute it resolves to."""

from __future__ import annotations

from lsprotocol import types as lsp

from .. import lsp_conversions
from ..data_index import DataIndex
from ..document import PyprojectDocument


def hints(doc: PyprojectDocument, index: DataIndex, start: int = 0, end: int | None = None) -> list[tuple[int, str, str]]:
    """(offset after the string, label, tooltip) for strings between ``start`` and ``end``."""
    end = len(doc.text) if end is None else end
    out = []
    for listed in doc.specifiers:
        string = listed.string
        if string.end < start or string.start > end:
            continue
        spec = listed.effective
        if spec.package_id is None or spec.problems:
            continue
        mapping = index.nixpkgs(spec.registry_id or spec.package_id)
        if mapping is None or not mapping.install_attrs:
            continue
        attrs = mapping.install_attrs
        primary = mapping.primary
        version = f" {primary.version}" if primary is not None and primary.version and len(attrs) == 1 else ""
        label = "nixpkgs: " + " + ".join(attrs) + version
        out.append((string.end, label, f"{spec.package_id} resolves to the nixpkgs attribute(s) {', '.join(attrs)}"))
    return out


def register(server) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_INLAY_HINT, lsp.InlayHintOptions(resolve_provider=False))
    def inlay_hint(ls, params: lsp.InlayHintParams):
        if not ls.settings.inlay_hints_enable:
            return None
        analysis = yield from ls.ready(params.text_document.uri)
        if analysis is None:
            return []
        doc = analysis.doc
        start = lsp_conversions.offset_of(doc, params.range.start)
        end = lsp_conversions.offset_of(doc, params.range.end)
        result = []
        for offset, label, tooltip in hints(doc, ls.index, start, end):
            pos = lsp_conversions.lsp_range(doc, offset, offset).start
            result.append(lsp.InlayHint(position=pos, label=label, kind=lsp.InlayHintKind.Type,
                                        padding_left=True, tooltip=tooltip))
        return result

    del inlay_hint
