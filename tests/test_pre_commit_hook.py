"""The pre-commit hook, run by the real pre-commit against this repository (try-repo)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import WORKSPACES

REPO = Path(__file__).resolve().parents[1]


def git(*args, cwd):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_hook_flags_legacy_forms_and_passes_clean_files(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(WORKSPACES / "core/legacy-depurl/pyproject.toml", project / "pyproject.toml")
    git("init", "-q", cwd=project)
    git("add", "pyproject.toml", cwd=project)
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "cache"), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@t")
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "pep725-ls", "--all-files"]
    failed = subprocess.run(pre_commit, cwd=project, capture_output=True, text=True, env=env, timeout=600)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "legacy-depurl" in failed.stdout
    shutil.copy(WORKSPACES / "core/clean/pyproject.toml", project / "pyproject.toml")
    git("add", "pyproject.toml", cwd=project)
    passed = subprocess.run(pre_commit, cwd=project, capture_output=True, text=True, env=env, timeout=600)
    assert passed.returncode == 0, passed.stdout + passed.stderr
