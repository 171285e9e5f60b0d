"""Diagnostics end to end: the real server over stdio, as VS Code (push) and Neovim (pull)."""

from __future__ import annotations

import pytest
from lsprotocol import types as lsp

from conftest import WORKSPACES, Session
from expectations import expected_findings
from test_checks_fixtures import FIXTURES

pytestmark = pytest.mark.asyncio


async def test_capabilities_match_the_client(client):
    caps = client.server_capabilities
    assert caps.text_document_sync.change == lsp.TextDocumentSyncKind.Incremental
    pull = bool(client.capabilities.text_document.diagnostic)
    assert (caps.diagnostic_provider is not None) == pull
    assert caps.completion_provider is not None and ":" in caps.completion_provider.trigger_characters
    assert caps.hover_provider
    assert "source.fixAll.pep725" in caps.code_action_provider.code_action_kinds


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: p.parent.name)
async def test_each_code_on_its_fixture(client, path):
    s = Session(client, path).open()
    diagnostics = await s.diagnostics()
    found = sorted((d.code, _text(s, d.range)) for d in diagnostics)
    assert found == expected_findings(path)
    for d in diagnostics:
        assert d.source == "pep725-ls"
        # pep725-ls has no published docs site: without pep725.diagnostics.docsUrl, no link
        # (test_lsp_settings.py has the configured one).
        assert d.code_description is None


async def test_legacy_diagnostic_carries_its_replacement(client):
    s = Session(client, WORKSPACES / "core/legacy-depurl/pyproject.toml").open()
    legacy = [d for d in await s.diagnostics() if d.code == "legacy-depurl"]
    assert {d.data["replacement"] for d in legacy} == {"dep:virtual/compiler/c", "dep:generic/pkg-config", "dep:generic/zlib"}
    assert all(d.severity == lsp.DiagnosticSeverity.Error for d in legacy)  # PEP 725: tools MUST raise an error


async def test_diagnostics_follow_edits(client):
    s = Session(client, WORKSPACES / "core/clean/pyproject.toml").open()
    assert await s.diagnostics() == []
    await s.change(s.text.replace('"dep:generic/libpq"', '"pkg:generic/libpq"'))
    diagnostics = await s.diagnostics()
    assert [d.code for d in diagnostics] == ["legacy-depurl"]
    assert _text(s, diagnostics[0].range) == "pkg:generic/libpq"


async def test_non_ascii_positions(client):
    """Ranges are in the negotiated encoding: UTF-16 for VS Code, UTF-8 for Neovim 0.11."""
    text = '[project]\ndescription = "naïve 🐍"\n[external]\nhost-requires = ["🐍", "pkg:generic/zlib"]\n'
    s = Session(client, WORKSPACES / "core/clean/pyproject.toml", text=text).open()
    diagnostics = {d.code: d for d in await s.diagnostics()}
    assert _text(s, diagnostics["legacy-depurl"].range) == "pkg:generic/zlib"
    assert _text(s, diagnostics["invalid-depurl"].range) == "🐍"


def _text(s: Session, r: lsp.Range) -> str:
    from pep725_ls.text_positions import LineIndex

    index = LineIndex(s.text, s.encoding)
    return s.text[index.position_to_offset(r.start.line, r.start.character) : index.position_to_offset(r.end.line, r.end.character)]
