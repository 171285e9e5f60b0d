"""Missing external dependencies, without a server: detection, the edits that add them,
byte-exact style preservation over a gallery of real-world shapes, and a property test."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import WORKSPACES
from elf_fixtures import make_venv, needs_cc
from expectations import findings_of
from pep725_ls.checks import CheckContext
from pep725_ls.edits import apply
from pep725_ls.external_edits import Addition, add_to_external
from pep725_ls.venv_scan import scan

MISSING = WORKSPACES / "missing"
GALLERY = sorted((WORKSPACES / "style-gallery").glob("*/pyproject.toml"))


def findings(path_or_text, codes, context=None):
    text = path_or_text.read_text() if isinstance(path_or_text, Path) else path_or_text
    return findings_of(text, *codes, context=context), text


def apply_fix(text, fix):
    edit = add_to_external(text, list(fix.additions))
    assert edit is not None
    new = apply(text, [edit])
    tomllib.loads(new)
    return new


def test_psycopg2_needs_libpq():
    [f], text = findings(MISSING / "psycopg2/pyproject.toml", {"missing-external-dependency"})
    assert text[f.start:f.end] == '"psycopg2>=2.9"'
    assert "psycopg2 links against libpq" in f.message and "dep:generic/libpq" in f.message
    new = apply_fix(text, f.fixes[0])
    assert tomllib.loads(new)["external"]["dependencies"] == ["dep:generic/libpq"]
    assert new.startswith(text)  # appended; nothing before it changed
    assert findings(new, {"missing-external-dependency"})[0] == []
    assert f.fixes[1].title.startswith("Add dep:generic/libpq to [external].host-requires")


SOURCE = CheckContext(install="source")


def test_lxml_two_depurls_and_marker_carried_over():
    [f], text = findings(MISSING / "lxml/pyproject.toml", {"missing-external-dependency"}, SOURCE)
    assert {"dep:generic/libxml2", "dep:generic/libxslt"} <= set(f.data["depurls"])
    deps = tomllib.loads(apply_fix(text, f.fixes[0]))["external"]["dependencies"]
    assert 'dep:generic/libxml2; sys_platform == "linux"' in deps
    assert 'dep:generic/libxslt; sys_platform == "linux"' in deps


def test_maturin_needs_rust():
    [f], text = findings(MISSING / "maturin/pyproject.toml", {"missing-build-tool"})
    assert text[f.start:f.end] == '"maturin>=1.5,<2"' and "maturin builds Rust" in f.message
    new = apply_fix(text, f.fixes[0])
    assert tomllib.loads(new)["external"]["build-requires"] == ["dep:virtual/compiler/rust"]


def test_setuptools_extension_evidence(tmp_path):
    text = '[build-system]\nrequires = ["setuptools"]\n'
    assert findings(text, {"missing-build-tool"})[0] == []
    (tmp_path / "setup.py").write_text("from setuptools import setup, Extension\nsetup(ext_modules=[Extension('x', ['x.c'])])\n")
    [f], _ = findings(text, {"missing-build-tool"}, CheckContext(tmp_path))
    assert "setup.py defines extension modules" in f.message


def test_binary_wheel_variant_is_information():
    [f], _ = findings(MISSING / "binary/pyproject.toml", {"missing-external-dependency", "bundled-native-library"})
    assert f.code == "bundled-native-library" and f.default_severity.name == "INFORMATION"


def test_extras_and_groups_go_to_matching_tables():
    found, text = findings(MISSING / "extras/pyproject.toml", {"missing-external-dependency"}, SOURCE)
    by_name = {f.data["project"]: f for f in found}
    assert set(by_name) == {"psycopg2", "lxml"}
    pg = tomllib.loads(apply_fix(text, by_name["psycopg2"].fixes[0]))
    assert pg["external"]["optional-dependencies"]["postgres"] == ["dep:generic/libpq"]
    # libxml2 is declared (in its legacy spelling), so only the rest is missing
    assert "dep:generic/libxml2" not in by_name["lxml"].data["depurls"]
    grp = tomllib.loads(apply_fix(text, by_name["lxml"].fixes[0]))
    assert "dep:generic/libxslt" in grp["external"]["dependency-groups"]["test"]


def test_wheel_user_is_told_only_what_the_wheels_need():
    # lxml's manylinux wheels link libxml2/libxslt statically: nothing for a wheel user
    assert findings(MISSING / "lxml/pyproject.toml", {"missing-external-dependency"})[0] == []
    # psycopg 3 (pure Python) loads libpq with ctypes: a wheel user needs it from the system
    text = '[project]\nname = "a"\nversion = "1"\ndependencies = ["psycopg>=3.1"]\n'
    [f], _ = findings(text, {"missing-external-dependency"})
    assert f.data["depurls"] == ["dep:generic/libpq"] and f.data["kinds"] == {"dep:generic/libpq": "runtime-system"}
    assert "(runtime-system)" in f.message and "psycopg/pq/" in f.data["evidence"]["dep:generic/libpq"]
    assert tomllib.loads(apply_fix(text, f.fixes[0]))["external"]["dependencies"] == ["dep:generic/libpq"]


def test_psycopg_binary_extra_needs_no_libpq():
    text = '[project]\nname = "a"\nversion = "1"\ndependencies = ["psycopg[binary]>=3.1"]\n'
    assert findings(text, {"missing-external-dependency"})[0] == []
    assert findings(text, {"missing-external-dependency"}, SOURCE)[0] == []


def test_source_builder_is_told_build_tools_too():
    text = '[project]\nname = "a"\nversion = "1"\ndependencies = ["lxml"]\n'
    [f], _ = findings(text, {"missing-external-dependency"}, SOURCE)
    assert f.data["kinds"]["dep:generic/libxml2"] == "host" and f.data["kinds"]["dep:virtual/compiler/c"] == "build"
    ext = tomllib.loads(apply_fix(text, f.fixes[0]))["external"]
    assert "dep:virtual/compiler/c" in ext["build-requires"] and "dep:generic/libxml2" in ext["dependencies"]


@needs_cc
def test_venv_library_maps_to_zlib(tmp_path):
    venv = make_venv(tmp_path)
    text = '[project]\nname = "withvenv"\nversion = "1"\n'
    [f], _ = findings(text, {"venv-missing-library"}, CheckContext(tmp_path, scan(venv)))
    assert f.data["depurls"] == ["dep:generic/zlib"] and "libz.so.1" in f.message
    assert text[f.start:f.end] == "[project]"
    new = apply_fix(text, f.fixes[0])
    assert tomllib.loads(new)["external"]["dependencies"] == ["dep:generic/zlib"]
    assert findings(new, {"venv-missing-library"}, CheckContext(tmp_path, scan(venv)))[0] == []


@pytest.mark.parametrize("path", GALLERY, ids=lambda p: p.parent.name)
def test_style_gallery_byte_exact(path):
    original = path.read_bytes()
    text = original.decode()
    edit = add_to_external(text, [Addition("dependencies", "dep:generic/libpq"), Addition("build-requires", "dep:virtual/compiler/rust")])
    new = apply(text, [edit]) if edit else text
    assert new.encode() == (path.parent / "expected.toml").read_bytes()
    # bytes outside the edit are the original's
    if edit:
        assert new[: edit.start] == text[: edit.start] and new[len(new) - (len(text) - edit.end):] == text[edit.end:]
    # applying the same additions again adds nothing
    assert add_to_external(new, [Addition("dependencies", "dep:generic/libpq"), Addition("build-requires", "dep:virtual/compiler/rust")]) is None


def test_gallery_has_at_least_ten_shapes():
    assert len(GALLERY) >= 10


def test_refuses_to_edit_invalid_or_wrongly_typed_files():
    assert add_to_external('[external]\nhost-requires = ["a"\n', [Addition("host-requires", "dep:generic/zlib")]) is None
    assert add_to_external('[external]\nhost-requires = "x"\n', [Addition("host-requires", "dep:generic/zlib")]) is None


SPECS = ["dep:generic/zlib", "dep:generic/libpq", "dep:virtual/compiler/c", "dep:generic/openssl; os_name == 'posix'",
         "dep:generic/it's", 'dep:generic/q"uote']
KEYS = [("build-requires", None), ("host-requires", None), ("dependencies", None),
        ("optional-dependencies", "extra"), ("dependency-groups", "dev"), ("optional-host-requires", "gpu")]


@st.composite
def valid_pyprojects(draw):
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    lines = ['[project]', 'name = "p"', 'version = "1"', ""]
    if draw(st.booleans()):
        lines.append("[external]")
        for key in draw(st.lists(st.sampled_from(["build-requires", "host-requires", "dependencies"]), unique=True)):
            items = draw(st.lists(st.sampled_from(['"dep:generic/zlib"', "'pkg:generic/gmp'", '"dep:virtual/compiler/c"']), max_size=3, unique=True))
            if draw(st.booleans()):
                body = "".join(f"  {i},  # c{n}{nl}" for n, i in enumerate(items))
                lines.append(f"{key} = [{nl}{body}]")
            else:
                lines.append(f"{key} = [{', '.join(items)}]")
    if draw(st.booleans()):
        lines += ["", "[tool.other]", "x = 1"]
    return nl.join(lines) + (nl if draw(st.booleans()) else "")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_pyprojects(), st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(SPECS)), min_size=1, max_size=6))
def test_random_fix_sequences_keep_toml_valid_and_bytes(text, steps):
    for (key, group), spec in steps:
        edit = add_to_external(text, [Addition(key, spec, group)])
        if edit is None:
            continue
        new = apply(text, [edit])
        data = tomllib.loads(new)
        assert new[: edit.start] == text[: edit.start]
        assert new[len(new) - (len(text) - edit.end):] == text[edit.end:]
        target = data["external"][key] if group is None else data["external"][key][group]
        assert spec in target
        if "\r\n" in text:
            assert "\n" not in new.replace("\r\n", "")
        text = new
