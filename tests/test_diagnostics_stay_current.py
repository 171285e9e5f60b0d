"""Diagnostics follow what the server learns without an edit (issue 18): a virtualenv scan
and live nixpkgs data each start a new generation, and neither the pushed diagnostics nor a
pulled report with ``previousResultId`` may go on showing the older findings."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, client_capabilities

from conftest import SERVER, Session, accept_registrations
from elf_fixtures import CC, make_venv
from pep725_ls import nix_live
from real_tools import debian_tool

FIXTURE_NIX = Path(__file__).parent / "workspaces" / "nix" / "fixture-nixpkgs.nix"


async def start(profile: str, root: Path, options: dict | None = None, env: dict | None = None):
    client = await ClientServerConfig(server_command=SERVER, server_env=env).start()
    accept_registrations(client)
    await client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities(profile), root_uri=root.as_uri(), initialization_options=options))
    return client


async def until(predicate, timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out")
        await asyncio.sleep(0.05)


@pytest.mark.asyncio
async def test_pull_after_a_venv_scan_is_not_unchanged(tmp_path):
    """The result id was "<version>:<id of the settings object>": a scan left it equal, and a
    client that sends previousResultId was told "unchanged" and never saw the finding."""
    if CC is None:
        pytest.skip("no C compiler to build the venv's extension module")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "1"\n')
    client = await start("neovim", tmp_path)  # Neovim 0.11 pulls diagnostics
    try:
        s = Session(client, tmp_path / "pyproject.toml").open()
        first = await client.text_document_diagnostic_async(
            lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=s.uri)))
        assert [d for d in first.items if d.code == "venv-missing-library"] == []
        make_venv(tmp_path)  # the venv appears after the first report: libz.so.1 needed
        # the command returns when the scan is done (this profile has no refresh support)
        await client.workspace_execute_command_async(lsp.ExecuteCommandParams(command="pep725.rescanVirtualenv"))
        second = await client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(
            text_document=lsp.TextDocumentIdentifier(uri=s.uri), previous_result_id=first.result_id))
        assert second.kind == "full", second
        assert any(d.code == "venv-missing-library" and "libz.so.1" in d.message for d in second.items)
        third = await client.text_document_diagnostic_async(lsp.DocumentDiagnosticParams(
            text_document=lsp.TextDocumentIdentifier(uri=s.uri), previous_result_id=second.result_id))
        assert third.kind == "unchanged"  # and nothing new: the id is stable
    finally:
        await client.shutdown_session()
        await client.stop()


@pytest.mark.nix
@pytest.mark.asyncio
async def test_live_nixpkgs_data_reaches_pushed_diagnostics(tmp_path):
    """After the background refresh from the user's nix, the re-published diagnostics used
    the analyses cached before it: a version mismatch with live data stayed hidden until the
    next edit. The vendored data has libpq 18.2; the fixture nixpkgs has 17.2."""
    real_nix, why = debian_tool("nix-env", "nix-bin")
    if real_nix is None:
        pytest.skip(why)
    (tmp_path / "pyproject.toml").write_text('[external]\nhost-requires = ["dep:generic/libpq@>=18"]\n')
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), **{nix_live.NIXPKGS_ENV: str(FIXTURE_NIX)})
    client = await start("visual-studio-code", tmp_path, {"nix": {"source": "nix-env", "timeout": 60}}, env)
    try:
        s = Session(client, tmp_path / "pyproject.toml").open()
        before = await s.diagnostics()
        assert [d for d in before if d.code == "nixpkgs-version-mismatch"] == []

        def mismatch() -> bool:
            return any(d.code == "nixpkgs-version-mismatch" and "17.2" in d.message
                       for d in client.diagnostics.get(s.uri, []))

        await until(mismatch, 90)  # no edit in between
    finally:
        await client.shutdown_session()
        await client.stop()
