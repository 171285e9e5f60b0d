"""Single rules of the checks and the DepURL model, each pinned by a case of its own.

Mutation testing (.ci/mutation.py) left these branches unpinned: the fix of an alias that
carries a version and qualifiers, which purl types fold case, version ranges, the words
of wrong-type messages, spellings in dependency-group cycles, and which Python requirement
strings the PyPI-data check reads.
"""

from __future__ import annotations

import pytest

from conftest import ascii_id
from expectations import findings_of

from pep725_ls import depurl
from pep725_ls.checks import CheckContext, run_checks
from pep725_ls.checks.python_dependencies import python_requirements
from pep725_ls.data_index import default_index
from pep725_ls.document import PyprojectDocument


def findings(text: str, code: str, context: CheckContext | None = None):
    return findings_of(text, code, context=context)


@pytest.mark.parametrize("written, fixed", [
    ("dep:github/Kitware/CMake", "dep:generic/cmake"),
    ("dep:github/Kitware/CMake@>=3.20", "dep:generic/cmake@>=3.20"),
    ("dep:github/Kitware/CMake; os_name == 'posix'", "dep:generic/cmake; os_name == 'posix'"),
    # the alias' qualifiers go, the version stays
    ("dep:github/Kitware/CMake@>=3.20?vcs=git#sub", "dep:generic/cmake@>=3.20#sub"),
    ("dep:github/Kitware/CMake?vcs=git", "dep:generic/cmake"),
])
def test_the_canonical_name_fix_keeps_version_subpath_and_marker(written, fixed):
    [f] = findings(f'[external]\nbuild-requires = ["{written}"]\n', "non-canonical-name")
    assert f.data == {"replacement": fixed}
    assert f.fixes[0].title == "Change to dep:generic/cmake"


def test_a_misspelled_name_s_fix_keeps_the_rest():
    [f] = findings('[external]\nhost-requires = ["dep:generic/opensll@>=3?arch=x86_64; os_name == \'posix\'"]\n',
                   "unknown-name")
    assert f.data == {"replacement": "dep:generic/openssl@>=3?arch=x86_64; os_name == 'posix'"}


@pytest.mark.parametrize("type_, folds", [
    ("pypi", True), ("PyPI", True), ("github", True), ("deb", True),
    ("generic", False), ("npm", False), ("cargo", False), ("rpm", False), ("nosuchtype", False),
])
def test_which_purl_types_fold_case(type_, folds):
    assert depurl.ids_fold_case(type_) is folds


def test_a_case_sensitive_namespace_keeps_case(monkeypatch):
    monkeypatch.setitem(depurl.PURL_TYPES, "made-up", {
        "name_definition": {"case_sensitive": False}, "namespace_definition": {"case_sensitive": True}})
    assert depurl.ids_fold_case("made-up") is False
    monkeypatch.setitem(depurl.PURL_TYPES, "made-up", {"name_definition": {"case_sensitive": False}})
    assert depurl.ids_fold_case("made-up") is True


@pytest.mark.parametrize("version_range, version, satisfied", [
    (">=3", "3.0.1", True),
    (">=3", "2.9", False),
    (">=1.2,<2", "1.9", True),
    (">=1.2, <2", "2.0", False),
    ("1.2", "1.2", True),  # a bare version means ==
    ("1.2", "1.3", False),
    ("==1.2", "1.2.0", True),
    (">=1,1.5", "1.5", True),
    (">=1,1.5", "1.6", False),
    (">=abc", "1.0", None),
    (">=1", "not-a-version", None),
])
def test_version_satisfied_by(version_range, version, satisfied):
    assert depurl.version_satisfied_by(version_range, version) is satisfied


@pytest.mark.parametrize("text, says", [
    # one finding for a wrong table, not one more for each entry in it
    ("[external]\nhost-requires = {a = 1, b = 2}\n", "'host-requires' must be an array of strings, not a table"),
    ("[external]\nhost-requires = true\n", "'host-requires' must be an array of strings, not 'true'"),
    ("[external.optional-dependencies]\ngpu = {a = []}\n", "group 'gpu' of 'optional-dependencies' must be an array, not a table"),
    ("[external.host-requires]\na = 1\nb = 2\n", "'host-requires' must be an array of strings, not a table"),
    ("[external]\nhost-requires.a = 1\n", "'host-requires' must be an array of strings, not a table"),
    ("external.host-requires.a = 1\n", "'host-requires' must be an array of strings, not a table"),
    ("[external.optional-dependencies.gpu]\na = 1\n", "each group of 'optional-dependencies' must be an array, not a table"),
    ("[external.optional-dependencies]\ngpu.a = 1\n", "group 'gpu' of 'optional-dependencies' must be an array, not a table"),
])
def test_wrong_type_names_what_it_found(text, says):
    assert [f.message for f in findings(text, "wrong-type")] == [says]


def test_a_cycle_is_shown_in_the_spelling_of_each_group_s_definition():
    text = ('[external.dependency-groups]\n'
            'Docs_Extra = [{include-group = "test"}]\n'
            'Test = [{include-group = "docs-extra"}]\n')
    cycles = findings(text, "include-group-cycle")
    assert [f.message for f in cycles] == [
        "include-group 'test' forms a cycle: Docs_Extra → Test → Docs_Extra",
        "include-group 'docs-extra' forms a cycle: Test → Docs_Extra → Test",
    ]
    assert cycles[0].data == {"cycle": ["docs-extra", "test", "docs-extra"]}


def test_groups_are_only_those_of_dependency_groups():
    # an optional-dependencies extra with the spelling of a group is not a duplicate group
    text = ('[external.optional-dependencies]\nDocs = ["dep:generic/zlib"]\n'
            '[external.dependency-groups]\ndocs = ["dep:generic/zlib"]\n')
    assert findings(text, "duplicate-group-name") == []


def test_an_invalid_group_name_is_flagged_on_its_key():
    text = '[external]\ndependency-groups = { "-x" = [] }\n'
    [f] = findings(text, "invalid-group-name")
    assert text[f.start:f.end] == '"-x"'
    dotted = 'external.dependency-groups."-y" = []\n'
    [f] = findings(dotted, "invalid-group-name")
    assert dotted[f.start:f.end] == '"-y"'


def test_which_python_requirements_are_read():
    text = (
        '[build-system]\nrequires = ["setuptools", "Cython"]\n'
        '[project]\nname = "p"\n'
        'dependencies = [1, "psycopg2>=2", "not a requirement!!", "lxml"]\n'
        '[project.optional-dependencies]\npg = ["asyncpg"]\n'
        '[project.urls]\nx = "https://example.org"\n'
        '[dependency-groups]\ndev = ["pytest", {include-group = "x"}]\n'
        '[tool.x]\ndependencies = ["numpy"]\n'
    )
    found = [(r.section, r.group, r.requirement.name) for r in python_requirements(PyprojectDocument(text))]
    assert found == [
        ("build-system", None, "setuptools"), ("build-system", None, "Cython"),
        ("project", None, "psycopg2"), ("project", None, "lxml"),
        ("optional", "pg", "asyncpg"),
        ("group", "dev", "pytest"),
    ]
    # an unterminated string is being typed: not read until it is closed
    typing = '[project]\nname = "p"\ndependencies = ["lxml", "psycop\n'
    assert [r.requirement.name for r in python_requirements(PyprojectDocument(typing))] == ["lxml"]


def test_a_project_dependency_s_libraries_go_to_dependencies_first():
    [f] = findings('[project]\nname = "p"\ndependencies = ["psycopg2"]\n', "missing-external-dependency",
                   CheckContext(install="source"))
    assert [fix.title for fix in f.fixes] == [
        "Add dep:generic/libpq to [external].dependencies and dep:virtual/compiler/c to [external].build-requires",
        "Add dep:generic/libpq to [external].host-requires and dep:virtual/compiler/c to [external].build-requires",
    ]


def test_nixpkgs_checks_every_specifier_of_a_list():
    """Skipped entries (legacy, invalid, pypi, unknown, virtual versions) do not stop the
    check of those after them."""
    text = ('[external]\nhost-requires = [\n'
            '  "pkg:generic/openssl@>=9",\n'  # legacy: reported once migrated
            '  "dep:generic/",\n'  # invalid
            '  "dep:pypi/numpy@>=99",\n'  # a Python package, not nixpkgs' business
            '  "dep:generic/libfooz@>=1",\n'  # unknown: unknown-name's finding
            '  "dep:virtual/compiler/c@>=99",\n'  # a standard, not a package version
            '  "dep:generic/zlib@>=99",\n'
            ']\n')
    [f] = findings(text, "nixpkgs-version-mismatch")
    assert text[f.start:f.end] == ">=99" and f.data["depurl"] == "dep:generic/zlib"
    assert f.message.startswith("nixpkgs ships zlib ") and f.message.endswith(", which does not satisfy '>=99'")
    assert findings(text, "no-nixpkgs-mapping") == []


def test_a_registry_id_with_qualifiers_maps_like_its_package():
    text = '[external]\nbuild-requires = ["dep:generic/cmake?repository_url=https://gitlab.kitware.com/cmake/cmake@>=999"]\n'
    assert findings(text, "no-nixpkgs-mapping") == []


def test_no_nixpkgs_mapping_says_why_when_it_knows():
    [f] = findings('[external]\nbuild-requires = ["dep:virtual/compiler/cuda"]\n', "no-nixpkgs-mapping")
    assert f.message.startswith("no nixpkgs attribute is known for 'dep:virtual/compiler/cuda': CUDA is unfree")
    text = '[external]\nbuild-requires = ["dep:virtual/compiler/cuda@>=12"]\n'
    [f] = findings(text, "no-nixpkgs-mapping")
    assert text[f.start:f.end] == "dep:virtual/compiler/cuda"


def test_the_python_dependency_check_reads_every_requirement():
    """Requirements it has nothing to say about do not stop it."""
    text = ('[project]\nname = "p"\ndependencies = [\n'
            '  "requests",\n'  # no native dependencies
            '  "psycopg2-binary",\n'  # bundled: information
            '  "lxml",\n'  # wheels bundle everything
            '  "python-magic",\n'
            ']\n[external]\ndependencies = ["dep:generic/libpq"]\n')
    [f] = findings(text, "missing-external-dependency")
    assert f.message == ("python-magic loads at run time libmagic (runtime-system): declare `dep:generic/libmagic` "
                         "in [external] (its wheels expect these from the system)")
    # psycopg2-binary's libpq is declared: nothing to say about it
    assert findings(text, "bundled-native-library") == []


def test_declared_libraries_are_not_asked_for_again():
    text = ('[project]\nname = "p"\ndependencies = ["psycopg2"]\n'
            '[external]\ndependencies = ["dep:generic/libpq"]\nbuild-requires = ["dep:virtual/compiler/c"]\n')
    assert findings(text, "missing-external-dependency", CheckContext(install="source")) == []
    only_libpq = text.replace('build-requires = ["dep:virtual/compiler/c"]\n', "")
    [f] = findings(only_libpq, "missing-external-dependency", CheckContext(install="source"))
    assert f.data["depurls"] == ["dep:virtual/compiler/c"]


# Shapes of [external] and what each gets: code, message, flagged text (reviewed).
SHAPES = [
    ('external = "x"\n', [
        ('wrong-type', "'external' must be a table, not a string", 'external = "x"'),
    ]),
    ('external = ["dep:generic/zlib"]\n', [
        ('wrong-type', "'external' must be a table, not an array", 'external = ["dep:generic/zlib"]'),
    ]),
    ('external = {host-requires = ["dep:generic/zlib"]}\n', [
    ]),
    ('external.host-requires.a = 1\n', [
        ('wrong-type', "'host-requires' must be an array of strings, not a table", 'a = 1'),
    ]),
    ('[external]\nhost-requires.a.b = 1\n', [
        ('wrong-type', "'host-requires' must be an array of strings, not a table", 'a.b = 1'),
    ]),
    ('[external.optional-dependencies]\ngpu.a = 1\n', [
        ('wrong-type', "group 'gpu' of 'optional-dependencies' must be an array, not a table", 'a = 1'),
    ]),
    ('[external]\noptional-dependencies.gpu.a.b = 1\n', [
        ('wrong-type', "group 'gpu' of 'optional-dependencies' must be an array, not a table", 'a.b = 1'),
    ]),
    ('[external.optional-dependencies]\ngpu = "dep:generic/cuda"\n', [
        ('wrong-type', "group 'gpu' of 'optional-dependencies' must be an array, not a string", '"dep:generic/cuda"'),
    ]),
    ('[external]\noptional-dependencies = "x"\n', [
        ('wrong-type', "'optional-dependencies' must be a table mapping group names to arrays, not a string", '"x"'),
    ]),
    ('[external]\ndependency-groups = {dev = ["dep:generic/zlib", 1, {include-group = "x"}, {name = "y"}, {include-group = 2}]}\n', [
        ('wrong-type', "'dependency-groups' holds strings or {include-group = ...} tables, not '1'", '1'),
        ('wrong-type', 'a table in a dependency group must be {include-group = "<group name>"}', '{name = "y"}'),
        ('wrong-type', 'a table in a dependency group must be {include-group = "<group name>"}', '{include-group = 2}'),
        ('unknown-include-group', "include-group 'x': no such group in [external.dependency-groups]", '"x"'),
    ]),
    ('[external]\nhost-requires = ["dep:generic/zlib", 1, {include-group = "x"}, 2.5]\n', [
        ('wrong-type', "'host-requires' holds strings, not '1'", '1'),
        ('wrong-type', "'host-requires' holds strings, not a table", '{include-group = "x"}'),
        ('wrong-type', "'host-requires' holds strings, not '2.5'", '2.5'),
    ]),
    ('[[external.host-requires]]\n', [
        ('wrong-type', "'host-requires' must be an array of strings, not a table", '[[external.host-requires]]'),
    ]),
    ('[[external.dependency-groups]]\n', [
        ('wrong-type', "'dependency-groups' must be a table, not an array of tables", '[[external.dependency-groups]]'),
    ]),
    ('[external.dependency-groups.dev]\n', [
        ('wrong-type', "each group of 'dependency-groups' must be an array, not a table", 'dev]'),
    ]),
    ('[external]\nhost-requires = ["dep:generic/zlib"\n', [
        ('toml-syntax', 'TOML syntax error: Unclosed array', ''),
    ]),
    ('[external]\nhost-requires = ["dep:generic/zlib", nonsense_word_that_is_much_longer_than_forty_characters_in_total]\n', [
        ('toml-syntax', 'TOML syntax error: Invalid value', 'nonsense_word_that_is_much_longer_than_f'),
        ('wrong-type', "'host-requires' holds strings, not 'nonsense_word_that_is_much_longer_than_forty_characters_in_total'", 'nonsense_word_that_is_much_longer_than_forty_characters_in_total'),
    ]),
    ('[external]\nhost-requires = [\n', [
        ('toml-syntax', 'TOML syntax error: Invalid value', ''),
    ]),
    ('[external]\nhost-requires = ["a"] ]\n', [
        ('toml-syntax', 'TOML syntax error: Expected newline or end of document after a statement', ']'),
        ('invalid-depurl', "not a DepURL: it must start with 'dep:' (e.g. dep:generic/zlib)", 'a'),
    ]),
    ('[external]\nhost-requires\n', [
        ('toml-syntax', "TOML syntax error: Expected '=' after a key in a key/value pair", '\n'),
    ]),
    ('[external]\nhostrequires.x = 1\n', [
        ('unknown-key', "'hostrequires' is not a key of [external]: did you mean 'host-requires'?", 'hostrequires'),
    ]),
    ('[external]\nhost-requires = ["dep:generic/zlib; os_name == \'posix\'", "dep:generic/zlib;  os_name  ==  \'posix\'"]\n', [
        ('duplicate-entry', "'dep:generic/zlib;  os_name  ==  'posix'' is already listed in 'host-requires'", '"dep:generic/zlib;  os_name  ==  \'posix\'"'),
    ]),
    ('[external.optional-host-requires]\ngpu = ["dep:virtual/compiler/cuda"]\n', [
        ('compiler-not-in-build-requires', "compilers run on the build machine: 'dep:virtual/compiler/cuda' belongs in build-requires (or, for its runtime library, in dependencies), not optional-host-requires", '"dep:virtual/compiler/cuda"'),
        ('no-nixpkgs-mapping', "no nixpkgs attribute is known for 'dep:virtual/compiler/cuda': CUDA is unfree in nixpkgs, so it is absent from the nix-index data (built by Hydra for free packages only) and nvcc needs an NVIDIA toolchain and allowUnfree = true.", 'dep:virtual/compiler/cuda'),
    ]),
    ('[external]\ndependencies = ["dep:virtual/compiler/fortran"]\n', [
    ]),
    ('[external]\nhost-requires = ["dep:generic/zlib@1.*", "pkg:generic/zlib"]\n', [
        ('unsupported-version-operator', "wildcards ('*') are not allowed in a DepURL version", '1.*'),
        ('legacy-depurl', "'pkg:' is the 2023 draft form; PEP 725 now writes 'dep:generic/zlib'", 'pkg:generic/zlib'),
    ]),
    # headers and statements after others: spans are the header's or statement's own
    ('x = 1\n[[external.host-requires]]\n', [
        ('wrong-type', "'host-requires' must be an array of strings, not a table", '[[external.host-requires]]'),
    ]),
    ('x = 1\n[[external.dependency-groups]]\n', [
        ('wrong-type', "'dependency-groups' must be a table, not an array of tables", '[[external.dependency-groups]]'),
    ]),
    ('x = 1\nexternal = 2\n', [
        ('wrong-type', "'external' must be a table, not '2'", 'external = 2'),
    ]),
    # a syntax error's span stops at a delimiter, and never passes the end of the text
    ('[external]\nhost-requires = ["dep:generic/zlib"] XY,Z\n', [
        ('toml-syntax', 'TOML syntax error: Expected newline or end of document after a statement', 'XY'),
    ]),
    ('[external]\nhost-requires =', [
        ('toml-syntax', 'TOML syntax error: Invalid value', ''),
    ]),
    # one entry's problem does not stop the check of the entries after it
    ('[external]\nhost\nbuild-requires = 1\n', [
        ('toml-syntax', "TOML syntax error: Expected '=' after a key in a key/value pair", '\n'),
        ('wrong-type', "'build-requires' must be an array of strings, not '1'", '1'),
    ]),
    ('[external]\nhostrequires = 1\nbuildrequires = 2\n', [
        ('unknown-key', "'hostrequires' is not a key of [external]: did you mean 'host-requires'?", 'hostrequires'),
        ('unknown-key', "'buildrequires' is not a key of [external]: did you mean 'build-requires'?", 'buildrequires'),
    ]),
    ('[external]\nhost-requires =\nbuild-requires = 1\n', [
        ('toml-syntax', 'TOML syntax error: Invalid value', '\n'),
        ('wrong-type', "'build-requires' must be an array of strings, not '1'", '1'),
    ]),
    ('external = 1\nexternal.x = 2\n', [
        ('toml-syntax', 'TOML syntax error: Cannot overwrite a value', '\n'),
        ('wrong-type', "'external' must be a table, not '1'", 'external = 1'),
        ('unknown-key', "'x' is not a key of [external]; PEP 725 defines build-requires, host-requires, dependencies, "
         "optional-build-requires, optional-host-requires, optional-dependencies, dependency-groups", 'x'),
    ]),
    # a group's duplicate is named with its group
    ('[external.optional-dependencies]\ngpu = ["dep:generic/zlib", "dep:generic/zlib"]\n', [
        ('duplicate-entry', "'dep:generic/zlib' is already listed in 'optional-dependencies.gpu'", '"dep:generic/zlib"'),
    ]),
    # a legacy string's other problems keep their own span and no migration fix
    ('[external]\nhost-requires = ["pkg:generic/zlib@~=1.2"]\n', [
        ('legacy-depurl', "'pkg:' is the 2023 draft form; PEP 725 now writes 'dep:generic/zlib@~=1.2'", 'pkg:generic/zlib@~=1.2'),
        ('unsupported-version-operator', "'~=' is not allowed in a DepURL version; use >=, >, <, <= or == joined by ','", '~=1.2'),
    ]),
]


@pytest.mark.parametrize("text, expected", SHAPES, ids=[ascii_id(t) for t, _ in SHAPES])
def test_shapes_of_the_external_table(text, expected):
    found = run_checks(PyprojectDocument(text), default_index())
    assert [(f.code, f.message, text[f.start:f.end]) for f in found] == expected
    assert all(0 <= f.start <= f.end <= len(text) for f in found)
    assert all(isinstance(f.data, dict) for f in found)


@pytest.mark.parametrize("message, shown", [
    ("plain words, 'quoted' and ünïcode", "plain words, 'quoted' and ünïcode"),
    ("line one\nline two\ttab\x00nul", "line one\\nline two\\ttab\\x00nul"),
    ("bidi \u202e override", "bidi \\u202e override"),
])
def test_a_finding_message_is_one_printable_line(message, shown):
    from pep725_ls.checks import Finding

    assert Finding("unknown-name", message, 0, 1).message == shown
    # from a user's string, through a check
    [f] = findings('[external]\nhost-requires = ["dep:generic/zl\\u0001ib"]\n', "invalid-depurl")
    assert f.message == "control character '\\x01' (U+0001) inside the DepURL"


def test_an_alias_declares_its_canonical_name_too():
    from pep725_ls.checks.declared import declared_ids

    doc = PyprojectDocument('[external]\nbuild-requires = ["dep:github/Kitware/CMake", "dep:generic/zlib"]\n')
    assert declared_ids(doc, default_index()) == {"dep:github/Kitware/CMake", "dep:generic/cmake", "dep:generic/zlib"}
    assert declared_ids(doc, default_index(), ("host-requires",)) == set()


def test_the_python_checks_go_on_after_an_entry_they_skip():
    """A value that is not an array, a requirement that does not parse, a bundled
    binary wheel: each is one entry's business, the entries after it are still read."""
    text = ('[project]\nname = "p"\ndependencies = "psycopg2"\n'
            '[project.optional-dependencies]\npg = ["asyncpg"]\n')
    assert [(r.section, r.group, r.requirement.name) for r in python_requirements(PyprojectDocument(text))] == [
        ("optional", "pg", "asyncpg")]
    text = '[project]\nname = "p"\ndependencies = ["psycopg2-binary", "python-magic"]\n[external]\n'
    assert [f.code for f in findings_of(text, "bundled-native-library", "missing-external-dependency")] == [
        "bundled-native-library", "missing-external-dependency"]
    [rust] = findings_of('[build-system]\nrequires = ["not valid!!", "maturin"]\n', "missing-build-tool")
    assert rust.data["depurls"] == ["dep:virtual/compiler/rust"]
