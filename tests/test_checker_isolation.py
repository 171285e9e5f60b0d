"""A bug in one check costs its findings only (issue 18): the others still report, and
one internal-error finding says which check failed, the same in the editor and the CLI.

The bug is injected into the real server and the real CLI at start-up (a sitecustomize on
PYTHONPATH replaces the nixpkgs check by one that raises after its first finding)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, client_capabilities

from conftest import SERVER, Session, accept_registrations

PYPROJECT = '[external]\nhost-requires = ["pkg:generic/zlib", "dep:generic/libpq@>=99", "dep:generic/openssl@>=99"]\n'
BROKEN_CHECK = '''
import pep725_ls.checks.nixpkgs as checked

_real = checked.check

def check(doc, index):
    for finding in _real(doc, index):
        yield finding
        raise KeyError("injected")

checked.check = check
'''


def injected_env(tmp_path: Path) -> dict[str, str]:
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(BROKEN_CHECK)
    return dict(os.environ, PYTHONPATH=str(hook))


def test_cli_reports_the_failed_check_and_the_others(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    r = subprocess.run([sys.executable, "-m", "pep725_ls", "check", "--format", "json"], cwd=tmp_path,
                       env=injected_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    codes = [row["code"] for row in json.loads(r.stdout)]
    assert "legacy-depurl" in codes  # external_table, before the broken check
    assert codes.count("nixpkgs-version-mismatch") == 1  # its first finding is kept
    [internal] = [row for row in json.loads(r.stdout) if row["code"] == "internal-error"]
    assert "nixpkgs check failed (KeyError" in internal["message"]


@pytest.mark.asyncio
async def test_editor_reports_the_failed_check_and_the_others(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    client = await ClientServerConfig(server_command=SERVER, server_env=injected_env(tmp_path)).start()
    accept_registrations(client)
    try:
        await client.initialize_session(lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"), root_uri=tmp_path.as_uri()))
        diagnostics = await Session(client, tmp_path / "pyproject.toml").open().diagnostics()
        codes = [d.code for d in diagnostics]
        assert "legacy-depurl" in codes and codes.count("nixpkgs-version-mismatch") == 1
        assert any(d.code == "internal-error" and "nixpkgs check failed" in d.message for d in diagnostics)
    finally:
        await client.shutdown_session()
        await client.stop()
