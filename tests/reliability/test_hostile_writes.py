"""Writes never follow a planted link out of the project (issue 17, H1).

A cloned repository can commit symlinks: one at the temporary name a writer would use
(``.pyproject.toml.pep725-ls.tmp -> ~/.bashrc``), or ``pyproject.toml``/``shell.nix``
themselves pointing outside. Each writer is run for real (the CLI as a subprocess, the
server's shell-generation command over stdio) against such a repository, with a "home"
file the attacker targets; it must stay byte-identical.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types as lsp

from conftest import Session
from pep725_ls.file_writes import RefusedWrite, write_project_file

LEGACY = '[project]\nname = "victim"\nversion = "1"\n\n[external]\nhost-requires = ["pkg:generic/zlib"]\n'
FIXED = LEGACY.replace("pkg:generic/zlib", "dep:generic/zlib")
HOME_TEXT = "# the user's own file\nexport PATH=$HOME/bin:$PATH\n"


def pep725_ls(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pep725_ls", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """(a cloned repository, the user's file it targets)."""
    home = tmp_path / "home"
    home.mkdir()
    target = home / ".bashrc"
    target.write_text(HOME_TEXT)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".git").mkdir()
    return repo, target


def planted_temp_links(folder: Path, name: str, target: Path) -> None:
    """Links at every temporary name pep725-ls used or a guess would use."""
    for tmp in (f".{name}.pep725-ls.tmp", f".{name}.tmp", f"{name}.tmp", f".{name}.swp"):
        (folder / tmp).symlink_to(target)


def test_check_fix_ignores_a_planted_temp_link(hostile):
    repo, home_file = hostile
    (repo / "pyproject.toml").write_text(LEGACY)
    planted_temp_links(repo, "pyproject.toml", home_file)
    result = pep725_ls("check", "--fix", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert home_file.read_text() == HOME_TEXT
    assert (repo / "pyproject.toml").read_text() == FIXED
    assert os.path.islink(repo / ".pyproject.toml.pep725-ls.tmp")  # left as committed
    assert sorted(p.name for p in repo.iterdir() if p.name.endswith(".pep725-ls.tmp") and not p.is_symlink()) == []


def test_check_fix_writes_through_a_link_inside_the_project(hostile):
    repo, _ = hostile
    (repo / "config").mkdir()
    real = repo / "config" / "pyproject.toml"
    real.write_text(LEGACY)
    os.chmod(real, 0o640)
    if os.geteuid() == 0:
        os.chown(real, 1234, 4321)
    (repo / "pyproject.toml").symlink_to("config/pyproject.toml")
    result = pep725_ls("check", "--fix", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert os.path.islink(repo / "pyproject.toml") and os.readlink(repo / "pyproject.toml") == "config/pyproject.toml"
    assert real.read_text() == FIXED
    st = os.stat(real)
    assert stat.S_IMODE(st.st_mode) == 0o640
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (1234, 4321)


def test_check_fix_refuses_a_link_out_of_the_project(hostile):
    repo, home_file = hostile
    home_file.write_text(LEGACY)  # a file outside that would even be "fixable"
    (repo / "pyproject.toml").symlink_to(home_file)
    result = pep725_ls("check", "--fix", cwd=repo)
    assert result.returncode == 2
    assert "outside the project" in result.stderr
    assert home_file.read_text() == LEGACY
    assert os.path.islink(repo / "pyproject.toml")


def test_nix_shell_output_never_follows_planted_links(hostile):
    repo, home_file = hostile
    (repo / "pyproject.toml").write_text(FIXED)
    planted_temp_links(repo, "shell.nix", home_file)
    assert pep725_ls("nix", "shell", "-o", "shell.nix", cwd=repo).returncode == 0
    assert home_file.read_text() == HOME_TEXT
    assert "pkgs.mkShell" in (repo / "shell.nix").read_text()

    (repo / "shell.nix").unlink()
    (repo / "shell.nix").symlink_to(home_file)  # an existing link: refused even with --force
    result = pep725_ls("nix", "shell", "-o", "shell.nix", cwd=repo)
    assert result.returncode == 2 and "exists" in result.stderr
    result = pep725_ls("nix", "shell", "-o", "shell.nix", "--force", cwd=repo)
    assert result.returncode == 2 and "outside the project" in result.stderr
    assert home_file.read_text() == HOME_TEXT

    (repo / "shell.nix").unlink()
    (repo / "shell.nix").symlink_to(home_file.parent / "not-yet-there")  # dangling
    result = pep725_ls("nix", "shell", "-o", "shell.nix", "--force", cwd=repo)
    assert result.returncode == 2
    assert not (home_file.parent / "not-yet-there").exists()


@pytest.mark.asyncio
async def test_server_shell_generation_never_follows_planted_links(client, hostile):
    repo, home_file = hostile
    (repo / "pyproject.toml").write_text(FIXED)
    planted_temp_links(repo, "shell.nix", home_file)
    (repo / "shell.nix").symlink_to(home_file)
    @client.feature(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
    def show_message_request(params: lsp.ShowMessageRequestParams):
        return lsp.MessageActionItem(title="Replace")

    s = Session(client, repo / "pyproject.toml").open()
    await s.diagnostics()
    actions = await s.code_actions(lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)),
                                   only=["source.generateShellNix.pep725"])
    assert actions == []  # not offered: the write would leave the project
    await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command="pep725.generateShellNix", arguments=[s.uri]))
    assert home_file.read_text() == HOME_TEXT
    shown = [m.message for m in client.messages]  # pytest-lsp records window/showMessage
    assert any("outside the project" in m for m in shown), shown

    client.applied = []

    @client.feature(lsp.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: lsp.ApplyWorkspaceEditParams):
        client.applied.append(params.edit)
        return lsp.ApplyWorkspaceEditResult(applied=False)

    (repo / "shell.nix").unlink()  # now only the temp-name links are left: written in place
    await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command="pep725.generateShellNix", arguments=[s.uri]))
    assert home_file.read_text() == HOME_TEXT
    if not client.applied:  # a client without CreateFile: the server wrote the file itself
        assert "pkgs.mkShell" in (repo / "shell.nix").read_text()
        assert not (repo / "shell.nix").is_symlink()


def test_new_file_mode_follows_the_umask(tmp_path):
    old = os.umask(0o027)
    try:
        written = write_project_file(tmp_path / "shell.nix", b"{ }\n", root=tmp_path)
    finally:
        os.umask(old)
    assert written == tmp_path / "shell.nix"
    assert stat.S_IMODE(os.stat(written).st_mode) == 0o640


def test_refuses_to_replace_what_is_not_a_file(tmp_path):
    (tmp_path / "shell.nix").mkdir()
    with pytest.raises(RefusedWrite):
        write_project_file(tmp_path / "shell.nix", b"x", root=tmp_path)
    assert (tmp_path / "shell.nix").is_dir() and list(tmp_path.iterdir()) == [tmp_path / "shell.nix"]
