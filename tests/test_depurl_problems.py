"""Every problem the DepURL parser reports, with its exact message, span, part and fix.

One row per branch of depurl.py, reviewed by hand: what the editor underlines and says
for each kind of mistake. (test_depurl.py holds the properties and the spec cases; this
table is what mutation testing showed was missing: a message or a span could change and
only the count of problems was checked.)
"""

from __future__ import annotations

import pytest

from conftest import ascii_id

from pep725_ls import depurl

PROBLEMS = [
    ('', [('invalid-depurl', 'empty specifier: expected a DepURL such as dep:generic/zlib', 0, 0, 'scheme', None)]),
    ('   ', [('invalid-depurl', 'empty specifier: expected a DepURL such as dep:generic/zlib', 0, 3, 'scheme', None)]),
    ('dep:', [('invalid-depurl', "missing type and name after 'dep:' (e.g. dep:generic/zlib)", 0, 4, 'type', None)]),
    ('dep:generic/zl\x01ib', [('invalid-depurl', "control character '\\x01' (U+0001) inside the DepURL", 14, 15, 'scheme', None)]),
    ('dep:generic/zl ib', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 14, 15, 'name', None)]),
    ('dep:generic/zlïb', [('invalid-depurl', "non-ASCII character 'ï' must be percent-encoded (%C3%AF)", 14, 15, 'name', None)]),
    ('dep:generic/zlib%', [('invalid-depurl', "'%' must start a percent-encoded %XX escape (write '%25' for '%')", 16, 17, 'name', None)]),
    ('dep:generic/zl%2', [('invalid-depurl', "'%' must start a percent-encoded %XX escape (write '%25' for '%')", 14, 15, 'name', None)]),
    ('zlib', [('invalid-depurl', "not a DepURL: it must start with 'dep:' (e.g. dep:generic/zlib)", 0, 4, 'scheme', None)]),
    ('pkgs:generic/zlib', [('invalid-depurl', "unknown scheme 'pkgs:'; a DepURL starts with 'dep:'", 0, 5, 'scheme', None)]),
    ('pkg:generic/zlib@>=1.2', [('legacy-depurl', "'pkg:' is the 2023 draft form; PEP 725 now writes 'dep:generic/zlib@>=1.2'", 0, 22, 'scheme', None)]),
    ("  virtual:compiler/c ; os_name == 'posix'", [('legacy-depurl', "'virtual:' is the 2023 draft form; PEP 725 now writes 'dep:virtual/compiler/c'", 2, 20, 'scheme', None)]),
    ('virtual:interface/BLAS', [('legacy-depurl', "'virtual:' is the 2023 draft form; PEP 725 now writes 'dep:virtual/interface/BLAS'", 0, 22, 'scheme', None), ('invalid-depurl', "virtual names are lowercase: 'blas'", 18, 22, 'name', None)]),
    ('dep:generic/zlib;', [('invalid-marker', "empty environment marker after ';'", 16, 17, 'marker', None)]),
    ("dep:generic/zlib; os_name == 'posix\x02'", [('invalid-marker', "control character '\\x02' (U+0002) in the environment marker", 35, 36, 'marker', None)]),
    ("dep:generic/zlib; os_nme == 'x'", [('invalid-marker', 'invalid environment marker: Expected a marker variable or quoted string', 18, 31, 'marker', None)]),
    ('dep:/zlib', [('unknown-type', "unknown type 'zlib': not a purl type nor 'virtual'", 5, 9, 'type', None), ('invalid-depurl', "missing name after 'dep:zlib'", 9, 9, 'name', None)]),
    ('dep:9x/zlib', [('invalid-depurl', "invalid type '9x': a purl type is ASCII letters, digits, '.' and '-', starting with a letter", 4, 6, 'type', None)]),
    ('dep:debian/zlib', [('unknown-type', "unknown type 'debian': not a purl type nor 'virtual'", 4, 10, 'type', None)]),
    ('dep:generic/', [('invalid-depurl', "missing name after 'dep:generic/'", 12, 12, 'name', None)]),
    ('dep:generic', [('invalid-depurl', "missing name after 'dep:generic'", 11, 11, 'name', None)]),
    ('dep:generic//zlib', [('invalid-depurl', "empty namespace segment ('//'): purl namespace segments shall not be empty", 12, 12, 'namespace', None)]),
    ('dep:github/owner//zlib', [('invalid-depurl', "empty namespace segment ('//'): purl namespace segments shall not be empty", 11, 17, 'namespace', None)]),
    ('dep:generic/zl@ib', [('invalid-depurl', "invalid version 'ib' (PEP 440)", 15, 17, 'version', None)]),
    ('dep:generic/%ff', [('invalid-depurl', "the name '%ff' does not decode to UTF-8 text", 12, 15, 'name', None)]),
    ('dep:generic/a%2Fb', [('invalid-depurl', "a name segment shall not contain '/', even percent-encoded (%2F)", 12, 17, 'name', None)]),
    ('dep:npm/a%2Fb/c', [('invalid-depurl', "a namespace segment shall not contain '/', even percent-encoded (%2F)", 8, 13, 'namespace', None)]),
    ('dep:github/zlib', [('invalid-depurl', "a 'github' DepURL needs a namespace (user or organization): dep:github/<namespace>/zlib", 11, 15, 'namespace', None)]),
    ('dep:virtual/zlib', [('invalid-depurl', 'a virtual DepURL is dep:virtual/<compiler|interface>/<name>', 12, 16, 'namespace', None)]),
    ('dep:virtual/compilers/c', [('unknown-name', "unknown virtual namespace 'compilers': expected 'compiler' or 'interface'", 12, 21, 'namespace', None)]),
    ('dep:virtual/Compiler/c', [('invalid-depurl', "virtual namespace must be lowercase: 'compiler'", 12, 20, 'namespace', 'compiler')]),
    ('dep:virtual/compiler/C', [('invalid-depurl', "virtual names are lowercase: 'c'", 21, 22, 'name', 'c')]),
    ('dep:virtual/compiler/c/extra', [('invalid-depurl', 'a virtual DepURL is dep:virtual/<compiler|interface>/<name>', 12, 28, 'namespace', None)]),
    ('dep:generic/zlib@', [('invalid-depurl', "empty version after '@'", 16, 17, 'version', None)]),
    ('dep:generic/zlib@%ff', [('invalid-depurl', 'the version does not decode to UTF-8 text', 17, 20, 'version', None)]),
    ('dep:generic/zlib@>=1,', [('invalid-depurl', "missing version after ','", 21, 21, 'version', None)]),
    ('dep:generic/zlib@>=1.*', [('unsupported-version-operator', "wildcards ('*') are not allowed in a DepURL version", 17, 22, 'version', None)]),
    ('dep:generic/zlib@~=1.2', [('unsupported-version-operator', "'~=' is not allowed in a DepURL version; use >=, >, <, <= or == joined by ','", 17, 22, 'version', None)]),
    ('dep:generic/zlib@!=1', [('unsupported-version-operator', "'!=' is not allowed in a DepURL version; use >=, >, <, <= or == joined by ','", 17, 20, 'version', None)]),
    ('dep:generic/zlib@===1', [('unsupported-version-operator', "'===' is not allowed in a DepURL version; use >=, >, <, <= or == joined by ','", 17, 21, 'version', None)]),
    ('dep:generic/zlib@=1', [('unsupported-version-operator', "'=' is not allowed in a DepURL version; use >=, >, <, <= or == joined by ','", 17, 19, 'version', None)]),
    ('dep:generic/zlib@>=abc', [('invalid-depurl', "invalid version 'abc' (PEP 440)", 17, 22, 'version', None)]),
    ('dep:generic/zlib@>=1.0+local', [('invalid-depurl', "a local version ('1.0+local') is only allowed with '==' (PEP 440), not with '>='", 17, 28, 'version', None)]),
    ('dep:generic/zlib?arch', [('invalid-depurl', "invalid qualifier 'arch': expected key=value with a key of lowercase letters, digits, '.', '-', '_'", 17, 21, 'qualifiers', None)]),
    ('dep:generic/zlib?Arch=x', [('invalid-depurl', "invalid qualifier 'Arch=x': expected key=value with a key of lowercase letters, digits, '.', '-', '_'", 17, 23, 'qualifiers', None)]),
    ('dep:generic/zlib?a=1&A=2', [('invalid-depurl', "invalid qualifier 'A=2': expected key=value with a key of lowercase letters, digits, '.', '-', '_'", 17, 24, 'qualifiers', None)]),
    ('dep:generic/zlib?a=%ff', [('invalid-depurl', "qualifier 'a' does not decode to UTF-8 text", 17, 22, 'qualifiers', None)]),
    ('dep:generic/zlib#', [('invalid-depurl', "invalid subpath: segments may not be empty, '.' or '..'", 17, 17, 'subpath', None)]),
    ('dep:generic/zlib#a//b', [('invalid-depurl', "invalid subpath: segments may not be empty, '.' or '..'", 17, 21, 'subpath', None)]),
    ('dep:generic/zlib#../b', [('invalid-depurl', "invalid subpath: segments may not be empty, '.' or '..'", 17, 21, 'subpath', None)]),
    ('dep:generic/zlib#a/%ff', [('invalid-depurl', "invalid subpath: a segment does not decode to UTF-8 text without '/'", 17, 22, 'subpath', None)]),
    ('dep:generic/zlib#a/%2F', [('invalid-depurl', "invalid subpath: a segment does not decode to UTF-8 text without '/'", 17, 22, 'subpath', None)]),
    # a bad character in each part: the part it is reported in
    ('dep:gen eric/zlib', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 7, 8, 'type', None), ('invalid-depurl', "invalid type 'gen eric': a purl type is ASCII letters, digits, '.' and '-', starting with a letter", 4, 12, 'type', None)]),
    ('dep:github/ow ner/zlib', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 13, 14, 'namespace', None)]),
    ('dep:github/owner/zl ib', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 19, 20, 'name', None)]),
    ('dep:generic/zlib@>=1 .0', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 20, 21, 'version', None), ('invalid-depurl', "invalid version '>=1 .0' (PEP 440)", 17, 23, 'version', None)]),
    ('dep:generic/zlib?a=b c', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 20, 21, 'qualifiers', None)]),
    ('dep:generic/zlib#a b', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 18, 19, 'subpath', None)]),
    ('dep://generic/zl ib', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 16, 17, 'name', None)]),
    ('dep:generic/zlib@1.0?a=%zz', [('invalid-depurl', "'%' must start a percent-encoded %XX escape (write '%25' for '%')", 23, 24, 'qualifiers', None)]),
    ('dep:génériq/x', [('invalid-depurl', "non-ASCII character 'é' must be percent-encoded (%C3%A9)", 5, 6, 'type', None), ('invalid-depurl', "invalid type 'génériq': a purl type is ASCII letters, digits, '.' and '-', starting with a letter", 4, 11, 'type', None)]),
    ('dep:generic/zlib?a=b#sub/p%', [('invalid-depurl', "'%' must start a percent-encoded %XX escape (write '%25' for '%')", 26, 27, 'subpath', None)]),
    ('dep:npm/%40scope/na me@1?x=y', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 19, 20, 'name', None)]),
    # line and paragraph separators and other controls in a marker; namespace rules per type
    ("dep:generic/zlib; os_name == 'posix'\u2028", [('invalid-marker', "control character '\\u2028' (U+2028) in the environment marker", 36, 37, 'marker', None)]),
    ("dep:generic/zlib;\u2029os_name == 'posix'", [('invalid-marker', "control character '\\u2029' (U+2029) in the environment marker", 17, 18, 'marker', None)]),
    ("dep:generic/zlib;\x0cos_name == 'posix'", [('invalid-marker', "control character '\\x0c' (U+000C) in the environment marker", 17, 18, 'marker', None)]),
    ("dep:generic/zlib; os_name == 'posix'\x0b", [('invalid-marker', "control character '\\x0b' (U+000B) in the environment marker", 36, 37, 'marker', None)]),
    ('dep:maven/junit', [('invalid-depurl', "a 'maven' DepURL needs a namespace (groupId): dep:maven/<namespace>/junit", 10, 15, 'namespace', None)]),
    ('dep:swift/x', [('invalid-depurl', "a 'swift' DepURL needs a namespace: dep:swift/<namespace>/x", 10, 11, 'namespace', None)]),
    ('dep:cran/A3@x y', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 13, 14, 'version', None), ('invalid-depurl', "invalid version 'x y' (PEP 440)", 12, 15, 'version', None)]),
    ('dep:golang/x', [('invalid-depurl', "a 'golang' DepURL needs a namespace: dep:golang/<namespace>/x", 11, 12, 'namespace', None)]),
    ('dep:huggingface/x', [('invalid-depurl', "a 'huggingface' DepURL needs a namespace (model repository username or organization): dep:huggingface/<namespace>/x", 16, 17, 'namespace', None)]),
    # what purl type definitions state: prohibited namespaces, permitted characters, required qualifiers
    ('dep:pypi/ns/numpy', [('invalid-depurl', "a 'pypi' DepURL has no namespace: purl prohibits one for this type", 9, 11, 'namespace', None)]),
    ('dep:cargo/x/serde', [('invalid-depurl', "a 'cargo' DepURL has no namespace: purl prohibits one for this type", 10, 11, 'namespace', None)]),
    ('dep:chrome-extension/abc', [('invalid-depurl', "a 'chrome-extension' name must match ^[a-p]{32}$ (purl type definition)", 21, 24, 'name', None)]),
    ('dep:chrome-extension/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@1.x', [('invalid-depurl', "invalid version '1.x' (PEP 440)", 54, 57, 'version', None)]),
    ('dep:chrome-extension/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@>=1.2,<2.x', [('invalid-depurl', "invalid version '2.x' (PEP 440)", 60, 64, 'version', None)]),
    ('dep:pub/Flutter', [('invalid-depurl', "a 'pub' name must match ^[a-z0-9_] (purl type definition)", 8, 15, 'name', None)]),
    ('dep:julia/Example', [('invalid-depurl', "a 'julia' DepURL needs the qualifier 'uuid' (purl type definition)", 10, 17, 'qualifiers', None)]),
    ('dep:swid/acme/x', [('invalid-depurl', "a 'swid' DepURL needs the qualifier 'tag_id' (purl type definition)", 14, 15, 'qualifiers', None)]),
    ('dep:chrome-extension/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@1.0a1', [('invalid-depurl', "a 'chrome-extension' version must match ^\\d+(\\.\\d+){0,3}$ (purl type definition)", 54, 59, 'version', None)]),
    ('dep:chrome-extension/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@>=1.0,<2.0rc1', [('invalid-depurl', "a 'chrome-extension' version must match ^\\d+(\\.\\d+){0,3}$ (purl type definition)", 54, 67, 'version', None)]),
    # which part a character problem is in: each component, and around other separators
    ('dep:generic/zl ib?a=b:c', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 14, 15, 'name', None)]),
    ('dep:generic/zlib@1 .0', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 18, 19, 'version', None), ('invalid-depurl', "invalid version '1 .0' (PEP 440)", 17, 21, 'version', None)]),
    ('dep:generic/zlib?a=b c', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 20, 21, 'qualifiers', None)]),
    ('dep:generic/zlib#sub dir', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 20, 21, 'subpath', None)]),
    ('dep:gen eric/zlib', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 7, 8, 'type', None), ('invalid-depurl', "invalid type 'gen eric': a purl type is ASCII letters, digits, '.' and '-', starting with a letter", 4, 12, 'type', None)]),
    ('dep:github/own er/zlib', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 14, 15, 'namespace', None)]),
    ('dep:///gen eric/zlib', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 10, 11, 'type', None), ('invalid-depurl', "invalid type 'gen eric': a purl type is ASCII letters, digits, '.' and '-', starting with a letter", 7, 15, 'type', None)]),
    ('dep:/ generic/zlib', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 5, 6, 'type', None), ('invalid-depurl', "invalid type ' generic': a purl type is ASCII letters, digits, '.' and '-', starting with a letter", 5, 13, 'type', None)]),
    ('dep:npm/@scope/na me', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 17, 18, 'name', None)]),
    ('dep:generic/zl ibX/x', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 14, 15, 'namespace', None)]),
    # line and paragraph separators are control characters; a no-break space is a space
    ('dep:generic/zl\u2028ib', [('invalid-depurl', "control character '\\u2028' (U+2028) inside the DepURL", 14, 15, 'scheme', None)]),
    ('dep:generic/zl\u2029ib', [('invalid-depurl', "control character '\\u2029' (U+2029) inside the DepURL", 14, 15, 'scheme', None)]),
    ('dep:generic/zl\xa0ib', [('invalid-depurl', 'a space inside a DepURL must be percent-encoded as %20', 14, 15, 'name', None)]),
    ('dep:generic/zl\ud800ib', [('invalid-depurl', "non-ASCII character '\\ud800' must be percent-encoded (%ED%A0%80)", 14, 15, 'name', None)]),
    # '@' inside a segment: the first one, from the start of a name; parsing stops at the first bad segment
    ('dep:generic/a@b@c@1.0', [('invalid-depurl', "'@' inside a name must be percent-encoded as %40", 13, 14, 'name', None)]),
    ('dep:generic/@zlib@1', [('invalid-depurl', "'@' inside a name must be percent-encoded as %40", 12, 13, 'name', None)]),
    ('dep:npm/a@b/c@d@1', [('invalid-depurl', "'@' inside a namespace must be percent-encoded as %40", 9, 10, 'namespace', None)]),
    ('dep:npm/%ff/%fe', [('invalid-depurl', "the namespace '%ff' does not decode to UTF-8 text", 8, 11, 'namespace', None)]),
    ('dep:npm/a%2Fb/c%2Fd', [('invalid-depurl', "a namespace segment shall not contain '/', even percent-encoded (%2F)", 8, 13, 'namespace', None)]),
    # versions: spans of percent-encoded clauses, and every clause judged
    ('dep:generic/zlib@%3E%3D1,~=2', [('unsupported-version-operator', "'~=' is not allowed in a DepURL version; use >=, >, <, <= or == joined by ','", 17, 28, 'version', None)]),
    ('dep:generic/zlib@>=1%,~=2', [('invalid-depurl', "'%' must start a percent-encoded %XX escape (write '%25' for '%')", 20, 21, 'version', None), ('invalid-depurl', "invalid version '1%' (PEP 440)", 17, 21, 'version', None), ('unsupported-version-operator', "'~=' is not allowed in a DepURL version; use >=, >, <, <= or == joined by ','", 22, 25, 'version', None)]),
    ('dep:generic/zlib@~=1,!=2,>=,*,>=x,<=1.0+local', [('unsupported-version-operator', "'~=' is not allowed in a DepURL version; use >=, >, <, <= or == joined by ','", 17, 20, 'version', None), ('unsupported-version-operator', "'!=' is not allowed in a DepURL version; use >=, >, <, <= or == joined by ','", 21, 24, 'version', None), ('invalid-depurl', "missing version after '>='", 25, 27, 'version', None), ('unsupported-version-operator', "wildcards ('*') are not allowed in a DepURL version", 28, 29, 'version', None), ('invalid-depurl', "invalid version 'x' (PEP 440)", 30, 33, 'version', None), ('invalid-depurl', "a local version ('1.0+local') is only allowed with '==' (PEP 440), not with '<='", 34, 45, 'version', None)]),
    # qualifiers and subpaths
    ('dep:generic/zlib#a/./b', [('invalid-depurl', "invalid subpath: segments may not be empty, '.' or '..'", 17, 22, 'subpath', None)]),
    # what purl type definitions state: version and name characters, required qualifiers
    ('dep:chrome-extension/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@>=1.2.3.4.5', [('invalid-depurl', "a 'chrome-extension' version must match ^\\d+(\\.\\d+){0,3}$ (purl type definition)", 54, 65, 'version', None)]),
    ('dep:chrome-extension/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@>=1.2,<1.2.3.4.5', [('invalid-depurl', "a 'chrome-extension' version must match ^\\d+(\\.\\d+){0,3}$ (purl type definition)", 54, 70, 'version', None)]),
    ('dep:chrome-extension/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', [('invalid-depurl', "a 'chrome-extension' name must match ^[a-p]{32}$ (purl type definition)", 21, 53, 'name', None)]),
    ('dep:pub/Zlib', [('invalid-depurl', "a 'pub' name must match ^[a-z0-9_] (purl type definition)", 8, 12, 'name', None)]),
    ('dep:swid/x?tag_id', [('invalid-depurl', "invalid qualifier 'tag_id': expected key=value with a key of lowercase letters, digits, '.', '-', '_'", 11, 17, 'qualifiers', None)]),
    ('dep:swid/x', [('invalid-depurl', "a 'swid' DepURL needs the qualifier 'tag_id' (purl type definition)", 9, 10, 'qualifiers', None)]),
    ('dep:julia/x', [('invalid-depurl', "a 'julia' DepURL needs the qualifier 'uuid' (purl type definition)", 10, 11, 'qualifiers', None)]),
    ('dep:virtual/compiler', [('invalid-depurl', 'a virtual DepURL is dep:virtual/<compiler|interface>/<name>', 12, 20, 'namespace', None)]),
    ('dep:virtual/a/b/c', [('invalid-depurl', 'a virtual DepURL is dep:virtual/<compiler|interface>/<name>', 12, 17, 'namespace', None)]),
    # an '@' right before or after a '/': a version only after the last segment
    ('dep:generic/@1.0', [('invalid-depurl', "missing name after 'dep:generic/'", 12, 12, 'name', None)]),
    ('dep:npm/x@/y', [('invalid-depurl', "'@' inside a namespace must be percent-encoded as %40", 9, 10, 'namespace', None)]),
    ('dep:npm/scope/', [('invalid-depurl', "missing name after 'dep:npm/scope/'", 14, 14, 'name', None)]),
    # a message shows a control character escaped, and a backslash as it is
    ('pkg:generic/zl\\ib\x01', [('legacy-depurl', "'pkg:' is the 2023 draft form; PEP 725 now writes 'dep:generic/zl\\ib\\x01'", 0, 18, 'scheme', None), ('invalid-depurl', "control character '\\x01' (U+0001) inside the DepURL", 17, 18, 'scheme', None)]),
    # a '+' with an ordered operator but no local version: just an invalid version
    ('dep:generic/zlib@>=1+', [('invalid-depurl', "invalid version '1+' (PEP 440)", 17, 21, 'version', None)]),
]


@pytest.mark.parametrize("text, expected", PROBLEMS, ids=[ascii_id(t) for t, _ in PROBLEMS])
def test_problem_rows(text, expected):
    spec = depurl.parse(text)
    assert [(p.code, p.message, p.start, p.end, p.part, p.replacement) for p in spec.problems] == expected
    assert not spec.is_valid


PARTS = [
    ('dep:', {'scheme': ('dep:', 0, 4)}, None),
    ('dep:generic/zl\x01ib', {'scheme': ('dep:', 0, 4)}, None),
    ('dep:generic/zl ib', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zl ib', 12, 17)}, None),
    ('dep:generic/zlïb', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlïb', 12, 16)}, None),
    ('dep:generic/zlib%', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib%', 12, 17)}, None),
    ('dep:generic/zl%2', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zl%2', 12, 16)}, None),
    ('pkg:generic/zlib@>=1.2', {'scheme': ('pkg:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('>=1.2', 17, 22)}, 'dep:generic/zlib@>=1.2'),
    ("  virtual:compiler/c ; os_name == 'posix'", {'scheme': ('virtual:', 2, 10), 'type': ('virtual', 2, 9), 'namespace': ('compiler', 10, 18), 'name': ('c', 19, 20), 'marker': ("os_name == 'posix'", 23, 41)}, "  dep:virtual/compiler/c ; os_name == 'posix'"),
    ('virtual:interface/BLAS', {'scheme': ('virtual:', 0, 8), 'type': ('virtual', 0, 7), 'namespace': ('interface', 8, 17), 'name': ('BLAS', 18, 22)}, 'dep:virtual/interface/BLAS'),
    ('dep:generic/zlib;', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'marker': ('', 17, 17)}, None),
    ("dep:generic/zlib; os_name == 'posix\x02'", {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'marker': ("os_name == 'posix\x02'", 18, 37)}, None),
    ("dep:generic/zlib; os_nme == 'x'", {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'marker': ("os_nme == 'x'", 18, 31)}, None),
    ('dep:/zlib', {'scheme': ('dep:', 0, 4), 'type': ('zlib', 5, 9)}, None),
    ('dep:9x/zlib', {'scheme': ('dep:', 0, 4), 'type': ('9x', 4, 6), 'name': ('zlib', 7, 11)}, None),
    ('dep:debian/zlib', {'scheme': ('dep:', 0, 4), 'type': ('debian', 4, 10), 'name': ('zlib', 11, 15)}, None),
    ('dep:generic/', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11)}, None),
    ('dep:generic', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11)}, None),
    ('dep:generic//zlib', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'namespace': ('', 12, 12), 'name': ('zlib', 13, 17)}, None),
    ('dep:github/owner//zlib', {'scheme': ('dep:', 0, 4), 'type': ('github', 4, 10), 'namespace': ('owner/', 11, 17), 'name': ('zlib', 18, 22)}, None),
    ('dep:generic/zl@ib', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zl', 12, 14), 'version': ('ib', 15, 17)}, None),
    ('dep:generic/%ff', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('%ff', 12, 15)}, None),
    ('dep:generic/a%2Fb', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('a%2Fb', 12, 17)}, None),
    ('dep:npm/a%2Fb/c', {'scheme': ('dep:', 0, 4), 'type': ('npm', 4, 7), 'namespace': ('a%2Fb', 8, 13), 'name': ('c', 14, 15)}, None),
    ('dep:github/zlib', {'scheme': ('dep:', 0, 4), 'type': ('github', 4, 10), 'name': ('zlib', 11, 15)}, None),
    ('dep:generic/ns/zlib', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'namespace': ('ns', 12, 14), 'name': ('zlib', 15, 19)}, None),
    ('dep:virtual/zlib', {'scheme': ('dep:', 0, 4), 'type': ('virtual', 4, 11), 'name': ('zlib', 12, 16)}, None),
    ('dep:virtual/compilers/c', {'scheme': ('dep:', 0, 4), 'type': ('virtual', 4, 11), 'namespace': ('compilers', 12, 21), 'name': ('c', 22, 23)}, None),
    ('dep:virtual/Compiler/c', {'scheme': ('dep:', 0, 4), 'type': ('virtual', 4, 11), 'namespace': ('Compiler', 12, 20), 'name': ('c', 21, 22)}, None),
    ('dep:virtual/compiler/C', {'scheme': ('dep:', 0, 4), 'type': ('virtual', 4, 11), 'namespace': ('compiler', 12, 20), 'name': ('C', 21, 22)}, None),
    ('dep:virtual/compiler/c/extra', {'scheme': ('dep:', 0, 4), 'type': ('virtual', 4, 11), 'namespace': ('compiler/c', 12, 22), 'name': ('extra', 23, 28)}, None),
    ('dep:generic/zlib@', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('', 17, 17)}, None),
    ('dep:generic/zlib@%ff', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('%ff', 17, 20)}, None),
    ('dep:generic/zlib@>=1,', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('>=1,', 17, 21)}, None),
    ('dep:generic/zlib@>=1.*', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('>=1.*', 17, 22)}, None),
    ('dep:generic/zlib@~=1.2', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('~=1.2', 17, 22)}, None),
    ('dep:generic/zlib@!=1', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('!=1', 17, 20)}, None),
    ('dep:generic/zlib@===1', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('===1', 17, 21)}, None),
    ('dep:generic/zlib@=1', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('=1', 17, 19)}, None),
    ('dep:generic/zlib@1.2', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('1.2', 17, 20)}, None),
    ('dep:generic/zlib@>=abc', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('>=abc', 17, 22)}, None),
    ('dep:generic/zlib@>=1.0+local', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('>=1.0+local', 17, 28)}, None),
    ('dep:generic/zlib@==1.0+local', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('==1.0+local', 17, 28)}, None),
    ('dep:generic/zlib@>=1.0,<2', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('>=1.0,<2', 17, 25)}, None),
    ('dep:generic/zlib?arch', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'qualifiers': ('arch', 17, 21)}, None),
    ('dep:generic/zlib?Arch=x', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'qualifiers': ('Arch=x', 17, 23)}, None),
    ('dep:generic/zlib?a=1&A=2', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'qualifiers': ('a=1&A=2', 17, 24)}, None),
    ('dep:generic/zlib?a=%ff', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'qualifiers': ('a=%ff', 17, 22)}, None),
    ('dep:generic/zlib?a=1&b=2', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'qualifiers': ('a=1&b=2', 17, 24)}, None),
    ('dep:generic/zlib#', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'subpath': ('', 17, 17)}, None),
    ('dep:generic/zlib#a//b', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'subpath': ('a//b', 17, 21)}, None),
    ('dep:generic/zlib#../b', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'subpath': ('../b', 17, 21)}, None),
    ('dep:generic/zlib#a/%ff', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'subpath': ('a/%ff', 17, 22)}, None),
    ('dep:generic/zlib#a/%2F', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'subpath': ('a/%2F', 17, 22)}, None),
    ("dep:generic/zlib@>=1?a=b#sub/path ; os_name=='posix'", {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('>=1', 17, 20), 'qualifiers': ('a=b', 21, 24), 'subpath': ('sub/path', 25, 33), 'marker': ("os_name=='posix'", 36, 52)}, None),
    # valid, at the edges of the rules above: no problem, and these parts
    ('dep:generic/zlib?a=b=c', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'qualifiers': ('a=b=c', 17, 22)}, None),
    ('dep:generic/zlib#X', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'subpath': ('X', 17, 18)}, None),
    ('dep:generic/zlib#/a/', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'subpath': ('/a/', 17, 20)}, None),
    ('dep:chrome-extension/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@1.2,>=1.2.3', {'scheme': ('dep:', 0, 4), 'type': ('chrome-extension', 4, 20), 'name': ('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 21, 53), 'version': ('1.2,>=1.2.3', 54, 65)}, None),
    ('dep:swid/x?tag_id=1', {'scheme': ('dep:', 0, 4), 'type': ('swid', 4, 8), 'name': ('x', 9, 10), 'qualifiers': ('tag_id=1', 11, 19)}, None),
    ('dep:swid/x?a=1&tag_id=2', {'scheme': ('dep:', 0, 4), 'type': ('swid', 4, 8), 'name': ('x', 9, 10), 'qualifiers': ('a=1&tag_id=2', 11, 23)}, None),
    ('dep:julia/x?uuid=1', {'scheme': ('dep:', 0, 4), 'type': ('julia', 4, 9), 'name': ('x', 10, 11), 'qualifiers': ('uuid=1', 12, 18)}, None),
    # '#', '?' and '@' in a marker are the marker's; the first '#', then the first '?', split
    # the rest (as packageurl-python reads 'pkg:generic/zlib#a#b' and 'pkg:generic/zlib?a=1?b=2')
    ("dep:generic/zlib; os_name == 'a#b'", {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'marker': ("os_name == 'a#b'", 18, 34)}, None),
    ("dep:generic/zlib; os_name == 'a?b'", {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'marker': ("os_name == 'a?b'", 18, 34)}, None),
    ("dep:generic/zlib; os_name == 'a@b'", {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'marker': ("os_name == 'a@b'", 18, 34)}, None),
    ("dep:generic/zlib@1?a=b#c; os_name == '#?@'", {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'version': ('1', 17, 18), 'qualifiers': ('a=b', 19, 22), 'subpath': ('c', 23, 24), 'marker': ("os_name == '#?@'", 26, 42)}, None),
    ('dep:generic/zlib#a#b', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'subpath': ('a#b', 17, 20)}, None),
    ('dep:generic/zlib?a=1?b=2', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'name': ('zlib', 12, 16), 'qualifiers': ('a=1?b=2', 17, 24)}, None),
    # the parts kept when the name is missing
    ('dep:npm/scope/', {'scheme': ('dep:', 0, 4), 'type': ('npm', 4, 7), 'namespace': ('scope', 8, 13)}, None),
    ('dep:generic/@1.0', {'scheme': ('dep:', 0, 4), 'type': ('generic', 4, 11), 'version': ('1.0', 13, 16)}, None),
]


@pytest.mark.parametrize("text, parts, legacy", PARTS, ids=[ascii_id(t) for t, _, _ in PARTS])
def test_parts_and_their_spans(text, parts, legacy):
    spec = depurl.parse(text)
    found = {name: (part.text, part.start, part.end) for name in
             ("scheme", "type", "namespace", "name", "version", "qualifiers", "subpath", "marker")
             if (part := getattr(spec, name)) is not None}
    assert found == parts
    assert spec.legacy_replacement == legacy
    # every span shows its part's text, in the string as written (also a legacy one)
    assert all(text[start:end] == part_text for part_text, start, end in found.values())



# The valid rows of PARTS at the edges of a rule: a second '=' in a qualifier's value, a
# subpath of one letter or with slashes around it, versions a type's characters allow,
# required qualifiers given (also after others).
VALID_AT_THE_EDGES = [
    "dep:generic/zlib?a=b=c", "dep:generic/zlib#X", "dep:generic/zlib#/a/",
    "dep:chrome-extension/" + "a" * 32 + "@1.2,>=1.2.3",
    "dep:swid/x?tag_id=1", "dep:swid/x?a=1&tag_id=2", "dep:julia/x?uuid=1",
    "dep:generic/zlib; os_name == 'a#b'",
    "dep:generic/zlib; os_name == 'a?b'",
    "dep:generic/zlib; os_name == 'a@b'",
    "dep:generic/zlib@1?a=b#c; os_name == '#?@'",
    'dep:generic/zlib#a#b',
    'dep:generic/zlib?a=1?b=2',
]


@pytest.mark.parametrize("text", VALID_AT_THE_EDGES, ids=ascii_id)
def test_valid_at_the_edges(text):
    assert depurl.parse(text).problems == ()
