"""The Emacs eglot setup from docs/editors.md, in Debian 12's Emacs 28.2 with elpa-eglot 1.9."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .installers import WORKSPACE, apt_install

pytestmark = pytest.mark.editors

CHECK = Path(__file__).parent / "emacs" / "eglot_check.el"


@pytest.fixture(scope="session")
def emacs() -> Path:
    if not shutil.which("emacs") or not list(Path("/usr/share/emacs/site-lisp/elpa").glob("eglot-*")):
        apt_install(["emacs-nox", "elpa-eglot"])
    return Path(shutil.which("emacs"))


def test_eglot(tmp_path: Path, emacs: Path, pep725_ls: Path) -> None:
    workspace = tmp_path / "ws"
    shutil.copytree(WORKSPACE, workspace)
    env = {**os.environ, "HOME": str(tmp_path / "home"), "PEP725_LS": str(pep725_ls)}
    # -q: no user init file, but Debian's site-start, which activates the elpa-* packages.
    proc = subprocess.run([str(emacs), "--batch", "-q", "-l", str(CHECK)], cwd=workspace, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180)
    print(proc.stdout, proc.stderr[-4000:], sep="\n")
    assert proc.returncode == 0, f"emacs exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr[-4000:]}"
    assert "ALL OK" in proc.stdout


def test_docs_show_the_tested_setup() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "editors.md").read_text()
    check = CHECK.read_text()
    start = check.index("(setq-default eglot-workspace-configuration")
    tested = check[start:check.index(";; --- end of the documented setup ---")].strip()
    assert tested in docs
