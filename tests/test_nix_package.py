"""pep725-ls's own Nix package (package.nix, default.nix, flake.nix), checked by the real nix
(Debian's nix-bin) offline: they parse, and evaluate against a stub nixpkgs that holds only
the Python libraries they may name. Building with real nixpkgs is a manual check
(docs/install.md), since nixpkgs cannot be fetched here."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from conftest import WORKSPACES
from pep725_ls import __version__

REPO = Path(__file__).resolve().parents[1]
STUB = WORKSPACES / "nix" / "stub-nixpkgs-python.nix"
SYSTEMS = ["aarch64-darwin", "aarch64-linux", "x86_64-darwin", "x86_64-linux"]


def nix_eval(nix_instantiate, expr: str):
    r = subprocess.run([nix_instantiate, "--eval", "--strict", "--json", "-E", expr],
                       capture_output=True, text=True, cwd=REPO, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def nixpkgs_name(requirement: str) -> str:
    """nixpkgs names Python packages by their normalized PyPI name (PEP 503)."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement).group(0)
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.parametrize("name", ["package.nix", "default.nix", "flake.nix"])
def test_parses(nix_instantiate, name):
    r = subprocess.run([nix_instantiate, "--parse", name], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert r.returncode == 0, r.stderr


def test_package_has_pyprojects_dependencies_by_their_nixpkgs_names(nix_instantiate):
    package = nix_eval(nix_instantiate, f"""
      let p = (import {STUB}).callPackage ./package.nix {{ }}; in
      {{ inherit (p) pname version pyproject pythonImportsCheck;
         dependencies = map (d: d.pname) p.dependencies;
         build = map (d: d.pname) p.build-system;
         src = p.src.files; main = p.meta.mainProgram; licence = p.meta.license.spdxId; }}""")
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert package["pname"] == project["project"]["name"]
    assert package["version"] == __version__
    assert package["pyproject"] is True
    assert sorted(package["dependencies"]) == sorted(nixpkgs_name(r) for r in project["project"]["dependencies"])
    assert package["build"] == ["setuptools"]
    assert [Path(f).relative_to(REPO).as_posix() for f in package["src"]] == [
        "pyproject.toml", "README.md", "LICENSE", "server"]
    assert package["main"] == "pep725-ls" and package["licence"] == project["project"]["license"]
    assert package["pythonImportsCheck"] == ["pep725_ls"]


def test_default_nix_is_the_same_package(nix_instantiate):
    name = nix_eval(nix_instantiate, f"(import ./default.nix {{ pkgs = import {STUB}; }}).name")
    assert name == f"pep725-ls-{__version__}"


def test_flake_outputs_packages_apps_and_a_dev_shell_for_four_systems(nix_instantiate):
    outputs = nix_eval(nix_instantiate, f"""
      let
        stub = import {STUB};
        nixpkgs = {{ inherit (stub) lib; legacyPackages = stub.lib.genAttrs {json.dumps(SYSTEMS).replace(",", " ")} (_: stub); }};
        outputs = (import ./flake.nix).outputs {{ self = outputs; inherit nixpkgs; }};
        each = f: builtins.mapAttrs (_: f);
      in {{
        packages = each (ps: each (p: p.name) ps) outputs.packages;
        apps = each (as: each (a: {{ inherit (a) type program; }}) as) outputs.apps;
        shells = each (s: {{ shell = s.default.shell; from = map (p: p.name) s.default.inputsFrom;
                              packages = map (p: p.name) s.default.packages; }}) outputs.devShells;
        inputs = (import ./flake.nix).inputs.nixpkgs.url;
      }}""")
    name = f"pep725-ls-{__version__}"
    assert sorted(outputs["packages"]) == SYSTEMS
    for system in SYSTEMS:
        assert outputs["packages"][system] == {"pep725-ls": name, "default": name}
        program = f"/nix/store/00000000000000000000000000000000-{name}/bin/pep725-ls"
        assert outputs["apps"][system] == {"pep725-ls": {"type": "app", "program": program},
                                           "default": {"type": "app", "program": program}}
        assert outputs["shells"][system] == {"shell": True, "from": [name], "packages": ["nodejs"]}
    assert outputs["inputs"] == "github:NixOS/nixpkgs/nixos-unstable"


def test_a_name_nixpkgs_lacks_fails_the_evaluation(nix_instantiate, tmp_path):
    """The stub is strict: a misspelt dependency in package.nix would not pass unnoticed."""
    broken = tmp_path / "package.nix"
    broken.write_text((REPO / "package.nix").read_text().replace("packageurl-python", "packageurl"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        (tmp_path / name).symlink_to(REPO / name)
    (tmp_path / "server").symlink_to(REPO / "server")
    r = subprocess.run([nix_instantiate, "--eval", "--strict", "-E",
                        f"map (d: d.pname) ((import {STUB}).callPackage {broken} {{ }}).dependencies"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode != 0 and "packageurl" in r.stderr
