"""What the editor tests run and install: setup commands, Debian packages, and where things are."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EDITORS = REPO / "editors"
WORKSPACE = REPO / "tests" / "workspaces" / "editors"
NEOVIM_VERSION = "0.11.4"


def run(cmd: list[str], *, timeout: float, cwd: Path | None = None, env: dict | None = None) -> str:
    """Run a setup command; on failure show its output in the test report."""
    started = time.monotonic()
    proc = subprocess.run(
        cmd, cwd=cwd, env=env, timeout=timeout, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    elapsed = time.monotonic() - started
    print(f"$ {' '.join(map(str, cmd))}  ({elapsed:.1f}s, exit {proc.returncode})")
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{proc.stdout[-6000:]}", pytrace=False)
    return proc.stdout


def apt_install(packages: list[str]) -> None:
    """Install Debian packages, as CI does on a fresh machine; skip if we may not (not root)."""
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip(f"needs {' '.join(packages)}: install them, or run as root on Debian to let the test do it")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages]
    if subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True).returncode != 0:
        run(["apt-get", "update", "-q"], timeout=600, env=env)
        run(cmd, timeout=1200, env=env)
