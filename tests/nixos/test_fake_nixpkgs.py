"""The fake nixpkgs behaves like nixpkgs for what generated shells use, evaluated by the real
nix-instantiate: store names as nix-index records them, outputs, lib, mkShell, passthru."""

from __future__ import annotations

from pathlib import Path

import pytest

import fake_nixpkgs
from harness import fake_nixpkgs_dir, nix_eval, nix_instantiate

pytestmark = pytest.mark.nixos
SHARED_SONAMES = Path(__file__).resolve().parents[3] / "shared" / "data" / "sonames.tsv"
HASH = 33  # 32 characters and a dash before the store name


def pkgs_expr(body: str) -> str:
    return f"let pkgs = import {fake_nixpkgs_dir()} {{}}; lib = pkgs.lib; in {body}"


def store_name(path: str) -> str:
    """The store name (and anything below it) of a path in the fake store."""
    return path.split("/store/", 1)[1][HASH:]


def attrs_row(attr: str) -> list[str]:
    [row] = [line.split("\t") for line in (fake_nixpkgs.DATA / "attrs.tsv").read_text().splitlines()
             if line.startswith(attr + "\t")]
    return row


def test_store_names_match_nix_index():
    """Every (attribute, output) of the shared nix-index extract has the store name nix-index
    recorded for it (the generator reads only the vendored data, not ../shared)."""
    if not SHARED_SONAMES.is_file():
        pytest.skip(f"{SHARED_SONAMES} is not here (CI copies /work/shared beside the clone)")
    rows = [line.split("\t") for line in SHARED_SONAMES.read_text().splitlines()
            if line and not line.startswith("#") and not line.startswith("file\t")]
    expected = {(attr, output): name for _file, attr, output, name, _kind in rows}
    keys = sorted(expected)
    items = " ".join(f"{fake_nixpkgs.nix_attr_path(a)}.{fake_nixpkgs.nix_string(o)}.outPath" for a, o in keys)
    paths = nix_eval(pkgs_expr(f"[ {items} ]"))
    got = {key: store_name(p) for key, p in zip(keys, paths)}
    wrong = {k: (got[k], expected[k]) for k in keys if got[k] != expected[k]}
    assert len(keys) > 4000
    assert wrong == {}, f"{len(wrong)} of {len(keys)} differ: {sorted(wrong.items())[:20]}"


def test_every_attribute_is_a_derivation():
    count = nix_eval(pkgs_expr("""
      let
        walk = s: builtins.foldl' (n: name:
          let v = s.${name}; in
          n + (if (v.type or null) == "derivation" then 1 else if builtins.isAttrs v then walk v else 0)) 0
          (builtins.attrNames s);
      in walk (removeAttrs pkgs [ "lib" "stdenv" "mkShell" "system" ])"""))
    rows = len((fake_nixpkgs.DATA / "attrs.tsv").read_text().splitlines())
    # stdenv is left out of the walk: its cc.cc is the passthru overlay (curated.toml names
    # its data attribute, libgcc, for the runtime output stdenv.cc.cc.lib)
    walked = [a for a in fake_nixpkgs.attributes() if not a.attr.startswith("stdenv.")]
    assert count == len(walked) >= rows


def test_aliases_nix_index_leaves_out_are_the_same_store_paths():
    got = nix_eval(pkgs_expr("""[ (pkgs.cmake.outPath == pkgs."azure-sdk-for-cpp".cmake.outPath)
                                 (pkgs.openssl.dev.outPath == pkgs."azure-sdk-for-cpp".openssl.dev.outPath) ]"""))
    assert got == [True, True]


@pytest.mark.parametrize("expr", ["pkgs.no-such-package", "pkgs.libpq.no-such-output",
                                  "pkgs.gccNGPackages_15.no-such-package", "pkgs.stdenv.cc.cc.no-such-output"])
def test_a_missing_attribute_fails_evaluation(expr, tmp_path):
    import subprocess

    r = subprocess.run([nix_instantiate(), "--eval", "--strict", "-E", pkgs_expr(f"{expr}.outPath")],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode != 0
    assert "attribute" in r.stderr and "missing" in r.stderr


def test_outputs_and_make_library_path():
    libgcc = attrs_row("libgcc")  # attr, version, outputs, pname
    got = nix_eval(pkgs_expr("""{
      path = lib.makeLibraryPath [ pkgs.libgcc pkgs.zlib pkgs.libgcc.out pkgs.gccNGPackages_15.libstdcxx ];
      bin = lib.makeBinPath [ pkgs.libxml2 pkgs.zlib ];
      dev = lib.getDev pkgs.libpq;
      outputs = pkgs.libgcc.outputs;
      chosen = pkgs.libgcc.lib.outputName;
      default = pkgs.libgcc.outputName;
      same = pkgs.libgcc.lib.lib.outPath == pkgs.libgcc.lib.outPath;
    }"""))
    assert [store_name(p) for p in got["path"].split(":")] == [
        f"gcc-{libgcc[1]}-lib/lib", f"zlib-{attrs_row('zlib')[1]}/lib", f"gcc-{libgcc[1]}/lib",
        f"libstdcxx-{attrs_row('gccNGPackages_15.libstdcxx')[1]}/lib"]
    assert [store_name(p) for p in got["bin"].split(":")] == [f"libxml2-{attrs_row('libxml2')[1]}-bin/bin",
                                                               f"zlib-{attrs_row('zlib')[1]}/bin"]
    assert store_name(got["dev"]) == f"libpq-{attrs_row('libpq')[1]}-dev"
    assert got["outputs"] == libgcc[2].split(",")
    assert (got["chosen"], got["default"], got["same"]) == ("lib", "out", True)


def test_passthru_of_the_overlay():
    got = nix_eval(pkgs_expr("""{
      cc_lib = pkgs.stdenv.cc.cc.lib.outPath;
      cc_is_libgcc = pkgs.stdenv.cc.cc.lib.outPath == pkgs.libgcc.lib.outPath;
      gcc_cc = pkgs.gcc.cc.lib.outPath == pkgs.stdenv.cc.cc.lib.outPath;
      wrapper = pkgs.stdenv.cc.name;
      pg_config = lib.makeBinPath [ pkgs.libpq.pg_config ];
      pg_config_from_dev = pkgs.libpq.dev.pg_config.outPath == pkgs.libpq.pg_config.outPath;
      gfortran_lib = pkgs.gfortran.cc.lib.outPath;
    }"""))
    version = attrs_row("libgcc")[1]
    assert store_name(got["cc_lib"]) == f"gcc-{version}-lib"
    assert got["cc_is_libgcc"] and got["gcc_cc"] and got["pg_config_from_dev"]
    assert got["wrapper"] == f"gcc-wrapper-{attrs_row('gcc')[1]}"
    assert store_name(got["pg_config"]) == "pg_config/bin"
    assert store_name(got["gfortran_lib"]) == f"gfortran-{attrs_row('gfortran')[1]}-lib"


def test_mk_shell_like_nixpkgs():
    got = nix_eval(pkgs_expr("""
      let s = pkgs.mkShell {
        packages = [ pkgs.cmake ];
        nativeBuildInputs = [ pkgs.pkg-config ];
        buildInputs = [ pkgs.zlib ];
        inputsFrom = [ (pkgs.mkShell { buildInputs = [ pkgs.libpq ]; }) ];
        LD_LIBRARY_PATH = lib.makeLibraryPath [ pkgs.zlib ];
        shellHook = "echo hi";
      }; in {
        native = map (d: d.pname) s.nativeBuildInputs;
        build = map (d: d.pname) s.buildInputs;
        inherit (s) LD_LIBRARY_PATH shellHook type;
      }"""))
    assert got["native"] == ["cmake", "pkg-config-wrapper"]  # pkg-config 0.29.2's wrapper (curated.toml)
    assert got["build"] == ["zlib", "libpq"]
    assert store_name(got["LD_LIBRARY_PATH"]) == f"zlib-{attrs_row('zlib')[1]}/lib"
    assert (got["shellHook"], got["type"]) == ("echo hi", "derivation")
