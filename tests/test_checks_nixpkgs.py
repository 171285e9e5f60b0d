"""checks/nixpkgs.py and hover's nixpkgs section, on the nix fixture workspace (no server)."""

from __future__ import annotations

from pathlib import Path

from pep725_ls import depurl
from pep725_ls.checks import nixpkgs as nixpkgs_check
from pep725_ls.checks import run_checks
from pep725_ls.data_index import default_index
from pep725_ls.document import PyprojectDocument
from pep725_ls.features.document_links import links
from pep725_ls.features.hover import hover_markdown

FIXTURE = Path(__file__).parent / "workspaces" / "nix" / "mapping" / "pyproject.toml"


def _findings():
    doc = PyprojectDocument(FIXTURE.read_text("utf-8"))
    return doc, list(nixpkgs_check.check(doc, default_index()))


def test_no_mapping_and_version_mismatch():
    doc, found = _findings()
    by_code = {}
    for f in found:
        by_code.setdefault(f.code, []).append(doc.text[f.start:f.end])
    assert by_code["no-nixpkgs-mapping"] == ["dep:virtual/compiler/cuda"]
    assert by_code["nixpkgs-version-mismatch"] == [">=4"]  # openssl; zlib>=1.2 and cmake>=3.20 are fine
    mismatch = next(f for f in found if f.code == "nixpkgs-version-mismatch")
    assert "openssl" in mismatch.message and mismatch.data["depurl"] == "dep:generic/openssl"


def test_unknown_names_and_pypi_are_left_to_other_checks():
    doc, found = _findings()
    flagged = {doc.text[f.start:f.end] for f in found}
    assert not any("libfooz" in s or "numpy" in s or s == "dep:generic/li" for s in flagged)
    all_codes = [f.code for f in run_checks(doc, default_index())]
    assert all_codes.count("unknown-name") == 2  # libfooz and li, once each


def test_hover_shows_nixpkgs_attrs_outputs_sonames_and_links():
    text = hover_markdown(depurl.parse("dep:generic/libpq@>=12"), default_index())
    assert "[`libpq`](https://search.nixos.org/packages?channel=unstable&query=libpq)" in text
    assert "`nix-shell -p libpq`" in text
    assert "`libpq.so.5`" in text and "headers in `dev`" in text
    assert "| Nix | `libpq`, `postgresql` |" in text and "libpqxx" not in text
    assert "Mapping note" not in text and "nix-index" not in text  # data provenance stays in docs/data.md
    assert "| Ubuntu 24.04 |" in text


def test_hover_for_alias_and_uncurated_and_unknown():
    index = default_index()
    alias = hover_markdown(depurl.parse("dep:github/Kitware/CMake"), index)
    assert "Alias of **dep:generic/cmake**" in alias and "`nix-shell -p cmake`" in alias
    assert "azure-sdk-for-cpp" not in alias
    assert "`nix-shell -p rustc cargo`" in hover_markdown(depurl.parse("dep:virtual/compiler/rust"), index)
    jq = hover_markdown(depurl.parse("dep:generic/jq"), index)
    assert "package of the same name; not curated" in jq
    assert "_no attribute known_" in hover_markdown(depurl.parse("dep:generic/libfooz"), index)


def test_document_links_point_to_search_nixos_org():
    doc = PyprojectDocument(FIXTURE.read_text("utf-8"))
    found = {doc.text[s:e]: url for s, e, url, _ in links(doc, default_index())}
    assert found["dep:generic/zlib@>=1.2"].endswith("query=zlib")
    assert found["dep:github/Kitware/CMake"].endswith("query=cmake")
    assert "dep:virtual/compiler/cuda" not in found and "dep:generic/libfooz" not in found


def test_a_range_another_attribute_of_the_package_satisfies_is_no_mismatch():
    """dep:generic/libxml2@<2.15 selects libxml2_13 (2.13, libxml2.so.2) in the shell, as the
    venv fix writes it for a module built against libxml2.so.2: pep725-ls must not flag it."""
    from pep725_ls.checks import run_checks
    from pep725_ls.data_index import default_index
    from pep725_ls.document import PyprojectDocument

    doc = PyprojectDocument('[external]\ndependencies = ["dep:generic/libxml2@<2.15", "dep:generic/zlib@>=99"]\n')
    mismatches = [f.message for f in run_checks(doc, default_index()) if f.code == "nixpkgs-version-mismatch"]
    assert len(mismatches) == 1 and "zlib" in mismatches[0]
