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


@pytest.mark.out_of_process
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


@pytest.mark.out_of_process
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


# -- the same rule in process: exact finding, log line, and what still runs ---------------
def test_a_failing_checker_in_process(monkeypatch, caplog):
    import pep725_ls.checks.nixpkgs as nixpkgs_check
    from pep725_ls.checks import INTERNAL_ERROR, run_checks
    from pep725_ls.data_index import default_index
    from pep725_ls.document import PyprojectDocument

    real = nixpkgs_check.check

    def broken(doc, index):
        for finding in real(doc, index):
            yield finding
            raise KeyError("injected")

    monkeypatch.setattr(nixpkgs_check, "check", broken)
    with caplog.at_level("ERROR", logger="pep725_ls.checks"):
        found = run_checks(PyprojectDocument(PYPROJECT + '[build-system]\nrequires = ["maturin"]\n'), default_index())
    codes = [f.code for f in found]
    # the checks before it, what it found before it failed, the internal error, the checks after it
    assert codes == ["legacy-depurl", "nixpkgs-version-mismatch", INTERNAL_ERROR, "missing-build-tool"]
    error = found[2]
    assert error.message == ("pep725-ls: the nixpkgs check failed (KeyError: 'injected'); the other checks "
                             "still ran. Please report this with the file.")
    assert (error.start, error.end, error.data) == (0, 0, {"checker": "nixpkgs"})
    assert [r.getMessage() for r in caplog.records] == ["the nixpkgs check failed"]
    assert caplog.records[0].exc_info is not None


def test_a_failing_context_checker_gets_its_context(monkeypatch):
    import pep725_ls.checks.virtualenv_libraries as venv_check
    from pep725_ls.checks import CheckContext, run_checks
    from pep725_ls.data_index import default_index
    from pep725_ls.document import PyprojectDocument

    seen = []
    monkeypatch.setattr(venv_check, "check", lambda doc, index, context: seen.append(context) or iter(()))
    context = CheckContext(install="source")
    run_checks(PyprojectDocument(PYPROJECT), default_index(), context)
    assert seen == [context]
