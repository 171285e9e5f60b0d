"""pep725-ls installed as users install tools: the wheel into a clean venv, and every pipx / uv /
uvx / pip command of docs/install.md run as written, each in an empty home."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from conftest import WORKSPACES
from pep725_ls import __version__

REPO = Path(__file__).resolve().parents[1]
INSTALL_MD = (REPO / "docs" / "install.md").read_text("utf-8")
WHEEL_NAME = f"pep725_ls-{__version__}-py3-none-any.whl"
CLEAN = WORKSPACES / "core/clean/pyproject.toml"
DRAFT_FORMS = REPO / "examples/draft-forms/pyproject.toml"


def doc_commands(section: str) -> list[str]:
    """The command lines of the ```sh blocks under ``## section`` of docs/install.md."""
    body = INSTALL_MD.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", body, re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


COMMANDS = doc_commands("As a command-line tool: pipx, uv, pip")


# A clean install sees nothing of the test run's Python set-up (a PYTHONPATH reaching this
# checkout would make pip think pep725-ls is already installed).
CLEAN_ENV = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON", "UV_", "PIPX_"))}


def run(cmd, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("env", CLEAN_ENV)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kwargs)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel as release.sh builds it: ``python -m build``, the sdist, then the wheel from it."""
    out = tmp_path_factory.mktemp("dist")
    r = run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)])
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    path = out / WHEEL_NAME
    assert path.is_file(), sorted(p.name for p in out.iterdir())
    return path


@pytest.fixture(scope="module")
def tools(tmp_path_factory) -> Path:
    """The bin folder of a venv of its own holding pipx and uv from PyPI (not the test venv)."""
    venv = tmp_path_factory.mktemp("tools") / "venv"
    assert run([sys.executable, "-m", "venv", str(venv)]).returncode == 0
    r = run([venv / "bin" / "pip", "install", "--quiet", "--disable-pip-version-check", "pipx", "uv"])
    if r.returncode != 0:
        pytest.skip(f"pipx and uv could not be installed from PyPI: {r.stderr[-2000:]}")
    return venv / "bin"


def test_sdist_and_wheel_hold_no_bytecode(wheel):
    with zipfile.ZipFile(wheel) as z:
        in_wheel = z.namelist()
    with tarfile.open(wheel.with_name(f"pep725_ls-{__version__}.tar.gz")) as t:
        in_sdist = t.getnames()
    assert "pep725_ls/data/nixpkgs/attrs.tsv" in in_wheel
    assert not [n for n in in_wheel + in_sdist if "__pycache__" in n or n.endswith(".pyc")]


def test_wheel_in_a_clean_venv_checks_a_file(wheel, tmp_path):
    venv = tmp_path / "venv"
    assert run([sys.executable, "-m", "venv", str(venv)]).returncode == 0
    install = run([venv / "bin" / "pip", "install", "--quiet", str(wheel)])
    assert install.returncode == 0, install.stderr[-3000:]
    exe = venv / "bin" / "pep725-ls"
    assert run([exe, "--version"]).stdout == f"pep725-ls {__version__}\n"
    # Code and data both came with the wheel: the registry (unknown-name) and the fixes.
    found = run([exe, "check", "--format", "json", str(DRAFT_FORMS)], cwd=tmp_path)
    assert found.returncode == 1
    assert [(f["line"], f["column"], f["code"]) for f in json.loads(found.stdout)] == [
        (9, 20, "legacy-depurl"), (9, 46, "unknown-name"), (10, 19, "legacy-depurl"),
        (10, 61, "unsupported-version-operator")]
    clean = run([exe, "check", str(CLEAN)], cwd=tmp_path)
    assert clean.returncode == 0 and clean.stderr == "All checks passed!\n"
    server = run([exe], stdin=subprocess.DEVNULL)
    assert server.returncode == 0 and "Traceback" not in server.stderr


def test_install_md_lists_checkout_and_wheel_commands():
    assert COMMANDS == [
        "pipx install ./pep725-ls",
        "uv tool install ./pep725-ls",
        "uvx --from ./pep725-ls pep725-ls check pyproject.toml",
        "python3 -m venv .venv && .venv/bin/pip install ./pep725-ls",
        f"pipx install dist/{WHEEL_NAME}",
        f"uv tool install dist/{WHEEL_NAME}",
        f"uvx --from dist/{WHEEL_NAME} pep725-ls check pyproject.toml",
    ]


@pytest.mark.parametrize("command", COMMANDS)
def test_install_md_command_as_written(command, wheel, tools, tmp_path):
    # The folder a user runs it in: the checkout as ./pep725-ls, a dist/ with the wheel, their
    # project's pyproject.toml; and a home of their own, so nothing installed before counts.
    (tmp_path / "pep725-ls").symlink_to(REPO)
    (tmp_path / "dist").mkdir()
    shutil.copy(wheel, tmp_path / "dist")
    shutil.copy(CLEAN, tmp_path / "pyproject.toml")
    home = tmp_path / "home"
    bin_dir = home / ".local" / "bin"
    python_bin = Path(sys._base_executable).parent  # a python3 without the test venv's packages
    env = {
        **CLEAN_ENV,
        "HOME": str(home), "XDG_DATA_HOME": str(home / ".local" / "share"),
        # python3 before the tools' venv (which has one too): the user's Python makes .venv
        "PATH": os.pathsep.join([str(python_bin), str(tools), "/usr/bin", "/bin"]),
        # uv's downloads cache is shared between the tests, not its tool folders
        "UV_CACHE_DIR": str(Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "uv"),
    }
    r = run(["bash", "-c", command], cwd=tmp_path, env=env)
    assert r.returncode == 0, f"{command}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    if command.startswith("uvx "):  # ran pep725-ls check on the clean pyproject.toml
        assert r.stderr.endswith("All checks passed!\n"), r.stderr[-2000:]
    else:  # pipx and uv tool install put it in ~/.local/bin; pip into the venv's bin
        installed = tmp_path / ".venv/bin/pep725-ls" if ".venv/bin/pip" in command else bin_dir / "pep725-ls"
        version = run([installed, "--version"], env={"PATH": "/usr/bin:/bin"})
        assert version.stdout == f"pep725-ls {__version__}\n", version.stderr
