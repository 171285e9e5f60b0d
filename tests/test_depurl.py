"""The DepURL model: every part, every problem, and the whole PEP 804 registry."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from pep725_ls import depurl

REGISTRY = Path(__file__).parents[2] / "shared/spec/emm/data/registry.json"
VENDORED = Path(depurl.__file__).parent / "data/emm/registry.json"


def registry_ids():
    path = REGISTRY if REGISTRY.exists() else VENDORED
    return [d["id"] for d in json.loads(path.read_text())["definitions"]]


@pytest.mark.parametrize("depurl_id", registry_ids())
def test_every_registry_id_is_a_valid_depurl(depurl_id):
    spec = depurl.parse(depurl_id)
    assert spec.problems == ()
    assert spec.registry_id == depurl_id


def test_parts_and_spans():
    text = "dep:github/AbiWord/enchant@>=2.0,<3?foo=bar#sub/dir; platform_system!='Windows'"
    spec = depurl.parse(text)
    assert spec.is_valid
    for part, expected in [("type", "github"), ("namespace", "AbiWord"), ("name", "enchant"),
                           ("version", ">=2.0,<3"), ("qualifiers", "foo=bar"), ("subpath", "sub/dir"),
                           ("marker", "platform_system!='Windows'")]:
        p = getattr(spec, part)
        assert p.text == expected and text[p.start : p.end] == expected
    assert spec.package_id == "dep:github/AbiWord/enchant"


@pytest.mark.parametrize(
    "text, code, part",
    [
        ("dep:generic/zlib@~=1.2", "unsupported-version-operator", "version"),
        ("dep:generic/zlib@!=1.2", "unsupported-version-operator", "version"),
        ("dep:generic/zlib@===1.2", "unsupported-version-operator", "version"),
        ("dep:generic/zlib@1.2.*", "unsupported-version-operator", "version"),
        ("dep:generic/zlib@>=x", "invalid-depurl", "version"),
        ("dep:generic/zlib@", "invalid-depurl", "version"),
        ("dep:generic/", "invalid-depurl", "name"),
        ("dep:", "invalid-depurl", "type"),
        ("dep:/zlib", "invalid-depurl", "type"),
        ("dep:gen eric/zlib", "invalid-depurl", "type"),
        ("dep:nosuchtype/zlib", "unknown-type", "type"),
        ("dep:virtual/compiler/C", "invalid-depurl", "name"),
        ("dep:virtual/c", "invalid-depurl", "namespace"),
        ("dep:virtual/language/c", "unknown-name", "namespace"),
        ("dep:generic/zlib?=x", "invalid-depurl", "qualifiers"),
        ("dep:generic/zlib#../x", "invalid-depurl", "subpath"),
        ("dep:generic/zlib; os_name =", "invalid-marker", "marker"),
        ("dep:generic/zlib;", "invalid-marker", "marker"),
        ("zlib>=1", "invalid-depurl", "scheme"),
        ("purl:generic/zlib", "invalid-depurl", "scheme"),
        ("", "invalid-depurl", "scheme"),
    ],
)
def test_problems_name_the_wrong_part(text, code, part):
    problems = depurl.parse(text).problems
    assert [(p.code, p.part) for p in problems][:1] == [(code, part)]
    for p in problems:
        assert 0 <= p.start <= p.end <= len(text)


def test_allowed_versions():
    for v in ["1.2", "==1.2", ">=1.2,<2", ">1", "<=3.0.1", ">= 1.2 , < 2"]:
        assert depurl.parse(f"dep:generic/zlib@{v}").is_valid, v


@pytest.mark.parametrize(
    "legacy, modern",
    [
        ("pkg:generic/zlib", "dep:generic/zlib"),
        ("virtual:compiler/c", "dep:virtual/compiler/c"),
        ("virtual:interface/blas@>=3.7", "dep:virtual/interface/blas@>=3.7"),
        ("pkg:generic/libxcb; platform_system=='Linux'", "dep:generic/libxcb; platform_system=='Linux'"),
    ],
)
def test_legacy_forms_and_their_replacement(legacy, modern):
    spec = depurl.parse(legacy)
    assert [p.code for p in spec.problems] == ["legacy-depurl"]
    assert spec.legacy_replacement == modern
    assert depurl.parse(modern).is_valid
    assert spec.package_id == depurl.parse(modern).package_id


def test_legacy_problems_point_into_the_legacy_text():
    text = "pkg:generic/zlib@~=1"
    spec = depurl.parse(text)
    version = [p for p in spec.problems if p.code == "unsupported-version-operator"][0]
    assert text[version.start : version.end] == "~=1"


def test_version_satisfied_by():
    assert depurl.version_satisfied_by(">=1.2,<2", "1.3.1") is True
    assert depurl.version_satisfied_by("1.3.1", "1.3.1") is True
    assert depurl.version_satisfied_by("<1", "1.3.1") is False
    assert depurl.version_satisfied_by(">=1", "not-a-version") is None


@given(st.text(max_size=80))
def test_any_text_parses_without_raising(text):
    spec = depurl.parse(text)
    for p in spec.problems:
        assert 0 <= p.start <= p.end <= len(text)
