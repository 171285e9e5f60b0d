"""venv-missing-library from a scan result, without a server and without ELF files: which
DepURL, where the finding sits, what the message says and which fixes it offers.

The scan itself (real ELF files built with the system compiler) is tested in
test_venv_scan.py and test_missing_deps.py; here the scan is given, so that each rule of
checks/virtualenv_libraries.py has a test of its own.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from expectations import findings_of
from pep725_ls.checks import CheckContext, run_checks
from pep725_ls.checks.virtualenv_libraries import depurl_for_needed, depurl_for_soname
from pep725_ls.data_index import default_index
from pep725_ls.document import PyprojectDocument
from pep725_ls.venv_layout import NeededLibrary
from pep725_ls.venv_scan import VenvScan

VENV = Path("/project/.venv")


def venv_findings(text: str, *missing: NeededLibrary):
    scan = VenvScan(VENV, files_seen=10, elf_files=len(missing), missing=tuple(missing))
    return findings_of(text, "venv-missing-library", context=CheckContext(venv=scan))


def linked(soname: str, *files: str) -> NeededLibrary:
    return NeededLibrary(soname, files or ("lib/python3.12/site-packages/m/_m.so",))


PQ = linked("libpq.so.5", "lib/python3.12/site-packages/psycopg2/_psycopg.so")


def test_depurl_for_soname():
    index = default_index()
    assert depurl_for_soname("libpq.so.5", index) == "dep:generic/libpq"
    assert depurl_for_soname("libstdc++.so.6", index) == "dep:virtual/compiler/cxx"
    # nixpkgs' libxml2 ships .so.16; .so.2 is libxml2_13's, selected by a version range
    assert depurl_for_soname("libxml2.so.2", index) == "dep:generic/libxml2@<2.15"
    assert depurl_for_soname("libnosuchthing.so.3", index) is None


def test_depurl_for_needed_tries_each_name_the_loader_may_open():
    index = default_index()
    cairo = NeededLibrary("libcairo.so", ("m.py:3",), "loaded by name", ("libcairo.so.2",))
    assert depurl_for_needed(cairo, index) == "dep:generic/cairo"
    assert depurl_for_needed(NeededLibrary("libnosuch.so", ("m.py:3",)), index) is None


def test_one_finding_per_depurl_on_the_external_header():
    text = '[project]\nname = "p"\n\n[external]\nhost-requires = ["dep:generic/zlib"]\n'
    [f] = venv_findings(text, PQ, linked("libpq.so.5", "lib/python3.12/site-packages/other/_o.so"))
    assert text[f.start:f.end] == "[external]"
    assert f.message == ("libpq.so.5, libpq.so.5 (needed by lib/python3.12/site-packages/other/_o.so and 1 more in .venv) "
                         "comes from outside the virtualenv: declare `dep:generic/libpq`")
    assert f.data == {"depurls": ["dep:generic/libpq"], "sonames": ["libpq.so.5", "libpq.so.5"],
                      "files": ["lib/python3.12/site-packages/other/_o.so", "lib/python3.12/site-packages/psycopg2/_psycopg.so"]}


def test_the_anchor_without_an_external_header():
    dotted = 'external.host-requires = ["dep:generic/zlib"]\n[project]\nname = "p"\n'
    [f] = venv_findings(dotted, PQ)
    assert dotted[f.start:f.end] == "external.host-requires"
    no_external = '[tool.x]\na = 1\n\n[project]\nname = "p"\n'
    [f] = venv_findings(no_external, PQ)
    assert no_external[f.start:f.end] == "[project]"
    [f] = venv_findings('[tool.x]\na = 1\n', PQ)
    assert (f.start, f.end) == (0, 0)


def test_declared_anywhere_at_run_time_is_enough():
    for key in ("dependencies", "host-requires", "optional-dependencies.pg", "dependency-groups.pg"):
        if "." in key:
            table, group = key.split(".")
            text = f'[external.{table}]\n{group} = ["dep:generic/libpq"]\n'
        else:
            text = f'[external]\n{key} = ["dep:generic/libpq"]\n'
        assert venv_findings(text, PQ) == [], key
    # a build tool is not there at run time
    assert len(venv_findings('[external]\nbuild-requires = ["dep:generic/libpq"]\n', PQ)) == 1


def test_fixes_put_libraries_where_the_project_needs_them():
    [f] = venv_findings('[project]\nname = "p"\n', PQ)
    assert [(fix.title, fix.preferred, fix.safe) for fix in f.fixes] == [
        ("Add dep:generic/libpq to [external].dependencies", True, False),
        ("Add dep:generic/libpq to [external].host-requires", False, False),
    ]
    # a project that compiles code links against the library: host-requires first
    [f] = venv_findings('[build-system]\nrequires = ["meson-python"]\n', PQ)
    assert [fix.additions[0].key for fix in f.fixes] == ["host-requires", "dependencies"]
    # a compiler's runtime is needed at run time, whoever built the code
    [f] = venv_findings('[build-system]\nrequires = ["meson-python"]\n', linked("libstdc++.so.6"))
    assert [fix.title for fix in f.fixes] == ["Add dep:virtual/compiler/cxx to [external].dependencies"]


def test_how_a_library_is_needed():
    loaded = NeededLibrary("libmagic.so.1", ("site-packages/magic/loader.py:20", "site-packages/magic/compat.py:9"),
                           "loaded by name")
    [f] = venv_findings('[project]\nname = "p"\n', loaded, linked("libmagic.so.1", "site-packages/x/_x.so"))
    assert f.message.startswith(
        "libmagic.so.1, libmagic.so.1 (needed by site-packages/x/_x.so; loaded by name at run time by "
        "site-packages/magic/compat.py:9 and 1 more in .venv) comes from outside the virtualenv")
    [f] = venv_findings('[project]\nname = "p"\n', loaded)
    assert "(loaded by name at run time by site-packages/magic/compat.py:9 and 1 more in .venv)" in f.message


@pytest.mark.parametrize("soname, says", [
    ("libffi.so.7", "and nixpkgs ships libffi.so.8 (libffi), not libffi.so.7: rebuild against it, or get libffi.so.7 elsewhere"),
    ("libnosuchthing.so.3", "and no nixpkgs package is known to ship it"),
])
def test_a_library_nixpkgs_does_not_ship(soname, says):
    text = 'x = 1\n[project]\nname = "p"\n'
    [f] = venv_findings(text, linked(soname, "a/_a.so"))
    assert text[f.start:f.end] == "[project]"  # where a declared library would go
    assert f.message == f"{soname} (needed by a/_a.so in .venv) comes from outside the virtualenv, {says}"
    assert f.fixes == ()
    assert f.data == {"sonames": [soname], "files": ["a/_a.so"]}


def test_nothing_without_a_scan_or_without_missing_libraries():
    text = '[project]\nname = "p"\n'
    assert [f for f in run_checks(PyprojectDocument(text), default_index()) if f.code == "venv-missing-library"] == []
    assert venv_findings(text) == []


def test_a_library_declared_with_another_version_range_counts():
    libxml2_2 = linked("libxml2.so.2", "site-packages/lxml/etree.so")
    [f] = venv_findings('[project]\nname = "p"\n', libxml2_2)
    assert f.data["depurls"] == ["dep:generic/libxml2@<2.15"]
    assert f.fixes[0].edits == () and f.fixes[0].additions[0].specifier == "dep:generic/libxml2@<2.15"
    for declared in ("dep:generic/libxml2", "dep:generic/libxml2@<2.14"):
        assert venv_findings(f'[external]\ndependencies = ["{declared}"]\n', libxml2_2) == []


def test_an_unknown_library_is_flagged_on_the_anchor_too():
    text = '[project]\nname = "p"\n'
    [f] = venv_findings(text, linked("libnosuchthing.so.3", "a/_a.so"))
    assert text[f.start:f.end] == "[project]"
