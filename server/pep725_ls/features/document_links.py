"""textDocument/documentLink: each DepURL with a nixpkgs attribute links to search.nixos.org."""

from __future__ import annotations

from lsprotocol import types as lsp

from .. import lsp_conversions
from ..data_index import DataIndex
from ..document import PyprojectDocument


def links(doc: PyprojectDocument, index: DataIndex) -> list[tuple[int, int, str, str]]:
    """(start, end, url, tooltip) per requirement string whose DepURL maps to nixpkgs."""
    from ..checks.external_table import string_span

    out = []
    for listed in doc.specifiers:
        spec = listed.effective
        if spec.package_id is None or spec.type is None or spec.name is None or spec.problems:
            continue
        mapping = index.nixpkgs(spec.registry_id or spec.package_id)
        primary = mapping.primary if mapping is not None else None
        if primary is None or not primary.present:
            continue
        # spans of the string as written (a legacy string is longer than its dep: form)
        start, end = string_span(listed.string, *listed.spec.depurl_span)
        out.append((start, end, primary.search_url, f"nixpkgs: {primary.label} on search.nixos.org"))
    return out


def register(server) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_LINK, lsp.DocumentLinkOptions(resolve_provider=False))
    def document_link(ls, params: lsp.DocumentLinkParams):
        analysis = yield from ls.ready(params.text_document.uri)
        if analysis is None:
            return []
        doc = analysis.doc
        td = ls.client_capabilities.text_document
        tooltips = bool(td and td.document_link and td.document_link.tooltip_support)
        return [
            lsp.DocumentLink(range=lsp_conversions.lsp_range(doc, start, end), target=url, tooltip=tip if tooltips else None)
            for start, end, url, tip in links(doc, ls.index)
        ]

    del document_link
