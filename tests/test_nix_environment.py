"""Nix environments from [external], checked by the real nix (Debian's nix-bin), offline:
the output parses with ``nix-instantiate --parse`` and evaluates against a fixture pkgs."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import pytest

from conftest import WORKSPACES
from pep725_ls.data_index import default_index
from pep725_ls.nix_environment import flake_nix, shell_nix
from pep725_ls.quoting import nix_attr_path, nix_string

FOLDER = WORKSPACES / "nix-shell"
DATA = tomllib.loads((FOLDER / "pyproject.toml").read_text())
FIXTURE = FOLDER / "fixture-pkgs.nix"


def expected_shell() -> str:
    """The shell.nix of the fixture project, as reviewed by hand (not computed here)."""
    from pep725_ls import __version__

    return (FOLDER / "expected-shell.nix").read_text().replace("pep725-ls 0.1.0", f"pep725-ls {__version__}")


def nix_eval(nix_instantiate, expr: str, tmp_path):
    r = subprocess.run([nix_instantiate, "--eval", "--strict", "--json", "-E", expr],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pep725_ls", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_shell_nix_parses_and_evaluates(nix_instantiate, tmp_path):
    (tmp_path / "shell.nix").write_text(shell_nix(DATA, default_index()))
    parse = subprocess.run([nix_instantiate, "--parse", "shell.nix"], capture_output=True, text=True, cwd=tmp_path)
    assert parse.returncode == 0, parse.stderr
    shell = nix_eval(nix_instantiate, f"""
      let s = import ./shell.nix {{ pkgs = import {FIXTURE}; }}; in
      {{ native = map (d: d.name) s.nativeBuildInputs; build = map (d: d.name) s.buildInputs;
         ld = s.LD_LIBRARY_PATH; shell = s.shell; }}""", tmp_path)
    assert shell["shell"] is True
    assert shell["native"] == ["gcc", "pkg-config", "libpq-pg_config"]  # pg_config: libpq's passthru
    assert shell["build"] == ["openssl", "libpq"]  # libxcb is darwin-only; extras not selected
    assert shell["ld"].split(":") == [p + "/lib" for p in _store_paths(["openssl", "libpq"])]


def _store_paths(names):
    return [f"/nix/store/0000000000000000000000000000000{len(n)}-{n}" for n in names]


def test_unmapped_and_skipped_are_comments_not_silence():
    text = shell_nix(DATA, default_index())
    assert "# no nixpkgs attribute known for dep:generic/no-such-library" in text
    assert "# marker false on x86_64-linux, left out: dep:generic/libxcb; sys_platform == 'darwin'" in text


def test_extras_groups_and_system(nix_instantiate, tmp_path):
    text = shell_nix(DATA, default_index(), system="aarch64-darwin", extras=("xml",), groups=("all",))
    (tmp_path / "shell.nix").write_text(text)
    shell = nix_eval(nix_instantiate, f"""
      let s = import ./shell.nix {{ pkgs = import {FIXTURE}; }}; in map (d: d.name) s.buildInputs""", tmp_path)
    assert shell == ["openssl", "libxcb", "libpq", "libxml2", "libxslt", "zlib", "cmake"]


def test_flake_parses_and_its_outputs_evaluate(nix_instantiate, tmp_path):
    (tmp_path / "flake.nix").write_text(flake_nix(DATA, default_index()))
    parse = subprocess.run([nix_instantiate, "--parse", "flake.nix"], capture_output=True, text=True, cwd=tmp_path)
    assert parse.returncode == 0, parse.stderr
    shells = nix_eval(nix_instantiate, f"""
      let
        pkgs = import {FIXTURE};
        flake = import ./flake.nix;
        out = flake.outputs {{ self = null; nixpkgs.legacyPackages = {{
          x86_64-linux = pkgs; aarch64-linux = pkgs; x86_64-darwin = pkgs; aarch64-darwin = pkgs; }}; }};
      in builtins.mapAttrs (system: s: map (d: d.name) s.default.buildInputs) out.devShells""", tmp_path)
    assert shells["x86_64-linux"] == ["openssl", "libpq"]
    assert shells["aarch64-darwin"] == ["openssl", "libxcb", "libpq"]


def test_hostile_names_are_quoted(nix_instantiate, tmp_path):
    assert nix_attr_path("xorg.libxcb") == "pkgs.xorg.libxcb"
    assert nix_attr_path("gtk+3") == 'pkgs."gtk+3"'
    data = {"project": {"name": 'x"; builtins.abort "pwned" ${y}\nz'}, "external": {"host-requires": ["dep:generic/zlib"]}}
    (tmp_path / "flake.nix").write_text(flake_nix(data, default_index(), systems=("x86_64-linux",)))
    parse = subprocess.run([nix_instantiate, "--parse", "flake.nix"], capture_output=True, text=True, cwd=tmp_path)
    assert parse.returncode == 0, parse.stderr
    desc = nix_eval(nix_instantiate, "(import ./flake.nix).description", tmp_path)
    assert desc.startswith('Development shell of x"; builtins.abort "pwned" ${y}\nz')
    assert nix_string("${a}") == '"\\${a}"'


def test_cli_nix_shell_and_output_file(tmp_path):
    r = cli("nix", "shell", FOLDER)
    assert r.returncode == 0 and r.stdout == expected_shell()
    out = tmp_path / "shell.nix"
    assert cli("nix", "shell", FOLDER, "-o", out).returncode == 0
    assert out.read_text() == r.stdout
    again = cli("nix", "shell", FOLDER, "-o", out)
    assert again.returncode == 2 and "--force" in again.stderr
    assert cli("nix", "shell", FOLDER, "--flake", "--system", "x86_64-linux").stdout.count("devShells") == 1


def test_cli_nix_install_command():
    lines = cli("nix", "install-command", FOLDER).stdout.splitlines()
    assert lines[0] == "nix-shell -p gcc pkg-config libpq.pg_config openssl libpq"
    assert lines[1] == "nix profile install nixpkgs#gcc nixpkgs#pkg-config nixpkgs#libpq.pg_config nixpkgs#openssl nixpkgs#libpq"
    assert lines[2] == "# no nixpkgs attribute known for dep:generic/no-such-library"


@pytest.mark.parametrize("ecosystem, first_command", [
    ("fedora", "sudo dnf install -y gcc pkgconf openssl openssl-devel libpq"),
    ("debian", "sudo apt install --yes gcc pkgconf libssl-dev openssl libpq5"),
    ("conda-forge", "conda install --yes --channel=conda-forge --strict-channel-priority c-compiler pkg-config 'openssl>=3' libpq"),
    ("homebrew", "brew install gcc pkgconf openssl libpq"),
])
def test_cli_install_command_per_ecosystem(ecosystem, first_command):
    r = cli("install-command", "--ecosystem", ecosystem, FOLDER)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("# ") and lines[1] == first_command
    assert cli("install-command", "--ecosystem", "nope", FOLDER).returncode == 2


@pytest.mark.parametrize("ecosystem, command", [
    # PEP 804: a null "and" explodes the constraints into several specifiers (this crashed)
    ("gentoo", "sudo pmerge '>=sys-libs/zlib-1.2' '<sys-libs/zlib-2'"),
    # a range template that names the package itself ({name} inside "greater_than_equal")
    ("spack", "spack install zlib@1.2:"),
])
def test_cli_install_command_version_ranges(tmp_path, ecosystem, command):
    (tmp_path / "pyproject.toml").write_text('[external]\nhost-requires = ["dep:generic/zlib@>=1.2,<2"]\n')
    spack_one = '[external]\nhost-requires = ["dep:generic/zlib@>=1.2"]\n'
    if ecosystem == "spack":
        (tmp_path / "pyproject.toml").write_text(spack_one)
    r = cli("install-command", "--ecosystem", ecosystem, str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[1] == command
