"""The NixOS cure, end to end, on real packages: a virtualenv whose import fails in the
NixOS view; pep725-ls asked through the editor (the real server over stdio, its source
action applied to the text) or the CLI (``check --venv --fix``); ``nix shell`` writes
shell.nix; its LD_LIBRARY_PATH is evaluated by the real nix-instantiate against the fake
nixpkgs, whose store folders hold Debian's copies of what nix-index says they ship; and the
import works in the view with it."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

import cure_flow
from cure_flow import cli
from harness import (debian_packages, fake_nixpkgs_dir, make_venv, needed_from_system, nix_eval, nix_eval_file,
                     populate_store, view, wheel)

pytestmark = pytest.mark.nixos  # async tests run under asyncio_mode = "auto"
PROJECTS = Path(__file__).parent / "projects"


@dataclass(frozen=True)
class Case:
    name: str
    version: str
    from_source: bool
    check: str  # Python code that imports the package and uses its native code
    build_tools: tuple[str, ...] = ()  # programs the sdist's build runs (psycopg2's setup.py runs pg_config)
    debian: tuple[tuple[str, str], ...] = ()  # (program, package): what building it here needs


CASES = {
    "numpy": Case("numpy", "2.2.6", False, "import numpy; print(numpy.linalg.inv(numpy.eye(2)).sum())"),
    "psycopg2": Case("psycopg2", "2.9.10", True, "import psycopg2; print(psycopg2.__libpq_version__)", ("pg_config",),
                     (("pg_config", "libpq-dev"),)),
    "lxml": Case("lxml", "5.3.0", True, "from lxml import etree; print(etree.LIBXML_VERSION, etree.XSLT)",
                 debian=(("xml2-config", "libxml2-dev"), ("xslt-config", "libxslt1-dev"))),
}


def prepare(case: Case, tmp_path: Path) -> tuple[Path, Path, dict[str, Path]]:
    """The project folder and its virtualenv; what the venv needs from the system; the
    import works outside the view and fails inside it."""
    debian_packages(case.debian)
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(PROJECTS / case.name / "pyproject.toml", project / "pyproject.toml")
    venv = make_venv(project, wheel(case.name, case.version, case.from_source))
    needs = needed_from_system(venv, view().glibc_sonames)
    assert needs, "the virtualenv needs nothing from the system: not a NixOS case"
    python = str(venv / "bin" / "python")
    outside = subprocess.run([python, "-c", case.check], capture_output=True, text=True)
    assert outside.returncode == 0, outside.stderr
    inside = view().run([python, "-c", case.check])
    assert inside.returncode != 0
    assert any(f"{soname}: cannot open shared object file" in inside.stderr for soname in needs), inside.stderr
    return project, venv, needs


async def ask_pep725_ls(route: str, project: Path, venv: Path) -> Path:
    """pep725-ls adds the missing DepURLs (cure_flow.py), then writes shell.nix; and what it
    added, it does not flag itself."""
    shell, _ = await cure_flow.ask_pep725_ls(route, project, venv)
    again = cli("check", "--venv", str(venv), "--format", "json", "pyproject.toml", cwd=project)
    assert (again.returncode, json.loads(again.stdout)) == (0, []), f"{again.stdout}\n{(project / 'pyproject.toml').read_text()}"
    return shell


def shell_path(shell: Path) -> list[str]:
    """The bin folders a nix-shell of ``shell`` puts on PATH (every output of its inputs)."""
    return nix_eval(f"""
      let s = import {shell} {{ pkgs = import {fake_nixpkgs_dir()} {{ }}; }}; in
      builtins.concatMap (p: map (o: "${{p.${{o}}}}/bin") p.outputs) (s.nativeBuildInputs ++ s.buildInputs)""")


CURE = [
    pytest.param("numpy", "editor"),
    pytest.param("numpy", "cli"),
    pytest.param("psycopg2", "editor"),
    pytest.param("psycopg2", "cli"),
    pytest.param("lxml", "editor"),
    pytest.param("lxml", "cli"),
]


@pytest.mark.parametrize("name, route", CURE)
async def test_the_import_works_in_the_nixos_view_after_the_pep725_ls_flow(name, route, tmp_path):
    case = CASES[name]
    project, venv, needs = prepare(case, tmp_path)
    shell = await ask_pep725_ls(route, project, venv)
    ld_library_path = nix_eval_file(shell, "LD_LIBRARY_PATH")
    populate_store({f"lib/{soname}": path for soname, path in needs.items()}, view())
    r = view().run([str(venv / "bin" / "python"), "-c", case.check], env={"LD_LIBRARY_PATH": ld_library_path})
    assert r.returncode == 0, f"LD_LIBRARY_PATH={ld_library_path}\n{r.stderr[-600:]}\n{shell.read_text()}"


@pytest.mark.parametrize("name", [n for n, c in CASES.items() if c.build_tools])
async def test_the_shell_provides_the_build_tools_of_a_source_build(name, tmp_path):
    case = CASES[name]
    project, venv, _ = prepare(case, tmp_path)
    shell = await ask_pep725_ls("editor", project, venv)
    tools = {f"bin/{tool}": Path(shutil.which(tool)) for tool in case.build_tools}
    populate_store(tools, view())
    path = ":".join(shell_path(shell))
    store = str(fake_nixpkgs_dir().parent / "store")
    for tool in case.build_tools:
        found = shutil.which(tool, path=path)
        assert found and found.startswith(store), f"{tool} is not on the shell's PATH:\n{shell.read_text()}"


# What a correct shell holds for each case (the attribute paths in nixpkgs that ship the
# libraries and tools), written by hand from nixpkgs facts: the control that shows the view
# and the fake store cure each case when a shell is right, whatever pep725-ls says today.
CORRECT_SHELLS = {
    # libstdc++.so.6 and libgcc_s.so.1 are in gcc's lib output (stdenv.cc.cc.lib, overlay.nix)
    "numpy": ("[ pkgs.zlib pkgs.stdenv.cc.cc.lib ]", "[ ]"),
    # pg_config is libpq's passthru derivation (overlay.nix)
    "psycopg2": ("[ pkgs.libpq ]", "[ pkgs.libpq.pg_config ]"),
    # Debian's lxml build links libxml2.so.2: nixpkgs ships that soname in libxml2_13 only
    "lxml": ("[ pkgs.libxml2_13 pkgs.libxslt ]", "[ ]"),
}


@pytest.mark.parametrize("name", sorted(CORRECT_SHELLS))
def test_a_correct_shell_cures_the_case_in_the_view(name, tmp_path):
    case = CASES[name]
    _, venv, needs = prepare(case, tmp_path)
    libraries, tools = CORRECT_SHELLS[name]
    shell = tmp_path / "shell.nix"
    shell.write_text(f"{{ pkgs }}: pkgs.mkShell {{ nativeBuildInputs = {tools}; "
                     f"LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath {libraries}; }}\n")
    populate_store({f"lib/{soname}": path for soname, path in needs.items()}
                   | {f"bin/{tool}": Path(shutil.which(tool)) for tool in case.build_tools}, view())
    r = view().run([str(venv / "bin" / "python"), "-c", case.check],
                   env={"LD_LIBRARY_PATH": nix_eval_file(shell, "LD_LIBRARY_PATH")})
    assert r.returncode == 0, r.stderr[-600:]
    path = ":".join(shell_path(shell))
    for tool in case.build_tools:
        assert (shutil.which(tool, path=path) or "").startswith(str(fake_nixpkgs_dir().parent / "store"))
