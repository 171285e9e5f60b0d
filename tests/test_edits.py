"""Edits keep every byte outside their span, leave valid TOML, and fix-all is idempotent."""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from pep725_ls.data_index import default_index
from pep725_ls.document import PyprojectDocument
from pep725_ls.edits import TextEdit, apply, minimal_edit, remove_array_item, replace_string, toml_string, within_last_line
from pep725_ls.safe_fixes import fix_all


def first_array(text):
    return PyprojectDocument(text).external.lists[0].array


@pytest.mark.parametrize(
    "before, index, after",
    [
        ('[external]\nhost-requires = ["a", "b", "c"]\n', 1, '[external]\nhost-requires = ["a", "c"]\n'),
        ('[external]\nhost-requires = ["a", "b"]\n', 1, '[external]\nhost-requires = ["a"]\n'),
        ('[external]\nhost-requires = ["a"]\n', 0, '[external]\nhost-requires = []\n'),
        ('[external]\nhost-requires = [\n  "a",\n  "b",\n]\n', 0, '[external]\nhost-requires = [\n  "b",\n]\n'),
        ('[external]\nhost-requires = [\n  "a",\n  "b"\n]\n', 1, '[external]\nhost-requires = [\n  "a",\n]\n'),
        ('[external]\nhost-requires = [\n  "a", # keep\n  "b",\n]\n', 0, '[external]\nhost-requires = [\n  # keep\n  "b",\n]\n'),
        ('[external]\r\nhost-requires = [\r\n  "a",\r\n  "b",\r\n]\r\n', 1, '[external]\r\nhost-requires = [\r\n  "a",\r\n]\r\n'),
    ],
)
def test_remove_array_item(before, index, after):
    assert apply(before, [remove_array_item(before, first_array(before), index)]) == after
    tomllib.loads(after)


def test_replace_string_keeps_quote_style_when_it_can():
    text = "[external]\nhost-requires = ['pkg:generic/zlib', \"pkg:x\"]\n"
    items = first_array(text).items
    assert apply(text, [replace_string(items[0], "dep:generic/zlib")]).count("'dep:generic/zlib'") == 1
    assert apply(text, [replace_string(items[0], "it's")]).count('"it\'s"') == 1
    assert apply(text, [replace_string(items[1], 'a"b')]).count('"a\\"b"') == 1
    assert toml_string("tab\there") == '"tab\\there"'


def test_minimal_edit():
    e = minimal_edit("abcXYZdef", "abc123def")
    assert (e.start, e.end, e.new_text) == (3, 6, "123")
    assert minimal_edit("same", "same") is None


REAL_SHAPED = [
    '[build-system]\nrequires = ["meson-python"]\n\n[external]\nbuild-requires = [\n    "virtual:compiler/c",\n    "virtual:compiler/cpp",  # C++\n    "pkg:generic/pkg-config",\n]\nhost-requires = ["pkg:generic/gmp", "pkg:generic/gmp", \'pkg:generic/mpfr\']\n',
    '[external]\r\nhost-requires = [\r\n  "dep:virtual/compiler/Fortran",\r\n  "pkg:generic/openblas@>=0.3",\r\n  "dep:generic/zlib; sys_platform == \'linux\'",\r\n  "dep:generic/zlib; sys_platform == \'linux\'",\r\n]\r\n',
    'external.build-requires = ["virtual:compiler/c"]\nexternal.optional-host-requires = { gpu = ["pkg:generic/zlib", "pkg:generic/zlib"] }\n',
]
element = st.sampled_from([
    '"pkg:generic/zlib"', '"dep:generic/zlib"', "'virtual:compiler/c'", '"dep:virtual/compiler/cpp"',
    '"dep:virtual/compiler/C"', '"dep:generic/openssl@>=3"', '"pkg:generic/libxml2; os_name == \'posix\'"', "42",
    '"dep:github/Kitware/CMake"', '"zlib"',
])
separator = st.sampled_from([", ", ",\n  ", " ,", ",  # note\n  ", ",\r\n  "])


@st.composite
def pyprojects(draw):
    parts = ["[project]\nname = \"p\"\n\n[external]\n"]
    for key in draw(st.lists(st.sampled_from(["build-requires", "host-requires", "dependencies"]), unique=True, min_size=1)):
        items = draw(st.lists(element, max_size=6))
        body = ""
        for i, item in enumerate(items):
            body += (draw(separator) if i else draw(st.sampled_from(["", "\n  "]))) + item
        trailing = draw(st.sampled_from(["", ",", ",\n"]))
        parts.append(f"{key} = [{body}{trailing if items else ''}]\n")
    return "".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(pyprojects(), st.sampled_from(REAL_SHAPED)))
def test_fix_all_keeps_toml_valid_and_is_idempotent(text):
    tomllib.loads(text)
    index = default_index()
    fixed = fix_all(text, index)
    tomllib.loads(fixed)
    assert fix_all(fixed, index) == fixed
    assert "pkg:" not in fixed and "virtual:compiler" not in fixed
    # nothing outside the [external] arrays changed
    assert fixed[: fixed.index("[external]")] == text[: text.index("[external]")] if "[external]" in text else True
    assert fixed.count("\r\n") <= text.count("\r\n") and (("\r\n" in text) or ("\r\n" not in fixed))


def test_within_last_line_moves_an_append_before_the_final_line_break():
    text = "[external]\ndependencies = []\n"
    append = TextEdit(len(text), len(text), "x = 1\n")
    moved = within_last_line(text, append)
    assert moved == TextEdit(len(text) - 1, len(text) - 1, "\nx = 1")
    crlf = "a = 1\r\n"
    assert within_last_line(crlf, TextEdit(7, 7, "b = 2\r\n")) == TextEdit(5, 5, "\r\nb = 2")
    # a replacement of the last lines shares their final line break
    assert within_last_line(text, TextEdit(11, len(text), "dependencies = [1]\n")) == TextEdit(11, len(text) - 1,
                                                                                            "dependencies = [1]")
    # left alone: no final line break, an edit that ends earlier, new text without the break
    assert within_last_line("a = 1", TextEdit(5, 5, "\n")) == TextEdit(5, 5, "\n")
    assert within_last_line(text, TextEdit(0, 3, "x\n")) == TextEdit(0, 3, "x\n")
    assert within_last_line(text, TextEdit(11, len(text), "")) == TextEdit(11, len(text), "")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="ab\n\r=[]", max_size=30), st.data())
def test_within_last_line_changes_where_not_what(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    edit = TextEdit(start, end, data.draw(st.text(alphabet="xy\n\r", max_size=8)))
    moved = within_last_line(text, edit)
    assert apply(text, [moved]) == apply(text, [edit])
    assert moved.end <= len(text)
    eol = "\r\n" if text.endswith("\r\n") else "\n"
    if edit.end == len(text) and text.endswith(eol) and edit.new_text.endswith(eol):
        assert moved.end < len(text)  # ends on the last line, not after its line break


# Exact edits for the layouts a reviewer of mutation testing found untested: spaces around
# commas, odd indentation, trailing blanks, comments, arrays cut off at the end of the file.
@pytest.mark.parametrize(
    "before, index, after",
    [
        ('[external]\nhost-requires = ["a"  ,  "b"]\n', 0, '[external]\nhost-requires = ["b"]\n'),
        ('[external]\nhost-requires = [\n   "a",\n   "b",\n]\n', 0, '[external]\nhost-requires = [\n   "b",\n]\n'),
        ('[external]\nhost-requires = [\n "a",   \n "b",\n]\n', 0, '[external]\nhost-requires = [\n "b",\n]\n'),
        ('[external]\nhost-requires = ["a", # c\n "b"]\n', 1, '[external]\nhost-requires = ["a", # c\n ]\n'),
        ('[external]\nhost-requires = ["a", "b"', 1, '[external]\nhost-requires = ["a"'),
        ('[external]\nhost-requires = [\n  "a",\n  "b",', 1, '[external]\nhost-requires = [\n  "a",\n'),
        ('[external]\nhost-requires = [\n  "a",\n  "b"', 1, '[external]\nhost-requires = [\n  "a",\n'),
        # one blank (not two) before the comma, or after it at the end of the line
        ('[external]\nhost-requires = ["a" , "b"]\n', 0, '[external]\nhost-requires = ["b"]\n'),
        ('[external]\nhost-requires = [\n  "a", \n  "b",\n]\n', 0, '[external]\nhost-requires = [\n  "b",\n]\n'),
        ('[external]\nhost-requires = [\n  "a",\t\n  "b",\n]\n', 1, '[external]\nhost-requires = [\n  "a",\t\n]\n'),
    ],
)
def test_remove_array_item_exactly(before, index, after):
    assert apply(before, [remove_array_item(before, first_array(before), index)]) == after


@pytest.mark.parametrize("value, basic", [
    ("dep:generic/zlib", "dep:generic/zlib"),
    ('say "hi" \\o/', 'say \\"hi\\" \\\\o/'),
    ("a\nb\tc\rd", "a\\nb\\tc\\rd"),
    ("bell\x07del\x7f", "bell\\u0007del\\u007f"),
])
def test_strings_are_written_as_valid_toml(value, basic):
    assert toml_string(value) == f'"{basic}"'
    assert tomllib.loads(f"x = {toml_string(value)}")["x"] == value
    literal = toml_string(value, "'")
    assert tomllib.loads(f"x = {literal}")["x"] == value
    # a literal string cannot hold ' or control characters: those fall back to basic
    plain = "'" not in value and all(ord(c) >= 0x20 and c != "\x7f" for c in value)
    assert literal == (f"'{value}'" if plain else f'"{basic}"')


@pytest.mark.parametrize("string, value, after", [
    ('"pkg:x"', 'dep:"x"', '"dep:\\"x\\""'),  # basic: only the content changes, escaped
    ("'pkg:x'", "dep:x", "'dep:x'"),  # literal: kept
    ("'pkg:x'", "it's", '"it\'s"'),  # a literal cannot hold ': basic string
    ("'''pkg:x'''", "dep:x", "'dep:x'"),  # multi-line literal: the whole string is rewritten
    ('"pkg:x', "dep:x", '"dep:x"'),  # unterminated: closed
])
def test_replace_string_exactly(string, value, after):
    text = f"[external]\nhost-requires = [{string}\n]\n"
    [item] = first_array(text).items
    assert apply(text, [replace_string(item, value)]) == f"[external]\nhost-requires = [{after}\n]\n"


@pytest.mark.parametrize("old, new, whole_lines, edit", [
    ("abc", "abc", False, None),
    ("abcdef", "abXYef", False, TextEdit(2, 4, "XY")),
    ("aaa", "aaaa", False, TextEdit(3, 3, "a")),
    ("one\ntwo three\nfour\n", "one\ntwo 3\nfour\n", False, TextEdit(8, 13, "3")),
    ("one\ntwo three\nfour\n", "one\ntwo 3\nfour\n", True, TextEdit(4, 14, "two 3\n")),
    ("x = 1\ny = 2\n", "x = 1\ny = 3\n", True, TextEdit(6, 12, "y = 3\n")),
    ("first\nsecond", "First\nsecond", True, TextEdit(0, 6, "First\n")),
    ("a = [1]\nb = 2\n", "a = [1, 2]\nb = 2\n", True, TextEdit(0, 8, "a = [1, 2]\n")),
])
def test_minimal_edit_exactly(old, new, whole_lines, edit):
    assert minimal_edit(old, new, whole_lines) == edit
    if edit is not None:
        assert apply(old, [edit]) == new


@pytest.mark.parametrize("text, edit, clamped", [
    ("a\n", TextEdit(0, 2, "b\n"), TextEdit(0, 1, "b")),
    ("a\r\n", TextEdit(0, 3, "b\r\n"), TextEdit(0, 1, "b")),
    ("a\n", TextEdit(2, 2, "b\n"), TextEdit(1, 1, "\nb")),
    ("a\n", TextEdit(0, 1, "b"), TextEdit(0, 1, "b")),  # does not reach the end: unchanged
    ("a", TextEdit(0, 1, "b\n"), TextEdit(0, 1, "b\n")),  # no final line break
    ("a\n", TextEdit(0, 2, "b"), TextEdit(0, 2, "b")),  # the break is not kept: unchanged
])
def test_within_last_line_exactly(text, edit, clamped):
    assert within_last_line(text, edit) == clamped
    assert apply(text, [clamped]) == apply(text, [edit])
