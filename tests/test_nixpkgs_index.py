"""The nixpkgs side of the data index: lookup, sonames, PyPI projects, names, ranking."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pep725_ls import data_index as index_module
from pep725_ls.data_index import DataIndex, default_index

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="module")
def index() -> DataIndex:
    return default_index()


# -- DepURL -> nixpkgs ----------------------------------------------------------------
def test_curated_lookup_has_version_outputs_and_sonames(index):
    m = index.nixpkgs("dep:generic/zlib")
    assert m.source == "curated"
    z = m.primary
    assert z.attr == "zlib" and z.version and z.present
    assert z.lib_output == "out" and z.header_output == "dev"
    assert "libz.so.1" in z.sonames
    assert z.shell_command == "nix-shell -p zlib"
    assert z.search_url.endswith("query=zlib")


def test_each_attribute_has_the_libraries_sonames_tsv_lists_for_it(index):
    """libraries.tsv (what nix_attr reads) says what sonames.tsv says, for every attribute:
    the output with most library files (ties: the first of the attribute's outputs), the
    SONAME-like names among its files, headers in dev when there is one."""
    data = Path(index_module.__file__).parent / "data" / "nixpkgs"
    files: dict[str, list[tuple[str, str]]] = {}
    for line in (data / "sonames.tsv").read_text("utf-8").splitlines():
        file, attr, output = line.split("\t")
        files.setdefault(attr, []).append((file, output))
    checked = 0
    for line in (data / "attrs.tsv").read_text("utf-8").splitlines():
        attr, _, outputs, _ = line.split("\t")
        a = index.nix_attr(attr)
        libs = files.get(attr)
        if not libs:
            assert (a.lib_output, a.header_output, a.sonames) == (None, None, ())
            continue
        outs = [o for _, o in libs]
        most = max(outs.count(o) for o in outs)
        assert a.lib_output == next(o for o in outputs.split(",") + sorted(outs) if outs.count(o) == most)
        assert a.header_output == ("dev" if "dev" in outputs.split(",") else "out")
        assert a.sonames == tuple(index_module.soname_list([f for f, _ in libs]))
        checked += 1
    assert checked > 4000


def test_alias_missing_from_the_data_keeps_the_user_facing_attr(index):
    ssl = index.nixpkgs("dep:generic/openssl").primary
    assert ssl.attr == "openssl"  # what people type
    assert ssl.data_attr != "openssl" and ssl.present  # where nix-index lists the store path
    assert {"libssl.so.3", "libcrypto.so.3"} <= set(ssl.sonames)
    assert index.nixpkgs("dep:generic/cmake").primary.attr == "cmake"


def test_emm_libpq_row_is_corrected(index):
    m = index.nixpkgs("dep:generic/libpq")
    assert [a.attr for a in m.attrs][0] == "libpq"
    assert "libpqxx" in m.emm and "libpqxx" in m.why
    assert any(c["id"] == "dep:generic/libpq" and c["emm"] == ["libpqxx"] for c in index.corrections)
    nix_rows = [r for r in index.ecosystem_packages("dep:generic/libpq") if r.ecosystem == "nix"]
    assert nix_rows and "libpqxx" not in nix_rows[0].all and "libpq" in nix_rows[0].all


@pytest.mark.parametrize("depurl,attrs", [
    ("dep:virtual/compiler/c", ["gcc", "clang"]),
    ("dep:virtual/compiler/fortran", ["gfortran"]),
    ("dep:virtual/compiler/rust", ["rustc", "cargo"]),
    ("dep:virtual/interface/blas", ["blas", "openblas"]),
    ("dep:virtual/interface/mpi", ["mpi", "mpich"]),
    ("dep:virtual/interface/openmp", ["llvmPackages.openmp"]),
])
def test_virtual_depurls(index, depurl, attrs):
    assert [a.attr for a in index.nixpkgs(depurl).attrs] == attrs


def test_registry_alias_and_qualifiers_resolve_to_the_canonical_row(index):
    m = index.nixpkgs("dep:github/Kitware/CMake")
    assert m.depurl_id == "dep:generic/cmake" and m.via == "dep:github/Kitware/CMake"
    q = index.nixpkgs("dep:generic/cmake?repository_url=https://gitlab.kitware.com/cmake/cmake")
    assert q.depurl_id == "dep:generic/cmake"


def test_uncurated_generic_name_falls_back_to_the_nixpkgs_package(index):
    m = index.nixpkgs("dep:generic/jq")
    assert m.source == "nixpkgs-name" and m.primary.attr == "jq"
    assert index.nixpkgs("dep:generic/surely-no-such-package") is None
    assert index.nixpkgs("dep:pypi/numpy") is None


def test_cuda_is_mapped_but_absent_and_exotic(index):
    m = index.nixpkgs("dep:virtual/compiler/cuda")
    assert not m.present and m.exotic


def test_nix_attr_reads_the_full_table(index):
    a = index.nix_attr("python312")
    assert a.version.startswith("3.12") and "libpython3.12.so.1.0" in a.sonames
    assert index.nix_attr("no-such-attr-xyz") is None


# -- sonames ------------------------------------------------------------------------
@pytest.mark.parametrize("soname,first", [
    ("libz.so.1", "dep:generic/zlib"),
    ("libpq.so.5", "dep:generic/libpq"),
    ("libssl.so.3", "dep:generic/openssl"),
    ("libxml2.so.16", "dep:generic/libxml2"),
    ("libblas.so.3", "dep:virtual/interface/blas"),
    ("libgomp.so.1", "dep:virtual/interface/openmp"),
    ("libstdc++.so.6", "dep:virtual/compiler/cxx"),
])
def test_soname_to_depurl(index, soname, first):
    assert index.soname_depurls(soname)[0] == first


def test_only_exact_sonames_match(index):
    """Issue 12: another version of a library is not a provider (libffi ships .so.8)."""
    assert index.soname_providers("libz.so.1.99.99") == []
    assert index.soname_providers("libffi.so.7") == []
    assert ("libffi.so.8", "libffi") in index.soname_alternatives("libffi.so.7")
    assert index.soname_providers("libdefinitely-not-a-lib.so.3") == []


def test_a_bundled_copy_is_not_a_provider(index):
    """libcrypto.so.1.1 ships only inside an application (glamoroustoolkit) in the data."""
    assert index.soname_providers("libcrypto.so.1.1") == []
    assert ("libcrypto.so.3", "openssl") in index.soname_alternatives("libcrypto.so.1.1")


@pytest.mark.parametrize("soname, depurl_id, attr, output", [
    ("libgtk-3.so.0", "dep:generic/gtk3", "gtk3", "out"),  # was dep:generic/gtk
    ("libstdc++.so.6", "dep:virtual/compiler/cxx", "stdenv.cc.cc.lib", "lib"),
    ("libgcc_s.so.1", "dep:virtual/compiler/c", "stdenv.cc.cc.lib", "lib"),
    ("libgfortran.so.5", "dep:virtual/compiler/fortran", "gfortran.cc.lib", "lib"),
    ("libgomp.so.1", "dep:virtual/interface/openmp", "stdenv.cc.cc.lib", "lib"),
    ("libmariadb.so.3", "dep:generic/libmysqlclient", "libmysqlclient", "out"),  # in lib/mariadb
    ("libQt6Core.so.6", "dep:generic/qt6", "qt6.qtbase", "out"),  # was unmapped
    ("libQt5Widgets.so.5", "dep:generic/qt5", "qt5.qtbase", "out"),
])
def test_soname_reverse_lookup(index, soname, depurl_id, attr, output):
    first = index.soname_providers(soname)[0]
    assert (first.depurl_id, first.attr, first.output) == (depurl_id, attr, output)


def test_provides_lists_hold_sonames_only(index):
    sqlite = index.nixpkgs("dep:generic/sqlite").primary
    assert "libsqlite3.so.0" in sqlite.sonames or any(s.startswith("libsqlite3.so") for s in sqlite.sonames)
    assert not [s for s in sqlite.sonames if s.endswith(".so") and s.count(".") > 1]  # libsqlite3.51.2.so


@pytest.mark.parametrize("depurl_id, header_output", [
    ("dep:generic/qpdf", "out"), ("dep:generic/libpcap", "out"), ("dep:generic/libtool", "out")])
def test_headers_are_in_out_without_a_dev_output(index, depurl_id, header_output):
    primary = index.nixpkgs(depurl_id).primary
    assert "dev" not in primary.outputs
    assert primary.header_output == header_output


# -- PyPI projects --------------------------------------------------------------------
def test_pypi_projects(index):
    assert index.pypi_depurls("psycopg2") == ["dep:generic/libpq", "dep:virtual/compiler/c"]
    binary = index.pypi_native("Psycopg2_Binary")  # PEP 503 normalisation
    assert binary.bundles and binary.binary_of == "psycopg2"
    lxml = index.pypi_native("lxml")
    assert {"dep:generic/libxml2", "dep:generic/libxslt"} <= set(lxml.host)
    crypto = index.pypi_native("cryptography")
    assert "dep:generic/openssl" in crypto.host and "dep:virtual/compiler/rust" in crypto.build
    pillow = index.pypi_native("Pillow")
    assert {"dep:generic/libjpeg", "dep:generic/zlib", "dep:generic/freetype", "dep:generic/lcms2"} <= set(pillow.host)
    assert index.pypi_native("no-such-project-xyz") is None


def test_pypi_rows_from_poetry2nix_map_to_depurls(index):
    row = index.pypi_native("pyzmq")
    assert "dep:generic/zeromq" in row.host
    # poetry2nix's Darwin-only row (pandas -> libcxx) is gone
    assert "dep:generic/libcxx" not in index.pypi_depurls("pandas")


# -- names: known, suggestions, completion --------------------------------------------
def test_is_known_covers_registry_curated_and_nixpkgs_names(index):
    assert index.is_known("dep:generic/zlib")  # registry
    assert index.is_known("dep:generic/libpng")  # curated
    assert index.is_known("dep:generic/jq")  # a nixpkgs package
    assert not index.is_known("dep:generic/libfooz")
    assert not index.is_known("dep:generic/JQ")


@pytest.mark.parametrize("typo,meant", [
    ("dep:generic/libpnj", "dep:generic/libpng"),
    ("dep:generic/opensll", "dep:generic/openssl"),
    ("dep:generic/LibPQ", "dep:generic/libpq"),
    ("dep:virtual/compiler/cpp", "dep:virtual/compiler/cxx"),
])
def test_suggest(index, typo, meant):
    assert index.suggest(typo) == meant


def test_completion_ranks_registry_canonical_first(index):
    found, cut = index.complete_names("generic", None, "lib", limit=100)
    assert cut
    ranks = [c.rank for c in found]
    first_other = ranks.index(next(r for r in ranks if r != 0))
    assert all(r == 0 for r in ranks[:first_other]) and first_other >= 10
    libpq = next(c for c in found if c.name == "libpq")
    assert libpq.detail.startswith("PEP 804 registry") and "nixpkgs: libpq " in libpq.detail
    assert any(c.rank == 3 for c in found)  # nixpkgs-derived names follow


def test_completion_exact_match_first_and_fuzzy(index):
    found, _ = index.complete_names("generic", None, "libpng", limit=100)
    assert found[0].name == "libpng" and found[0].detail.startswith("nixpkgs: libpng ")
    fuzzy, _ = index.complete_names("generic", None, "lbxml", limit=100)
    assert "libxml2" in [c.name for c in fuzzy]
    virtual, cut = index.complete_names("virtual", "compiler", "", limit=100)
    assert not cut and {"c", "cxx", "fortran", "rust"} <= {c.name for c in virtual}


def test_completion_stays_cheap_at_full_size(index):
    # No timing assert (CI machines vary); bench/index_bench.py measures latency.
    for prefix in ["", "a", "li", "lib", "libx", "py", "qt", "x", "zz", "ssl"] * 5:
        found, _ = index.complete_names("generic", None, prefix, limit=100)
        assert len(found) <= 100


# -- PEP 804 offline data dir -------------------------------------------------------------
def test_offline_mapping_dir_is_read(tmp_path, monkeypatch):
    d = tmp_path / "share" / "external-packaging-metadata-mappings"
    d.mkdir(parents=True)
    (d / "testeco.mapping.json").write_text(json.dumps({
        "name": "Test ecosystem", "package_managers": [],
        "mappings": [{"id": "dep:generic/zlib", "specs": ["zlib-test"]}],
    }))
    monkeypatch.setenv("XDG_DATA_DIRS", str(tmp_path / "share"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "nothing"))
    idx = DataIndex()
    rows = {r.ecosystem: r for r in idx.ecosystem_packages("dep:generic/zlib")}
    assert rows["testeco"].all == ("zlib-test",)
    assert "ubuntu" in rows  # vendored mappings still there
    assert idx.ecosystem_source("testeco").endswith("testeco.mapping.json")


# -- generator and report ----------------------------------------------------------------
@pytest.mark.skipif(not (SHARED / "data" / "attrs.tsv").exists(),
                    reason="../shared/data is not beside the repo; test_nixpkgs_generator.py tests the generator "
                           "on a committed cut of it in every clone")
def test_shipped_data_is_what_the_generator_makes():
    """The shipped files are the generator's output on the full inputs (CI has ../shared)."""
    script = ROOT / "server" / "scripts" / "build_nixpkgs_data.py"
    done = subprocess.run([sys.executable, str(script), "--shared", str(SHARED), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_mapping_report_meets_the_target(index):
    from pep725_ls.mapping_report import coverage

    cov = coverage(index)
    assert cov.ratio >= 0.95
    assert [r.depurl_id for r in cov.rows if r.exotic] == ["dep:virtual/compiler/cuda"]


def test_mapping_report_cli():
    done = subprocess.run([sys.executable, "-m", "pep725_ls", "mapping", "report"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "target 95%: met" in done.stdout and "dep:generic/libpq: libpqxx -> libpq" in done.stdout
    as_json = subprocess.run([sys.executable, "-m", "pep725_ls", "mapping", "report", "--format", "json"],
                             capture_output=True, text=True)
    assert json.loads(as_json.stdout)["ratio"] >= 0.95


@pytest.mark.parametrize("depurl_id, not_attr", [("dep:generic/python3", "llm"), ("dep:generic/openjdk", "jre8")])
def test_name_fallback_never_guesses(index, depurl_id, not_attr):
    """A package name shared by several attributes (python3: llm, jupyter, python311…) or
    carried by a versioned one (openjdk: jre8) names none of them."""
    mapping = index.nixpkgs(depurl_id)
    assert mapping is None or not_attr not in mapping.install_attrs


def test_pkg_config_row_is_true(index):
    mapping = index.nixpkgs("dep:generic/pkg-config")
    assert mapping.primary.attr == "pkg-config" and mapping.primary.version == "0.29.2"
    assert "pkgconf" in [a.attr for a in mapping.attrs]
    assert not mapping.why.startswith("fixes EMM")
    assert "dep:generic/pkg-config" not in {c["id"] for c in index.corrections}


def test_emm_naming_our_data_attribute_is_not_a_correction(index):
    """EMM's tk row says tclPackages.tk, the attribute the data lists our tk's store path under."""
    assert index.nixpkgs("dep:generic/tk").primary.data_attr == "tclPackages.tk"
    assert "dep:generic/tk" not in {c["id"] for c in index.corrections}


def test_docs_list_the_corrected_emm_rows(index):
    """docs/data.md's table of corrected EMM rows is the generator's list (the report's)."""
    text = (ROOT / "docs" / "data.md").read_text("utf-8")
    section = text.split("## EMM nix rows corrected", 1)[1].split("\n## ", 1)[0]
    documented = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `dep:")]
    assert documented == [c["id"] for c in index.corrections]


@pytest.mark.parametrize("soname, alternative", [
    ("libldap-2.5.so.0", ("libldap.so.2", "openldap")),  # a version in the name, Debian's spelling
    ("libgeos.so.3.11.1", ("libgeos.so.3.14.1", "geos")),  # a full version as the soname
    ("libcrypto.so.1.1", ("libcrypto.so.3", "openssl")),
])
def test_what_nixpkgs_ships_instead(index, soname, alternative):
    others = index.soname_alternatives(soname)
    assert alternative in others
    assert all(attr != "glamoroustoolkit" for _, attr in others)  # copies bundled in applications
    assert index.soname_alternatives("libz.so.1.99") == [("libz.so.1", "zlib")]  # not libz3


@pytest.mark.parametrize("prefix", ["lib", "py", "z", "open", "libx", "qt", "gtk", "nosuchprefix", "a"])
def test_names_ranked_without_the_length_table_rank_alike(prefix, monkeypatch):
    """A prefix with few nixpkgs names is ranked from them directly (the first completion of
    a session no longer builds the by-length table); the answer is the table's."""
    import pep725_ls.data_index as data_index

    direct = DataIndex().complete_name_ids("generic", None, prefix, limit=50)
    monkeypatch.setattr(data_index, "_FEW_NAMES", -1)  # always through the by-length table
    assert DataIndex().complete_name_ids("generic", None, prefix, limit=50) == direct
