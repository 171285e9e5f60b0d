"""The tolerant TOML reader against tomllib: on valid TOML it must read what tomllib reads.

tolerant_toml.py reads any text (half-typed, invalid) into spans; every feature trusts its
paths, values and offsets. On a valid document each value node, parsed back from its own
span, must equal tomllib's value at that node's path, and the tree as a whole must rebuild
tomllib's document. Before this test the reader was checked against itself (incremental
against whole reads) and on a few hand-written cases: mutation testing showed most of its
branches could change without a test failing.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings, strategies as st

from pep725_ls import tolerant_toml
from pep725_ls.tolerant_toml import ArrayNode, InlineTableNode, ScalarNode, StringNode

ROOT = Path(__file__).parents[1]
def _is_toml(path: Path) -> bool:
    try:
        tomllib.loads(path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError):
        return False
    return True


CORPUS = sorted(p for p in [*ROOT.glob("tests/**/*.toml"), ROOT / "bench/fixtures/pyproject.toml",
                            *ROOT.glob("examples/**/*.toml")] if _is_toml(p))


def value_of(node):
    """The Python value of a node, as tomllib would give it."""
    if isinstance(node, StringNode):
        return node.value
    if isinstance(node, ScalarNode):
        return tomllib.loads(f"x = {node.raw}")["x"]
    if isinstance(node, ArrayNode):
        return [value_of(item) for item in node.items]
    assert isinstance(node, InlineTableNode)
    table: dict = {}
    for kv in node.entries:
        _set(table, kv.path[-len(kv.key):], value_of(kv.value))
    return table


def _set(table: dict, path, value) -> None:
    for name in path[:-1]:
        table = table.setdefault(name, {})
    table[path[-1]] = value


def rebuilt(tree) -> dict:
    """tomllib's document from the reader's tree (no arrays of tables)."""
    doc: dict = {}
    for header in tree.headers:
        _set(doc, header.path, doc_at(doc, header.path) or {})
    for kv in tree.entries:
        _set(doc, kv.path, value_of(kv.value))
    return doc


def doc_at(doc: dict, path):
    for name in path:
        if not isinstance(doc, dict) or name not in doc:
            return None
        doc = doc[name]
    return doc


def check_against_tomllib(text: str) -> None:
    expected = tomllib.loads(text)
    tree = tolerant_toml.read(text)
    for kv in tree.walk():
        assert kv.has_equals and kv.value is not None
        # the value's own span parses to the value the node holds
        span = text[kv.value.start:kv.value.end]
        assert tomllib.loads(f"x = {span}")["x"] == value_of(kv.value), (kv.path, span)
        # each key segment's span spells its name
        for seg in kv.key:
            assert next(iter(tomllib.loads(f"{text[seg.start:seg.end]} = 1"))) == seg.name
        assert text[kv.start:kv.end].startswith(text[kv.key_start:kv.key_end])
        assert kv.end == kv.value.end
        if isinstance(kv.value, StringNode):
            string = kv.value
            assert text[string.start] == string.quote[0] and string.terminated
            assert string.start < string.content_start <= string.content_end < string.end
    for header in tree.headers:
        assert text[header.start] == "[" and text[header.end - 1] == "]"
        assert header.is_array == text.startswith("[[", header.start)
        assert [s.name for s in header.key] == list(header.path)
    if not any(h.is_array for h in tree.headers):
        assert rebuilt(tree) == expected
    else:  # an array of tables: each statement's value is still at its path in one of them
        for kv in tree.entries:
            assert value_of(kv.value) is not None


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: str(p.relative_to(ROOT)))
def test_reads_every_valid_corpus_file_as_tomllib_does(path):
    check_against_tomllib(path.read_text("utf-8"))


@pytest.mark.parametrize("text", [
    'a = "basic \\" \\\\ \\u00e9 \\U0001F600 \\t"\nb = \'literal \\ no escapes\'\n',
    'a = """\nmulti\nline \\\n   continued"""\nb = \'\'\'\nraw\nlines\'\'\'\n',
    'a = """quote "" inside"""\nb = \'\'\'it\'s\'\'\'\n',
    'a = 1\nb = -2_000\nc = 0x1F\nd = 1.5e3\ne = inf\nf = true\ng = 1979-05-27T07:32:00Z\nh = 07:32:00\n',
    '"quoted key" = 1\n\'literal key\' = 2\na . "b.c" . d = 3\n',
    'a = [\n  1,\n  # comment\n  2, # after\n]\nb = [ [1, 2], ["x", \'y\'] , ]\nc = []\n',
    'a = { b = 1, c.d = "e", f = { g = [1] } }\nempty = {}\n',
    '[t]\n[t.u]\nx = 1\n[ "quoted header" . v ]\ny = 2\n',
    'x = 1 # comment with "quotes" and [brackets]\n[a] # header comment\nb = 2\n',
    'a = "tab\there"\r\nb = 2\r\n[c]\r\nd = [\r\n  1,\r\n]\r\n',
    'key-with_dash = 1\n1234 = "numeric key"\n',
    '[[arr]]\nx = 1\n[[arr]]\nx = 2\n[arr.sub]\ny = 3\n',
])
def test_reads_each_toml_construct_as_tomllib_does(text):
    check_against_tomllib(text)


# Documents from random data, written by tomlkit in several styles.
_keys = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=8)
_strings = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)
_scalars = st.one_of(_strings, st.integers(-10**9, 10**9), st.booleans(),
                     st.floats(allow_nan=False, allow_infinity=False, width=32))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=3)), max_leaves=10)
_documents = st.dictionaries(_keys, st.one_of(_values, st.dictionaries(_keys, _values, max_size=4)), max_size=6)


def _styled(data: dict, literal: bool, multiline: bool, inline: bool):
    doc = tomlkit.document()
    for key, value in data.items():
        doc[key] = _item(value, literal, multiline, inline, top=True)
    return tomlkit.dumps(doc)


def _item(value, literal, multiline, inline, top=False):
    if isinstance(value, str):
        if literal and "'" not in value and value.isprintable():
            return tomlkit.string(value, literal=True)
        return tomlkit.string(value, multiline=multiline and "\r" not in value)
    if isinstance(value, list):
        array = tomlkit.array()
        array.extend(_item(v, literal, multiline, True) for v in value)
        array.multiline(multiline)
        return array
    if isinstance(value, dict):
        table = tomlkit.inline_table() if inline or not top else tomlkit.table()
        for k, v in value.items():
            table[k] = _item(v, literal, multiline, True)
        return table
    return value


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(_documents, st.booleans(), st.booleans(), st.booleans())
def test_reads_generated_documents_as_tomllib_does(data, literal, multiline, inline):
    text = _styled(data, literal, multiline, inline)
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # a tomlkit quirk, not the reader's business
    check_against_tomllib(text)


@pytest.mark.parametrize("escape, value", [
    (r"\U0010FFFF", "\U0010ffff"),  # the last code point
    (r"\U00110000", "\ufffd"),  # past it: a replacement character, not a crash
    (r"\uD7FF", "\ud7ff"),
    (r"\uD800", "\ufffd"),  # surrogates are not characters
    (r"\uDFFF", "\ufffd"),
    (r"\uE000", "\ue000"),
    (r"\e", "\x1b"),
    (r"\q", "q"),  # not an escape: tomllib's error; the reader keeps the character
])
def test_escapes_at_the_edges_of_unicode(escape, value):
    [kv] = tolerant_toml.read(f'a = "{escape}"\n').entries
    assert kv.value.value == value


@pytest.mark.parametrize("written, value, content, whole, terminated", [
    ("'''a'''", "a", "a", "'''a'''", True),
    # up to two more quotes belong to the value: '''a'''' is "a'"
    ("'''a''''", "a'", "a'", "'''a''''", True),
    ("'''a'''''", "a''", "a''", "'''a'''''", True),
    ('"""a""""', 'a"', 'a"', '"""a""""', True),
    ('"""a"""""', 'a""', 'a""', '"""a"""""', True),
    # a third extra quote is not the string's (tomllib: an error after the value)
    ("'''a''''''", "a''", "a''", "'''a'''''", True),
    ('"""a""""""', 'a""', 'a""', '"""a"""""', True),
    # a literal string keeps its backslashes
    ("'''a\\tb'''", "a\\tb", "a\\tb", "'''a\\tb'''", True),
    # a newline right after the opening quotes is not part of the value
    ("'''\r\na'''", "a", "a", "'''\r\na'''", True),
    ("'''\na'''", "a", "a", "'''\na'''", True),
    ('"""\r\na\\tb"""', "a\tb", "a\\tb", '"""\r\na\\tb"""', True),
    ('"""a\\"""b"""', 'a"""b', 'a\\"""b', '"""a\\"""b"""', True),
    # unclosed: a multi-line string runs to the end, a one-line string to the end of its line
    ("'''a", "a\n", "a\n", "'''a\n", False),
    ('"""a', "a\n", "a\n", '"""a\n', False),
    ('"ab', "ab", "ab", '"ab', False),
    ('"ab\\', "ab", "ab\\", '"ab\\', False),
    ("'ab", "ab", "ab", "'ab", False),
    ('"a\\"b"', 'a"b', 'a\\"b', '"a\\"b"', True),
    # the first closing quotes close a string, not the last ones on the line
    ("'''a''' '''b'''", "a", "a", "'''a'''", True),
])
def test_string_values_and_spans(written, value, content, whole, terminated):
    """What a string means, where its content is (what the editor underlines and
    completes in), where it ends, and whether it was closed."""
    text = f"x = {written}\n"
    [kv] = tolerant_toml.read(text).entries
    string = kv.value
    assert (string.value, text[string.content_start:string.content_end], text[string.start:string.end],
            string.terminated) == (value, content, whole, terminated)
    assert string.start <= string.content_start <= string.content_end <= string.end <= len(text)


@pytest.mark.parametrize("written, paths, whole, terminated", [
    ("{a = 1, b = 2}", [("x", "a"), ("x", "b")], "{a = 1, b = 2}", True),
    ("{a = 1,, b = 2}", [("x", "a"), ("x", "b")], "{a = 1,, b = 2}", True),
    ("{a = 1 b = 2}", [("x", "a"), ("x", "b")], "{a = 1 b = 2}", True),
    ("{,a = 1}", [("x", "a")], "{,a = 1}", True),
    ("{a = 1, ! b = 2}", [("x", "a"), ("x", "b")], "{a = 1, ! b = 2}", True),  # junk is stepped over
    ("{a.b = 1, c = {d = 2}}", [("x", "a", "b"), ("x", "c"), ("x", "c", "d")], "{a.b = 1, c = {d = 2}}", True),
    ("{a = [1,\n2], b = 3}", [("x", "a"), ("x", "b")], "{a = [1,\n2], b = 3}", True),
    # an inline table ends at its line's end, closed or not: the next line is a statement
    ("{a = 1\nb = 2", [("x", "a"), ("b",)], "{a = 1", False),
    ("{", [], "{", False),
    ("{a=1,b=2}", [("x", "a"), ("x", "b")], "{a=1,b=2}", True),
])
def test_inline_tables_closed_or_not(written, paths, whole, terminated):
    text = f"x = {written}\n"
    tree = tolerant_toml.read(text)
    table = tree.entries[0].value
    assert [kv.path for kv in tree.walk()][1:] == paths
    assert (text[table.start:table.end], table.terminated) == (whole, terminated)


def _nesting(node) -> int:
    depth = 0
    while isinstance(node, tolerant_toml.ArrayNode):
        depth += 1
        node = node.items[0] if node.items else None
    return depth


@pytest.mark.parametrize("levels, read", [
    (tolerant_toml.MAX_NESTING - 1, tolerant_toml.MAX_NESTING - 1),
    (tolerant_toml.MAX_NESTING, tolerant_toml.MAX_NESTING),
    (tolerant_toml.MAX_NESTING + 1, tolerant_toml.MAX_NESTING),  # the deepest bracket is junk
])
def test_nesting_is_read_to_its_limit_and_the_next_statement_still_is(levels, read):
    text = "a = " + "[" * levels + "]" * levels + "\nb = 2\n"
    tree = tolerant_toml.read(text)
    assert _nesting(tree.entries[0].value) == read
    assert [kv.path for kv in tree.entries] == [("a",), ("b",)]


@pytest.mark.parametrize("text, statements", [
    # a key without '=' ends where the key does inside an inline table, at the line's end outside
    ("x = {a = 1, b}\n", [(("x",), "x = {a = 1, b}", True), (("x", "a"), "a = 1", True), (("x", "b"), "b", False)]),
    ("b junk\nc = 1\n", [(("b",), "b junk", False), (("c",), "c = 1", True)]),
    # a missing value: the statement ends after its '='
    ("a = \nb = 1\n", [(("a",), "a =", True), (("b",), "b = 1", True)]),
    ("x = {a =}\n", [(("x",), "x = {a =}", True), (("x", "a"), "a =", True)]),
])
def test_statements_being_typed(text, statements):
    tree = tolerant_toml.read(text)
    assert [(kv.path, text[kv.start:kv.end], kv.has_equals) for kv in tree.walk()] == statements


@pytest.mark.parametrize("text, header", [
    ("[a]\n", ("[a]", False, True)),
    ("[[a]]\n", ("[[a]]", True, True)),
    # unclosed: the header runs to the end of its line, and says so
    ("[a\nx = 1\n", ("[a", False, False)),
    ("[[a]\nx = 1\n", ("[[a]", True, False)),
])
def test_headers_closed_or_not(text, header):
    [h] = tolerant_toml.read(text).headers
    assert (text[h.start:h.end], h.is_array, h.terminated) == header
    assert repr(tolerant_toml.read(text).headers) == f"Headers([{h!r}])"


@pytest.mark.parametrize("text", ["x = [1, 2\ny = 1\n", "x = [1,\n"])
def test_an_unclosed_array_says_so(text):
    assert tolerant_toml.read(text).entries[0].value.terminated is False


def test_nesting_allowed_again_after_a_nested_value():
    deep = "[" * (tolerant_toml.MAX_NESTING + 1) + "]" * (tolerant_toml.MAX_NESTING + 1)
    tree = tolerant_toml.read(f"a = [[1], [[2]]]\nb = {deep}\n")
    assert _nesting(tree.entries[1].value) == tolerant_toml.MAX_NESTING
    shallow = "[" * tolerant_toml.MAX_NESTING + "]" * tolerant_toml.MAX_NESTING
    tree = tolerant_toml.read(f"a = [[1], [[2]]]\nb = {shallow}\n")
    assert _nesting(tree.entries[1].value) == tolerant_toml.MAX_NESTING


@pytest.mark.parametrize("text, read", [
    # a junk line (of one character too) is skipped, and reading goes on after it
    ("!\ny = 2\n", [("y",)]),
    ("x = 1\n!!!\ny = 2\n", [("x",), ("y",)]),
])
def test_junk_lines_are_skipped(text, read):
    assert [kv.path for kv in tolerant_toml.read(text).entries] == read


@pytest.mark.parametrize("written, items", [
    ("[1,2]", ["1", "2"]),
    ("[1 , 2]", ["1", "2"]),
    ("[1,}2]", ["1", "2"]),  # junk is stepped over
])
def test_array_items(written, items):
    text = f"x = {written}\n"
    array = tolerant_toml.read(text).entries[0].value
    assert [text[item.start:item.end] for item in array.items] == items


@pytest.mark.parametrize("text, paths", [
    ("x = {a = 1", [("x",), ("x", "a")]),  # the text ends inside an inline table
    ("x = {a = 1,", [("x",), ("x", "a")]),
    ("x = [1,", [("x",)]),
])
def test_values_cut_off_by_the_end_of_the_text(text, paths):
    tree = tolerant_toml.read(text)
    assert [kv.path for kv in tree.walk()] == paths
    value = tree.entries[0].value
    assert value.terminated is False and value.end == len(text)
