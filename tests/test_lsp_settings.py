"""Settings end to end: severity overrides, disabled features, invalid values reported."""

from __future__ import annotations

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from conftest import SERVER, WORKSPACES, Session, accept_registrations, initialize_params

pytestmark = pytest.mark.asyncio

OPTIONS = {
    "pep725": {
        "severity": {"legacy-depurl": "error", "duplicate-entry": "off", "no-such-code": "error"},
        "completion": {"enable": False},
        "debounceMs": "fast",
        "diagnostics": {"docsUrl": "https://docs.example.org/pep725-ls/diagnostics.html"},
    }
}


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def configured(lsp_client: LanguageClient):
    accept_registrations(lsp_client)
    result = await lsp_client.initialize_session(initialize_params("visual-studio-code", OPTIONS))
    lsp_client.server_capabilities = result.capabilities
    yield
    await lsp_client.shutdown_session()


async def test_disabled_feature_is_not_advertised(configured):
    assert configured.server_capabilities.completion_provider is None
    assert configured.server_capabilities.hover_provider


async def test_invalid_settings_are_reported_not_fatal(configured):
    if not configured.messages:
        await configured.wait_for_notification(lsp.WINDOW_SHOW_MESSAGE)
    text = " ".join(m.message for m in configured.messages)
    assert "no-such-code" in text and "debounceMs" in text


async def test_severity_overrides(configured):
    text = '[external]\nhost-requires = ["pkg:generic/zlib", "dep:generic/zlib", "dep:generic/zlib"]\n'
    s = Session(configured, WORKSPACES / "core/clean/pyproject.toml", text=text).open()
    diagnostics = await s.diagnostics()
    assert [(d.code, d.severity) for d in diagnostics] == [("legacy-depurl", lsp.DiagnosticSeverity.Error)]


async def test_did_change_configuration_applies_and_republishes(configured):
    text = '[external]\nhost-requires = ["dep:generic/zlib", "dep:generic/zlib"]\n'
    s = Session(configured, WORKSPACES / "core/clean/pyproject.toml", text=text).open()
    assert await s.diagnostics() == []
    configured.diagnostics.pop(s.uri, None)
    configured.workspace_did_change_configuration(
        lsp.DidChangeConfigurationParams(settings={"pep725": {"severity": {"duplicate-entry": "hint"}}})
    )
    diagnostics = await s.diagnostics()
    assert [(d.code, d.severity) for d in diagnostics] == [("duplicate-entry", lsp.DiagnosticSeverity.Hint)]


async def test_configured_docs_url_links_each_code_to_its_section(configured):
    s = Session(configured, WORKSPACES / "core/legacy-depurl/pyproject.toml").open()
    diagnostics = await s.diagnostics()
    assert diagnostics
    for d in diagnostics:
        assert d.code_description.href == f"https://docs.example.org/pep725-ls/diagnostics.html#{d.code}"
