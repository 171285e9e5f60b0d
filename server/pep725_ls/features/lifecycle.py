"""initialize / initialized / workspace/didChangeConfiguration / shutdown / exit."""

from __future__ import annotations

import logging

from lsprotocol import types as lsp

from ..config import SECTION
from ..nix_live import start_background_refresh
from ..text_document import use_lsp_text_documents
from . import completion, warm_up

log = logging.getLogger(__name__)


def client_supports_pull_diagnostics(caps: lsp.ClientCapabilities) -> bool:
    return bool(caps.text_document and caps.text_document.diagnostic)


def register(server, register_enabled) -> None:
    """``register_enabled(server)`` registers the optional features once settings and
    client capabilities are known (given by features/__init__.py, which imports us)."""
    @server.feature(lsp.INITIALIZE)
    def initialize(ls, params: lsp.InitializeParams) -> None:
        use_lsp_text_documents(ls.workspace)  # line breaks as LSP defines them, not str.splitlines
        ls.apply_settings(params.initialization_options)
        ls.pull_diagnostics = client_supports_pull_diagnostics(params.capabilities)
        ls.completion_support = completion.ClientSupport.of(params.capabilities)
        register_enabled(ls)
        warm_up.prepare_converters(ls)  # ~4 ms here rather than in the first completion

    @server.feature(lsp.INITIALIZED)
    async def initialized(ls, params: lsp.InitializedParams) -> None:
        caps = ls.client_capabilities.workspace
        if caps and caps.did_change_configuration and caps.did_change_configuration.dynamic_registration:
            try:
                await ls.client_register_capability_async(
                    lsp.RegistrationParams(
                        registrations=[
                            lsp.Registration(
                                id="pep725-config",
                                method=lsp.WORKSPACE_DID_CHANGE_CONFIGURATION,
                                register_options=lsp.DidChangeConfigurationRegistrationOptions(section=SECTION),
                            )
                        ]
                    )
                )
            except Exception as exc:  # the client said no: settings still come with requests
                log.info("client did not register workspace/didChangeConfiguration: %s", exc)
        await ls.pull_settings()
        warm_up.start(ls)  # in the background: the first requests as fast as the next ones
        await start_background_refresh(ls)  # returns at once; the refresh runs in the background

    @server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls, params: lsp.DidChangeConfigurationParams) -> None:
        settings = params.settings
        if isinstance(settings, dict) and isinstance(settings.get(SECTION), dict):
            ls.apply_settings(settings)
        else:
            await ls.pull_settings()
        ls.learned("settings changed")

    @server.feature(lsp.SHUTDOWN)
    def shutdown(ls, params) -> None:
        ls.stopping.set()  # venv scans and analyses stop at their next check
        ls.stop_analyses()

    @server.feature(lsp.EXIT)
    def exit_(ls, params) -> None:
        ls.stopping.set()

    del initialize, initialized, did_change_configuration, shutdown, exit_
