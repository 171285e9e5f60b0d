"""build_nixpkgs_data.py on a small cut of its real inputs (tests/data/nixpkgs-inputs/), so
that every clone tests the generator, not only those with ../shared beside them. The
expected files were generated once and reviewed line by line (that folder's README.md)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "server" / "scripts" / "build_nixpkgs_data.py"
INPUTS = ROOT / "tests" / "data" / "nixpkgs-inputs"
EXPECTED = INPUTS / "expected"
GENERATED = ("mapping.json", "attrs.tsv", "names.tsv", "sonames.tsv", "libraries.tsv")


def generate(shared: Path, out: Path, *flags: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "--shared", str(shared), "--out", str(out), *flags],
                          capture_output=True, text=True, timeout=120)


def test_the_generator_writes_the_reviewed_files(tmp_path):
    shutil.copy(EXPECTED / "curated.toml", tmp_path)
    done = generate(INPUTS, tmp_path)
    assert done.returncode == 0, done.stderr
    for name in GENERATED:
        assert (tmp_path / name).read_bytes() == (EXPECTED / name).read_bytes(), name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(GENERATED + ("curated.toml",))  # no temporaries left
    # the curated DepURLs whose first attribute the data lacks are named, not fatal
    assert "dep:virtual/compiler/cuda: first attribute 'cudaPackages.cuda_nvcc'" in done.stderr


def test_check_passes_on_the_reviewed_files():
    done = generate(INPUTS, EXPECTED, "--check")
    assert (done.returncode, done.stderr) == (0, "")


@pytest.mark.parametrize("changed, old, new, stale", [
    # a version: the attribute table and the mapping row (and the input's digest)
    ("data/attrs.tsv", "zlib\t1.3.2\t", "zlib\t1.3.1\t", {"attrs.tsv", "mapping.json"}),
    # a library file gone: the soname tables and the rows that list it
    ("data/sonames.tsv", "libz.so.1\tzlib\tout\tzlib-1.3.2\tsymlink->libz.so.1.3.2\n", "",
     {"sonames.tsv", "libraries.tsv", "mapping.json"}),
    # a curated key: only the mapping
    ("expected/curated.toml", 'headers = "out"\n', "", {"mapping.json"}),
    # an EMM row: only the mapping (libpq's `emm` list and its correction)
    ("spec/emm/data/nix.mapping.json", '"specs": "libpqxx"', '"specs": "libpq"', {"mapping.json"}),
])
def test_check_fails_when_an_input_changes(tmp_path, changed, old, new, stale):
    shared = tmp_path / "inputs"
    shutil.copytree(INPUTS, shared)
    path = shared / changed
    text = path.read_text("utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), "utf-8")
    done = generate(shared, shared / "expected", "--check")
    assert done.returncode == 1
    assert {line.rsplit("/", 1)[-1] for line in done.stderr.splitlines()} == stale
    assert all(line.startswith("stale: ") for line in done.stderr.splitlines())
    # --check wrote nothing
    assert [(shared / "expected" / n).read_bytes() for n in GENERATED] == [(EXPECTED / n).read_bytes() for n in GENERATED]


# -- what the reviewed files say, rule by rule (so a blind regeneration cannot slip past) ----
def _tsv(name: str) -> dict[str, list[str]]:
    return {f[0]: f[1:] for f in (l.split("\t") for l in (EXPECTED / name).read_text("utf-8").splitlines())}


@pytest.fixture(scope="module")
def mapping() -> dict:
    return json.loads((EXPECTED / "mapping.json").read_text("utf-8"))


def test_library_output_and_sonames():
    libs = _tsv("libraries.tsv")
    assert libs["zlib"] == ["out", "libz.so.1"]  # the shortest versioned name
    assert libs["postgresql"][0] == "lib"  # 12 library files in lib, 1 in out
    assert libs["mpdecimal"][0] == "out"  # 3 and 3: the first of out,cxx,… wins, not the alphabet
    assert libs["libxml2"][1:] == ["libxml2.so.16"] and libs["libxml2_13"][1:] == ["libxml2.so.2"]
    assert libs["libgcc"][0] == "lib" and libs["libgcc"].count("libgcc_s.so.1") == 1  # in lib and libgcc
    assert "libopenblasp-r0.3.31.so" not in libs["openblas"]  # a version in the stem
    assert libs["python312"][1:] == ["libpython3.12.so.1.0", "libpython3.so"]
    assert not any(s.endswith(".py") for s in libs["libgcc"])
    assert "gcc" not in libs and "eigen" not in libs  # no library files


def test_names():
    names = _tsv("names.tsv")
    assert names["sdl2"] == ["SDL2"] and names["zlib"] == [""]
    assert names["cyrus-sasl"] == ["cyrus_sasl"] and names["lcms2"] == ["lcms"]
    assert names["gcc"] == [""]  # libgcc's pname does not take over gcc's own name
    for absent in ("libxml2_13", "openssl_3", "openssl", "_3cpio", "3cpio", "python3", "openjdk", "sdl2-compat"):
        assert absent not in names


def test_attrs_blank_the_pname_only_when_it_is_the_last_segment():
    attrs = _tsv("attrs.tsv")
    assert attrs["tclPackages.tk"] == ["8.6.16", "out,dev,man", ""]
    assert attrs["azure-sdk-for-cpp.pkg-config"][2] == "pkg-config-wrapper"
    assert attrs["addBinToPathHook"] == ["", "out", "add-bin-to-path-hook"]


def test_curated_rows(mapping):
    m = mapping["mappings"]
    ssl = m["dep:generic/openssl"]["nix"][0]
    assert (ssl["attr"], ssl["data_attr"], ssl["version"]) == ("openssl", "azure-sdk-for-cpp.openssl", "3.6.1")
    assert [r.get("data_attr") for r in m["dep:generic/lcms2"]["nix"]] == ["lcms", None]
    eigen = m["dep:generic/eigen"]["nix"][0]
    assert (eigen["lib_output"], eigen["header_output"]) == (None, "out")
    assert m["dep:virtual/interface/mpi"]["nix"][1]["header_output"] == "out"  # mpich: no dev output
    mysql = m["dep:generic/libmysqlclient"]
    assert mysql["nix"][0]["sonames"] == ["libmariadb.so.3"] and mysql["library_dirs"] == ["lib/mariadb"]
    cc = m["dep:virtual/compiler/c"]["runtime"][0]
    assert (cc["attr"], cc["output"], cc["data_attr"]) == ("stdenv.cc.cc.lib", "lib", "libgcc")
    assert "libstdc++.so.6" in cc["sonames"]
    assert "version" not in m["dep:virtual/compiler/fortran"]["runtime"][0]  # from curated sonames only
    assert m["dep:virtual/compiler/cuda"]["nix"] == [{"attr": "cudaPackages.cuda_nvcc", "present": False}]
    assert m["dep:virtual/compiler/rust"]["install"] == ["rustc", "cargo"]


def test_emm_rows(mapping):
    m = mapping["mappings"]
    assert {d for d, e in m.items() if e.get("source") == "emm"} == {
        "dep:generic/arrow", "dep:generic/freetype", "dep:generic/gmp", "dep:virtual/interface/lapack"}
    assert "dep:virtual/compiler/zig" not in m  # EMM has no attribute for it
    assert m["dep:virtual/interface/blas"]["emm"] == ["blas", "openblas", "clblas", "clblast", "blis", "amd-blis"]
    corrected = {c["id"] for c in mapping["corrections"]}
    assert {"dep:generic/libpq", "dep:generic/libjpeg", "dep:virtual/interface/mpi"} <= corrected
    assert not corrected & {"dep:generic/pkg-config", "dep:generic/lcms2", "dep:generic/zlib"}
    # EMM's tclPackages.tk is where the data lists our tk's store path: the same package
    assert m["dep:generic/tk"]["emm"] == ["tclPackages.tk"] and "dep:generic/tk" not in corrected
    assert mapping["meta"]["counts"] == {"attrs": 39, "names": 45, "sonames": 170, "curated": 16,
                                         "registry_canonical": 22}
