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
        ("dep:generic", "invalid-depurl", "name"),
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
    for v in ["1.2", "==1.2", ">=1.2,<2", ">1", "<=3.0.1", "==1.2.3+local", "1.2.3+local", "%3E%3D1.2"]:
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


# -- issue 14: each case as the purl specification and PEP 440 say ---------------------

@pytest.mark.parametrize(
    "text, part, why",
    [
        ("dep:generic/zlib@>=1.2.3+local", "version", "PEP 440: local versions only with =="),
        ("dep:generic/zlib@<2+x,>=1", "version", "PEP 440: local versions only with =="),
        ("dep:virtual/compiler/c @>=1999", "name", "purl: a space is %20"),
        ("dep:generic/zlib@>= 1.2", "version", "purl: a space is %20"),
        ("dep:generic/zl\nib", "scheme", "a control character stops the DepURL"),
        ("dep:generic/zlib\x00", "scheme", "a control character stops the DepURL"),
        ("dep:generic/zlib\n", "scheme", "only space and tab surround a specifier (PEP 508 wsp)"),
        ("\ndep:generic/zlib", "scheme", "only space and tab surround a specifier (PEP 508 wsp)"),
        ("dep:generic/zlib?a=b&a=c", "qualifiers", "purl: qualifier keys are unique"),
        ("dep:generic/zlib?a=b&A=c", "qualifiers", "purl: keys are lowercase"),
        ("dep:-x/y", "type", "purl: a type starts with a letter"),
        ("dep:9x/y", "type", "purl: a type starts with a letter"),
        ("dep:a_b/y", "type", "purl: a type has no '_'"),
        ("dep:a+b/y", "type", "purl: a type has no '+' (any more)"),
        ("dep:generic/café", "name", "purl: a PURL string is ASCII; write %C3%A9"),
        ("dep:generic/z%zz", "name", "'%' starts a %XX escape"),
        ("dep:generic/a%2Fb", "name", "an encoded '/' is still not allowed in a name"),
        ("dep:generic/a@b/c", "namespace", "'@' inside a namespace is %40"),
        ("dep:github//org/name", "namespace", "purl: namespace segments shall not be empty"),
        ("dep:swift/github.com/Alamofire/@5.4.3", "name", "purl-spec suite: no name after the last '/'"),
        ("dep:github/zlib", "namespace", "purl type definition: github requires a namespace"),
        ("dep:vcpkg/boost/asio", "namespace", "purl type definition: vcpkg prohibits a namespace"),
        ("dep:generic/zlib?A=b", "qualifiers", "purl: a key is lowercase (purl-spec 'required' test)"),
    ],
)
def test_what_the_specs_reject(text, part, why):
    problems = depurl.parse(text).problems
    assert [(p.code, p.part) for p in problems][:1] == [("invalid-depurl", part)], why
    for p in problems:
        assert p.message.isprintable(), "a message is one line, whatever the input holds"


@pytest.mark.parametrize(
    "text, namespace, name, version",
    [
        ("dep:npm/@babel/core", "@babel", "core", None),
        ("dep:npm/%40babel/core", "%40babel", "core", None),
        ("dep:npm/@babel/core@7.0", "@babel", "core", "7.0"),
        ("dep://generic/zlib", None, "zlib", None),
        ("dep:/generic/zlib@1.3", None, "zlib", "1.3"),
        ("dep:vcpkg/zlib", None, "zlib", None),
        ("dep:yocto/openembedded/zlib", "openembedded", "zlib", None),
        ("dep:conan/zlib", None, "zlib", None),
        ("dep:generic/zlib@==1.2.3+local", None, "zlib", "==1.2.3+local"),
        (" \tdep:generic/zlib\t ; os_name == 'posix' ", None, "zlib", None),
    ],
)
def test_what_the_specs_accept(text, namespace, name, version):
    spec = depurl.parse(text)
    assert spec.problems == ()
    assert (spec.namespace and spec.namespace.text, spec.name.text, spec.version and spec.version.text) == (namespace, name, version)


def test_npm_scope_encoded_or_not_is_one_package():
    assert depurl.parse("dep:npm/%40babel/core").package_id == "dep:npm/@babel/core"
    assert depurl.parse("dep:npm/@babel/core@7").package_id == "dep:npm/@babel/core"


def test_slashes_after_the_scheme_are_dropped():
    assert depurl.parse("dep://generic/zlib").package_id == "dep:generic/zlib"
    spec = depurl.parse("dep:///generic/zlib")
    assert spec.type.text == "generic" and spec.type.start == len("dep:///")


def test_every_current_purl_type_is_known():
    index = json.loads((Path(depurl.__file__).parent / "data/purl-types/purl-types-index.json").read_text())
    assert len(index) >= 42
    for type_ in index + ["virtual", "VCPKG", "Chrome-Extension"]:
        problems = depurl.parse(f"dep:{type_}/name").problems + depurl.parse(f"dep:{type_}/ns/name").problems
        assert "unknown-type" not in [p.code for p in problems], type_


def test_type_case_is_ignored():
    assert depurl.parse("dep:Generic/zlib").package_id == "dep:generic/zlib"
    assert depurl.parse("dep:GENERIC/zlib").is_valid
