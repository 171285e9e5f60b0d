"""What a user does to cure a virtualenv with pep725-ls: the editor's source action (the real
server over stdio) or ``check --venv --fix``, then ``nix shell``.

The same flow as test_nixos_cure.py's helpers, in a module of its own: a test module cannot
be imported by name here (tests/test_nixos_cure.py has the same basename).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tomllib
from pathlib import Path

from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, client_capabilities

from conftest import SERVER, Session, accept_registrations, workspace_edits


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pep725_ls", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


async def fix_with_editor(pyproject: Path) -> list[str]:
    """Open pyproject.toml in the real server, wait for its virtualenv scan, apply
    "Add all missing external dependencies" to the text and save it. Returns the messages
    of the venv-missing-library diagnostics."""
    client = await ClientServerConfig(server_command=SERVER).start()
    accept_registrations(client)
    try:
        await client.initialize_session(lsp.InitializeParams(
            capabilities=client_capabilities("visual-studio-code"), root_uri=pyproject.parent.as_uri()))
        s = Session(client, pyproject).open()
        deadline = asyncio.get_running_loop().time() + 120
        while not (found := [d for d in await s.diagnostics(timeout=120) if d.code == "venv-missing-library"]):
            assert asyncio.get_running_loop().time() < deadline, "no venv-missing-library diagnostic"
            client.diagnostics.pop(s.uri, None)
            await asyncio.sleep(0.2)
        everything = lsp.Range(lsp.Position(0, 0), lsp.Position(len(s.text.splitlines()) + 1, 0))
        [action] = await s.code_actions(everything, only=["source.addMissing.pep725"])
        assert action.title.startswith("Add all missing external dependencies")
        pyproject.write_text(s.apply(workspace_edits(action.edit, s.uri)))
        await client.shutdown_session()
        return [d.message for d in found]
    finally:
        await client.stop()


def fix_with_cli(project: Path, venv: Path) -> list[str]:
    """``check --venv`` (returns the venv-missing-library lines it prints), then the same
    with ``--fix``."""
    seen = cli("check", "--venv", str(venv), "pyproject.toml", cwd=project)
    assert seen.returncode in (0, 1), seen.stderr
    r = cli("check", "--venv", str(venv), "--fix", "pyproject.toml", cwd=project)
    assert r.returncode in (0, 1), r.stderr
    return [line for line in seen.stdout.splitlines() if " venv-missing-library " in line]


async def ask_pep725_ls(route: str, project: Path, venv: Path) -> tuple[Path, list[str]]:
    """pep725-ls adds the missing DepURLs, then writes shell.nix. Returns shell.nix and what
    pep725-ls said about the virtualenv."""
    before = (project / "pyproject.toml").read_text()
    said = await fix_with_editor(project / "pyproject.toml") if route == "editor" else fix_with_cli(project, venv)
    after = (project / "pyproject.toml").read_text()
    assert after.startswith(before.rstrip("\n")), "the fix rewrote the user's text"
    assert tomllib.loads(after).get("external"), f"no [external] table was added:\n{after}"
    r = cli("nix", "shell", "-o", "shell.nix", cwd=project)
    assert r.returncode == 0, r.stderr
    return project / "shell.nix", said
