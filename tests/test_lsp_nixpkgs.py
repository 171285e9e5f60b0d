"""End to end: nixpkgs hover, name completion, diagnostics and document links over LSP."""

from __future__ import annotations

import pytest
from lsprotocol import types as lsp

from conftest import WORKSPACES, Session
from pep725_ls.data_index import default_index

pytestmark = pytest.mark.asyncio
FIXTURE = WORKSPACES / "nix" / "mapping" / "pyproject.toml"


async def test_hover_shows_nixpkgs(client):
    s = Session(client, FIXTURE).open()
    hover = await s.hover(s.position("dep:generic/libpq", 14))
    text = hover.contents.value
    assert "`nix-shell -p libpq`" in text and "search.nixos.org/packages" in text
    assert "`libpq.so.5`" in text


async def test_name_completion_is_ranked_and_labelled(client):
    s = Session(client, FIXTURE).open()
    result = await s.completion(s.position('dep:generic/li"', len("dep:generic/li")))
    assert result.is_incomplete  # cut at 50 items: the client asks again as the user types
    labels = [i.label for i in result.items]
    assert len(labels) == 50
    first_curated = labels.index("libpng")
    assert {"libpq", "libffi", "libxml2"} <= set(labels[:first_curated])  # registry canonical first
    libpq = next(i for i in result.items if i.label == "libpq")
    if libpq.documentation is None:  # the client resolves detail and documentation lazily
        libpq = await s.resolve(libpq)
    assert "nixpkgs: libpq" in libpq.detail
    assert libpq.documentation.kind == lsp.MarkupKind.Markdown
    assert "**dep:generic/libpq**" in libpq.documentation.value


async def test_nixpkgs_diagnostics(client):
    s = Session(client, FIXTURE).open()
    diags = await s.diagnostics()
    codes = {d.code: d for d in diags}
    assert codes["no-nixpkgs-mapping"].severity == lsp.DiagnosticSeverity.Information
    assert codes["nixpkgs-version-mismatch"].severity == lsp.DiagnosticSeverity.Warning
    assert "openssl" in codes["nixpkgs-version-mismatch"].message


async def test_document_links(client):
    s = Session(client, FIXTURE).open()
    assert client.server_capabilities.document_link_provider is not None
    found = await client.text_document_document_link_async(
        lsp.DocumentLinkParams(text_document=lsp.TextDocumentIdentifier(uri=s.uri)))
    targets = {link.target for link in found}
    assert "https://search.nixos.org/packages?channel=unstable&query=zlib" in targets


@pytest.mark.asyncio
async def test_inlay_hints_show_the_resolved_attribute(client):
    text = '[external]\nbuild-requires = ["dep:virtual/compiler/rust"]\ndependencies = ["pkg:generic/libpq", "dep:generic/no-such-thing"]\n'
    s = Session(client, WORKSPACES / "core/clean/pyproject.toml", text=text).open()
    hints = await client.text_document_inlay_hint_async(lsp.InlayHintParams(
        text_document=lsp.TextDocumentIdentifier(uri=s.uri),
        range=lsp.Range(lsp.Position(0, 0), lsp.Position(5, 0))))
    by_label = {h.label: h.position for h in hints}
    assert set(by_label) == {"nixpkgs: rustc + cargo", f"nixpkgs: libpq {default_index().nixpkgs('dep:generic/libpq').primary.version}"}
    assert by_label["nixpkgs: rustc + cargo"] == s.position('"dep:virtual/compiler/rust"', len('"dep:virtual/compiler/rust"'))
