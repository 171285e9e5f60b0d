"""The advice in docs/editors.md for running pep725-ls next to Tombi or taplo (Even Better TOML)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .installers import WORKSPACE, run

pytestmark = pytest.mark.editors

TOMBI, TAPLO = "tombi==1.9.6", "taplo==0.9.3"
TOMBI_DIRECTIVE = "  # tombi: lint.rules.key-not-allowed.disabled = true"
TAPLO_RULE = '[[rule]]\ninclude = ["**/pyproject.toml"]\n\n[rule.schema]\nenabled = false\n'


@pytest.fixture(scope="session")
def toml_tools(cache_dir: Path) -> Path:
    """bin/ with tombi and taplo from PyPI, installed into the cache (not the test venv)."""
    target = cache_dir / f"toml-tools-{TOMBI}-{TAPLO}".replace("==", "-")
    if not (target / "bin" / "tombi").exists() or not (target / "bin" / "taplo").exists():
        run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--target", str(target), TOMBI, TAPLO], timeout=600)
    return target / "bin"


def lint(tool: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "XDG_CACHE_HOME": str(cwd / ".cache")}
    return subprocess.run([str(tool), "lint", *args], cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(WORKSPACE, ws)
    return ws


def test_tombi_directive_silences_only_external(toml_tools: Path, project: Path) -> None:
    pyproject = project / "pyproject.toml"
    before = lint(toml_tools / "tombi", "--offline", "pyproject.toml", cwd=project)
    assert before.returncode != 0 and '"external" is not allowed' in before.stdout + before.stderr

    text = pyproject.read_text().replace("[external]\n", "[external]" + TOMBI_DIRECTIVE + "\n")
    pyproject.write_text(text)
    after = lint(toml_tools / "tombi", "--offline", "pyproject.toml", cwd=project)
    assert after.returncode == 0, after.stdout + after.stderr

    pyproject.write_text(text + "\n[bogus]\nx = 1\n")
    other = lint(toml_tools / "tombi", "--offline", "pyproject.toml", cwd=project)
    assert other.returncode != 0 and '"bogus" is not allowed' in other.stdout + other.stderr


def test_taplo_rule_turns_the_schema_off_for_pyproject(toml_tools: Path, project: Path) -> None:
    # Stand-in for SchemaStore's pyproject.json (taplo would fetch it; CI has no network): the
    # same closed top level.
    stand_in = {"type": "object", "additionalProperties": False,
                "properties": {k: {"type": "object"} for k in ("build-system", "project", "dependency-groups", "tool")}}
    (project / "pyproject-schema.json").write_text(json.dumps(stand_in))
    config = '[schema]\npath = "pyproject-schema.json"\n'
    (project / ".taplo.toml").write_text(config)
    before = lint(toml_tools / "taplo", "pyproject.toml", cwd=project)
    assert before.returncode != 0 and "'external' was unexpected" in before.stdout + before.stderr

    (project / ".taplo.toml").write_text(config + "\n" + TAPLO_RULE)
    after = lint(toml_tools / "taplo", "pyproject.toml", cwd=project)
    assert after.returncode == 0, after.stdout + after.stderr


def test_docs_show_the_tested_snippets() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "editors.md").read_text()
    assert "[external]" + TOMBI_DIRECTIVE in docs
    assert TAPLO_RULE in docs
