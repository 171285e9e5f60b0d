"""The cure for a virtualenv on NixOS, from the CLI (issue 12): real ELF files built here,
``check --venv --fix``, then the shell, evaluated by the real nix-instantiate.

The whole flow inside a NixOS view of this machine, with real PyPI packages, is in
tests/nixos/; these tests pin the product's answers on small real binaries.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from elf_fixtures import CC, build_shared

FIXTURE = Path(__file__).parent / "workspaces" / "nix-shell" / "fixture-pkgs.nix"
CXX_SOURCE = '#include <string>\nextern "C" unsigned long demo(const char *s) { return std::string(s).size(); }\n'


def cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pep725_ls", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def venv_with(project: Path) -> Path:
    venv = project / ".venv"
    site = venv / "lib/python3.11/site-packages"
    site.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n")
    return site


@pytest.fixture
def cxx_project(tmp_path: Path) -> Path:
    """A wheel-like C++ extension: needs libstdc++.so.6 (and libgcc_s.so.1) from the system,
    as numpy's, pandas' and grpcio's wheels do (the manylinux policy lets them)."""
    gxx = shutil.which("g++")
    if gxx is None:
        pytest.skip("g++ is not installed")
    site = venv_with(tmp_path)
    out = site / "fastthing/_core.cpython-311-x86_64-linux-gnu.so"
    out.parent.mkdir(parents=True)
    (tmp_path / "core.cpp").write_text(CXX_SOURCE)
    subprocess.run([gxx, "-shared", "-fPIC", "-o", str(out), str(tmp_path / "core.cpp"),
                    "-Wl,--no-as-needed", "-lstdc++", "-lgcc_s"], check=True)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "1"\ndependencies = ["fastthing"]\n')
    return tmp_path


def test_libstdcxx_is_declared_as_the_compiler_runtime(cxx_project):
    found = cli("check", "--venv", ".venv", "--format", "json", cwd=cxx_project)
    assert found.returncode == 1, found.stderr
    messages = {r["code"]: r["message"] for r in json.loads(found.stdout)}
    assert "dep:virtual/compiler/cxx" in messages["venv-missing-library"]

    fixed = cli("check", "--venv", ".venv", "--fix", cwd=cxx_project)
    text = (cxx_project / "pyproject.toml").read_text()
    external = text.split("[external]", 1)[1]
    # libstdc++.so.6 is the C++ runtime; libgcc_s.so.1 the C one: both in the compiler's lib output
    assert 'dependencies = ["dep:virtual/compiler/c", "dep:virtual/compiler/cxx"]' in external, text
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr  # and pep725-ls does not flag its own fix
    assert "compiler-not-in-build-requires" not in fixed.stdout

    shell = cli("nix", "shell", cwd=cxx_project).stdout
    assert "pkgs.lib.makeLibraryPath [ pkgs.stdenv.cc.cc.lib ]" in shell
    assert "pkgs.gcc" not in shell  # the wrapper ships no libstdc++.so.6
    ld = cli("nix", "ld", cwd=cxx_project).stdout
    assert "programs.nix-ld.libraries = with pkgs; [ stdenv.cc.cc.lib ];" in ld


def test_shell_evaluates_to_the_compilers_lib_output(cxx_project, nix_instantiate):
    assert cli("check", "--venv", ".venv", "--fix", cwd=cxx_project).returncode == 0
    assert cli("nix", "shell", "-o", "shell.nix", cwd=cxx_project).returncode == 0
    r = subprocess.run([nix_instantiate, "--eval", "--strict", "--json", "-E",
                        f"(import ./shell.nix {{ pkgs = import {FIXTURE}; }}).LD_LIBRARY_PATH"],
                       cwd=cxx_project, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == "/nix/store/000000000000000000000000000000014-gcc-15.2.0-lib/lib"


def test_a_library_nixpkgs_ships_only_in_another_version_is_said_so(tmp_path):
    if CC is None:
        pytest.skip("no C compiler")
    stub = build_shared(tmp_path / "stub/libffi.so.7", "int ffi_stub(void) { return 0; }\n", "-Wl,-soname,libffi.so.7")
    site = venv_with(tmp_path)
    build_shared(site / "oldffi/_x.cpython-311-x86_64-linux-gnu.so", "extern int ffi_stub(void);\nint f(void) { return ffi_stub(); }\n",
                 "-Wl,--no-as-needed", f"-L{stub.parent}", "-l:libffi.so.7")
    shutil.rmtree(stub.parent)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "1"\n')
    found = cli("check", "--venv", ".venv", "--format", "json", cwd=tmp_path)
    [row] = [r for r in json.loads(found.stdout) if r["code"] == "venv-missing-library"]
    assert "nixpkgs ships libffi.so.8 (libffi), not libffi.so.7" in row["message"]
    assert not row["fixable"]  # no guess: libffi.so.8 would not load for this module


def test_psycopg2_from_source_gets_pg_config_in_the_shell(tmp_path):
    """psycopg2 has no Linux wheel: pip builds it, and building needs pg_config, which
    nixpkgs' libpq keeps in the passthru derivation libpq.pg_config."""
    if CC is None or not Path("/usr/lib/x86_64-linux-gnu/libpq.so.5").exists():
        pytest.skip("needs cc and Debian's libpq5")
    site = venv_with(tmp_path)
    build_shared(site / "psycopg2/_psycopg.cpython-311-x86_64-linux-gnu.so",
                 "extern int PQlibVersion(void);\nint v(void) { return PQlibVersion(); }\n",
                 "-Wl,--no-as-needed", "-l:libpq.so.5")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "1"\ndependencies = ["psycopg2>=2.9"]\n')
    assert cli("check", "--venv", ".venv", "--fix", cwd=tmp_path).returncode in (0, 1)
    text = (tmp_path / "pyproject.toml").read_text()
    assert "dep:generic/libpq" in text.split("[external]", 1)[1]
    shell = cli("nix", "shell", cwd=tmp_path).stdout
    native = shell.split("nativeBuildInputs = [", 1)[1].split("];", 1)[0]
    assert "pkgs.libpq.pg_config" in native
    assert "pkgs.lib.makeLibraryPath [ pkgs.libpq" in shell


def test_nix_ld_output_is_nix_and_shell(cxx_project, nix_instantiate):
    """The nix-ld line is a valid NixOS module fragment, the one-off line valid sh whose
    expression nix parses."""
    assert cli("check", "--venv", ".venv", "--fix", cwd=cxx_project).returncode == 0
    lines = [line for line in cli("nix", "ld", cwd=cxx_project).stdout.splitlines() if not line.startswith("#")]
    module, one_off = lines
    parsed = subprocess.run([nix_instantiate, "--parse", "-E", f"{{ pkgs, ... }}: {{ {module} }}"],
                            capture_output=True, text=True, timeout=60)
    assert parsed.returncode == 0, parsed.stderr
    assert subprocess.run(["sh", "-n", "-c", one_off], capture_output=True).returncode == 0
    expr = one_off.split("-E '", 1)[1].split("')", 1)[0]
    parsed = subprocess.run([nix_instantiate, "--parse", "-E", expr], capture_output=True, text=True, timeout=60)
    assert parsed.returncode == 0, parsed.stderr
    assert "stdenv.cc.cc.lib" in expr and 'export LD_LIBRARY_PATH="$libs/lib' in one_off
