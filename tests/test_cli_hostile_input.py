"""The CLI on hostile pyproject.toml files: a clear error and exit status 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest

NESTED = {
    "arrays": "[external]\nhost-requires = " + "[" * 3000 + "]" * 3000 + "\n",
    "inline-tables": "[external]\nhost-requires = " + "{a=" * 3000 + "1" + "}" * 3000 + "\n",
}
COMMANDS = [["nix", "shell"], ["nix", "shell", "--flake"], ["nix", "install-command"], ["install-command", "--ecosystem", "debian"]]


@pytest.mark.parametrize("shape", NESTED)
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_deeply_nested_toml_is_a_clear_error(tmp_path, shape, command):
    """tomllib recurses per nesting level: these printed a RecursionError traceback, exit 1."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1"\n' + NESTED[shape])
    run = subprocess.run([sys.executable, "-m", "pep725_ls", *command, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr[-500:]
    assert "Traceback" not in run.stderr and "nests arrays or tables too deeply" in run.stderr, run.stderr[-500:]
    assert run.stdout == ""
