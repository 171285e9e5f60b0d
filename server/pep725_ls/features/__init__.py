"""LSP features, one module per method. ``register_all`` wires them into a server.

Lifecycle and document sync are always registered. Optional features are registered in
the initialize handler, after reading the user's settings, so a feature the user turned
off is not advertised at all.
"""

from __future__ import annotations

from . import (
    code_actions,
    completion,
    diagnostics,
    document_links,
    document_sync,
    hover,
    inlay_hints,
    lifecycle,
    virtualenv,
)

OPTIONAL_FEATURES = {
    "completion_enable": completion,
    "hover_enable": hover,
    "code_actions_enable": code_actions,
    "inlay_hints_enable": inlay_hints,
}


def register_all(server) -> None:
    lifecycle.register(server, register_enabled)
    document_sync.register(server)
    virtualenv.register(server)


def register_enabled(server) -> None:
    """Called from initialize, once settings and client capabilities are known."""
    diagnostics.register(server)
    document_links.register(server)
    for setting, module in OPTIONAL_FEATURES.items():
        if getattr(server.settings, setting):
            module.register(server)
