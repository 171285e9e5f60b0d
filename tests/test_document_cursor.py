"""Where is the cursor? ``PyprojectDocument.cursor`` at every kind of position, exactly.

Completion, hover and code actions dispatch on this answer. Each case is a document with
``‸`` where the cursor is; the expected answer names the kind of position and what the
features read from it (the list, the string and the offset in it, the table and the key
prefix with the span it replaces).
"""

from __future__ import annotations

import pytest

from pep725_ls.document import CursorAtKey, CursorInArray, CursorInString, CursorInValue, PyprojectDocument

CARET = "‸"


def where(marked: str):
    offset = marked.index(CARET)
    text = marked.replace(CARET, "")
    cursor = PyprojectDocument(text).cursor(offset)
    if isinstance(cursor, CursorInString):
        return ("string", cursor.path, cursor.string.value, cursor.offset_in_string)
    if isinstance(cursor, CursorInArray):
        return ("array", cursor.requirement_list.path)
    if isinstance(cursor, CursorInValue):
        return ("value", cursor.path, cursor.string.value, cursor.offset_in_string)
    if isinstance(cursor, CursorAtKey):
        return ("key", cursor.table, cursor.prefix, text[cursor.start:cursor.end])
    return cursor


@pytest.mark.parametrize("marked, expected", [
    # in a string of an [external] list: which list, which element, where in it
    ('[external]\nhost-requires = ["dep:generic/z‸lib"]\n', ("string", ("external", "host-requires", 0), "dep:generic/zlib", 13)),
    ('[external]\nhost-requires = ["‸dep:x"]\n', ("string", ("external", "host-requires", 0), "dep:x", 0)),
    ('[external]\nhost-requires = ["dep:x‸"]\n', ("string", ("external", "host-requires", 0), "dep:x", 5)),
    ('[external]\nhost-requires = ["a", "b‸"]\n', ("string", ("external", "host-requires", 1), "b", 1)),
    ('[external]\nhost-requires = ["dep:x‸', ("string", ("external", "host-requires", 0), "dep:x", 5)),  # typing, unclosed
    ('[external.optional-dependencies]\ngpu = ["c‸"]\n', ("string", ("external", "optional-dependencies", "gpu", 0), "c", 1)),
    # in the list, not in a string
    ('[external]\nhost-requires = [‸]\n', ("array", ("external", "host-requires"))),
    ('[external]\nhost-requires = ["a", ‸]\n', ("array", ("external", "host-requires"))),
    ('[external]\nhost-requires = [‸', ("array", ("external", "host-requires"))),  # unclosed: its end is inside
    # on the brackets themselves: outside the list
    ('[external]\nhost-requires = ‸["a"]\n', None),
    ('[external]\nhost-requires = ["a"]‸\n', None),
    # other string values: [project] dependencies, a plain string
    ('[project]\ndependencies = ["psycopg‸2"]\n', ("value", ("project", "dependencies"), "psycopg2", 7)),
    ('[project]\nname = "p‸kg"\n', ("value", ("project", "name"), "pkg", 1)),
    ('[project]\nname = ‸"pkg"\n', None),
    ('[tool.x]\na = 1\n[tool.y]\nb = ["‸q"]\n', ("value", ("tool", "y", "b"), "q", 0)),
    # where a key goes
    ('[external]\n‸\n', ("key", ("external",), "", "")),
    ('[external]\nhost‸-requires = []\n', ("key", ("external",), "host", "host-requires")),
    ('[external]\n  bu‸\n', ("key", ("external",), "bu", "bu")),
    ('ext‸\n', ("key", (), "ext", "ext")),
    ('external . host‸\n', ("key", (), "external.host", "host")),
    ('\texternal.\thost‸\n', ("key", (), "external.host", "host")),
    ('[project]\nname = "p"\n[external]\nHost‸\n', ("key", ("external",), "Host", "Host")),
    ('[external]\nhost-requires = "x"‸\n', None),  # after a value: not a key
    ('[external]\nhost-requires = [\n  ‸\n]\n', ("array", ("external", "host-requires"))),
    ('[tool.x]\nv = [\n  1,\n  ‸\n]\n', None),  # a line inside another table's multi-line array
])
def test_cursor(marked, expected):
    assert where(marked) == expected


def test_header_at():
    text = '[a]\nx = 1\n[b]\ny = 2\n'
    doc = PyprojectDocument(text)
    assert doc.header_at(0) is None  # at the first header's start: not yet in it
    assert doc.header_at(1).path == ("a",)
    assert doc.header_at(text.index("[b]")).path == ("a",)
    assert doc.header_at(text.index("[b]") + 1).path == ("b",)
    assert doc.header_at(len(text)).path == ("b",)
    assert PyprojectDocument("x = 1\n").header_at(3) is None


def test_entries_near_reads_the_table_around_the_offset():
    text = 'top = 1\n[tool.a]\nx = 1\n[tool.b]\ny = 2\nz = 3\n[project]\nname = "p"\n'
    doc = PyprojectDocument(text)
    assert [kv.path for kv in doc.entries_near(text.index("y ="))] == [("tool", "b", "y"), ("tool", "b", "z")]
    assert [kv.path for kv in doc.entries_near(text.index("x ="))] == [("tool", "a", "x")]
    # a table the checks read, or the top: every such entry
    assert ("project", "name") in [kv.path for kv in doc.entries_near(text.index("name"))]
    assert ("top",) in [kv.path for kv in doc.entries_near(0)]
    last = 'a = 1\n[tool.c]\nq = 1\n'
    assert [kv.path for kv in PyprojectDocument(last).entries_near(len(last))] == [("tool", "c", "q")]
