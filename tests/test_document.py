"""The document model without a server: tables in every spelling, spans, the cursor."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pep725_ls import tolerant_toml
from pep725_ls.document import (CursorAtKey, CursorInArray, CursorInString, CursorInValue, PyprojectDocument,
                                 SyntaxProblem, needed_table)
from pep725_ls.text_positions import LineIndex

ALL_FORMS = """\
external.host-requires = ["dep:generic/zlib"]
external = {}

[external]
build-requires = ["dep:virtual/compiler/c", 'dep:generic/pkg-config']
optional-dependencies = { gui = ["dep:generic/tk"] }

[external.optional-host-requires]
gpu = [
  "dep:generic/cuda",  # comment with "quotes" and [brackets]
]

[external.dependency-groups]
dev = [{include-group = "gpu"}, "dep:generic/make"]
"""


def lists(text):
    return {(lst.key, lst.group): [v.value for _, v in lst.strings] for lst in PyprojectDocument(text).external.lists}


def test_every_spelling_of_the_table():
    assert lists(ALL_FORMS) == {
        ("host-requires", None): ["dep:generic/zlib"],
        ("build-requires", None): ["dep:virtual/compiler/c", "dep:generic/pkg-config"],
        ("optional-dependencies", "gui"): ["dep:generic/tk"],
        ("optional-host-requires", "gpu"): ["dep:generic/cuda"],
        ("dependency-groups", "dev"): ["dep:generic/make"],
    }


def test_string_spans_are_exact():
    doc = PyprojectDocument(ALL_FORMS)
    for lst in doc.external.lists:
        for _, s in lst.strings:
            assert ALL_FORMS[s.content_start : s.content_end] == s.value
            assert ALL_FORMS[s.start] in "\"'" and ALL_FORMS[s.end - 1] == ALL_FORMS[s.start]


def test_agrees_with_tomllib_on_valid_files():
    data = tomllib.loads(ALL_FORMS[ALL_FORMS.index("[external]") :])["external"]
    got = lists(ALL_FORMS)
    assert got[("build-requires", None)] == data["build-requires"]
    assert got[("optional-host-requires", "gpu")] == data["optional-host-requires"]["gpu"]


def test_escapes_are_decoded():
    text = '[external]\nhost-requires = ["dep:generic/\\u007alib", """dep:generic/x"""]\n'
    assert lists(text)[("host-requires", None)] == ["dep:generic/zlib", "dep:generic/x"]


def test_cursor_in_unterminated_string_and_array():
    text = '[external]\nhost-requires = [\n  "dep:generic/zlib",\n  "dep:gen\n[tool.x]\na = 1\n'
    doc = PyprojectDocument(text)
    cur = doc.cursor(text.rindex("dep:gen") + 7)
    assert isinstance(cur, CursorInString)
    assert cur.path == ("external", "host-requires", 1)
    assert cur.offset_in_string == 7 and not cur.string.terminated
    # the next statement was not swallowed by the unclosed array
    assert doc.tree.headers[-1].path == ("tool", "x")
    assert [kv.path for kv in doc.entries_near(len(text))] == [("tool", "x", "a")]


def test_cursor_between_elements_and_at_keys():
    text = '[external]\nhost-requires = ["a", ]\nbuild\n'
    doc = PyprojectDocument(text)
    assert isinstance(doc.cursor(text.index(", ]") + 2), CursorInArray)
    key = doc.cursor(text.index("build") + 5)
    assert isinstance(key, CursorAtKey) and key.table == ("external",) and key.prefix == "build"
    assert doc.cursor(text.index("host") + 2) == CursorAtKey(("external",), "ho", text.index("host"), text.index(" = ["))


def test_cursor_in_other_strings():
    text = '[project]\ndependencies = ["psycopg2>=2.9"]\n'
    cur = PyprojectDocument(text).cursor(text.index("psycopg2") + 3)
    assert isinstance(cur, CursorInValue) and cur.path == ("project", "dependencies")


def test_syntax_problem_is_one_and_located():
    text = '[external]\nhost-requires = ["a" "b"]\n'
    problem = PyprojectDocument(text).syntax_problem
    assert problem.offset == text.index('"b"')


def test_syntax_problem_offsets_with_crlf():
    text = '[external]\r\nhost-requires = ["a" "b"]\r\n'
    assert PyprojectDocument(text).syntax_problem.offset == text.index('"b"')


TOKENS = list("[]{}=,.\"'#\\ \n\r\tabx-_:/@;0é🐍") + ["external", "host-requires", '"""', "'''", "\r\n", "dep:"]
toml_like = st.lists(st.sampled_from(TOKENS), max_size=80).map("".join)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(toml_like, st.data())
def test_arbitrary_text_never_raises(text, data):
    doc = PyprojectDocument(text)
    doc.external
    doc.syntax_problem
    offset = data.draw(st.integers(0, len(text)))
    doc.cursor(offset)
    for kv in doc.entries:
        assert 0 <= kv.start <= kv.end <= len(text)


def test_syntax_problem_on_the_first_line_and_too_deep_nesting():
    assert PyprojectDocument("= 1\n").syntax_problem == SyntaxProblem("Invalid statement", 0)
    assert PyprojectDocument("x = 1 2\n").syntax_problem.offset == len("x = 1 ")
    # tomllib recurses per nesting level: a clear verdict, not a crash
    deep = "a = " + "[" * 3000 + "]" * 3000 + "\n"
    assert PyprojectDocument(deep).syntax_problem == SyntaxProblem("nesting is too deep to read", 0)


def test_positions_are_utf16_by_default_and_a_given_line_index_is_reused():
    text = 'name = "🐍"\nx = 1\n'
    doc = PyprojectDocument(text)
    assert doc.encoding == "utf-16"
    assert doc.lines.offset_to_position(text.index('"\n') + 1).character == len('name = "🐍"') + 1
    assert PyprojectDocument(text, "utf-32").lines.offset_to_position(text.index('"\n') + 1).character == 10
    index = LineIndex(text, "utf-16")
    assert PyprojectDocument(text, lines=index).lines is index
    # an index of another text, or counting in another encoding, is not used
    assert PyprojectDocument(text + " ", lines=index).lines is not index
    assert PyprojectDocument(text, "utf-8", lines=index).lines is not index
    previous = PyprojectDocument(text)
    previous.prepare()
    edited = PyprojectDocument.edited(previous, text, (0, 0, 0), "utf-8", LineIndex(text, "utf-8"))
    assert edited.encoding == "utf-8" and edited.lines.encoding == "utf-8"
    kept = LineIndex(text, "utf-16")
    assert PyprojectDocument.edited(previous, text, (0, 0, 0), lines=kept).lines is kept


def test_an_edited_version_rereads_only_what_changed(monkeypatch):
    text = '[external]\nhost-requires = ["dep:generic/zlib"]\n\n[tool.x]\na = 1\n'
    previous = PyprojectDocument(text)
    new = text.replace("zlib", "zstd")
    at = text.index("zlib")
    # before the previous version is read, there is nothing to reuse
    assert PyprojectDocument.edited(previous, new, (at, at + 4, at + 4))._base is None
    previous.prepare()
    read_whole = []
    monkeypatch.setattr(tolerant_toml, "read", lambda *a, **k: read_whole.append(a))
    doc = PyprojectDocument.edited(previous, new, (at, at + 4, at + 4))
    assert [v.value for _, v in doc.external.lists[0].strings] == ["dep:generic/zstd"]
    assert read_whole == []


def test_lists_by_key_and_their_statement():
    text = ('[external]\nhost-requires = ["dep:generic/a"]\nbuild-requires = ["dep:generic/b"]\n'
            'optional-host-requires = {x = ["dep:generic/c"]}\n')
    external = PyprojectDocument(text).external
    assert [lst.path for lst in external.lists_for("host-requires")] == [("external", "host-requires")]
    assert [lst.group for lst in external.lists_for("optional-host-requires")] == ["x"]
    assert external.lists_for("dependencies") == []
    for lst in external.lists:
        assert lst.entry.value is lst.array and lst.entry.path == lst.path


def test_cursor_in_a_later_list_and_keys_typed_with_capitals():
    text = '[external]\nhost-requires = ["dep:generic/a"]\nbuild-requires = ["dep:generic/b"]\n'
    cur = PyprojectDocument(text).cursor(text.index("generic/b") + 2)
    assert isinstance(cur, CursorInString) and cur.path == ("external", "build-requires", 0)
    # the span of the key being typed covers what follows the cursor, capitals too
    text = "[external]\nhoST-requires = []\nexternal.XYho\n"
    key = PyprojectDocument(text).cursor(text.index("ST-requires"))
    assert key == CursorAtKey(("external",), "ho", text.index("hoST"), text.index(" = []"))
    key = PyprojectDocument(text).cursor(len(text) - 1)
    assert (key.prefix, text[key.start:key.end]) == ("external.XYho", "XYho")


@pytest.mark.parametrize("path, needed", [
    ((), True), (("external",), True), (("external", "dependency-groups"), True), (("project",), True),
    (("build-system",), True), (("dependency-groups",), True),
    (("tool",), True),  # its dotted keys may reach tool.setuptools
    (("tool", "setuptools"), True), (("tool", "setuptools", "ext-modules"), True),
    (("tool", "ruff"), False), (("tool", "setuptools-scm"), False), (("tools",), False), (("x", "external"), False),
])
def test_which_tables_the_checks_read(path, needed):
    assert needed_table(path) is needed
