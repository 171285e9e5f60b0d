"""Incremental re-analysis gives exactly what a fresh read gives.

A new version made from the previous one by an edit re-reads only the tables the edit
touches (tolerant_toml.reread) and keeps a valid document's verdict without a whole tomllib
pass when the edited tables still define the same keys (document._edit_keeps_validity).
These tests compare both with a fresh read of the same text, over random edit sequences.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from lsprotocol import types as lsp
from pygls.workspace import PositionCodec

from pep725_ls import document, lsp_conversions, tolerant_toml
from pep725_ls.checks import run_checks
from pep725_ls.config import Settings
from pep725_ls.data_index import default_index
from pep725_ls.document import PyprojectDocument, needed_table
from pep725_ls.edits import minimal_edit
from pep725_ls.text_document import LspTextDocument
from pep725_ls.text_positions import LineIndex

WORKSPACES = Path(__file__).parent / "workspaces"

# Valid fixture files with several tables: the starting points of the edit sequences.
REALISTIC = Path(__file__).parents[1] / "bench" / "fixtures" / "pyproject.toml"  # 286 lines
REAL_PROJECTS = Path(__file__).parent / "nixos" / "projects"  # numpy's, lxml's, psycopg2's…
STARTS = sorted(
    text
    for text in (p.read_text("utf-8") for p in [REALISTIC, *WORKSPACES.rglob("pyproject.toml"),
                                                 *REAL_PROJECTS.rglob("pyproject.toml")])
    if text.count("\n[") >= 2 and PyprojectDocument(text).syntax_problem is None
) + [
    # small documents whose tables share paths, where one keystroke can make a conflict
    "[a]\nb = 1\n\n[c]\nd = 2\n\n[a.e]\nf = 3\n",
    "x.y = 1\n[a]\nb = {c = 1}\n[[d]]\ne = 1\n[[d]]\ne = 2\n[d.f]\ng = 1\n[b]\n",
]

# What gets typed: TOML's structural characters, whole statements that define keys and
# tables (so that edits can create a table twice or write under an inline table), and text.
PIECES = ['"', "'", "[", "]", "{", "}", "=", ",", "\n", " ", "#", "a", "b", ".", "1", "\\",
          '"""', "dep:generic/zlib", "[a]\n", "[[a]]\n", "[a.b]\n", "[external]\n", "a.b = 1\n",
          "x = {y = 1}\n", "b = 2\n", "host-requires = []\n"]

edits = st.lists(
    st.tuples(st.floats(0, 1), st.sampled_from([0, 0, 1, 2, 7, 40]), st.lists(st.sampled_from(PIECES), max_size=3)),
    min_size=1,
    max_size=8,
)


def apply(text: str, edit) -> tuple[str, tuple[int, int, int]]:
    where, removed, typed = edit
    start = int(where * len(text))
    end = min(len(text), start + removed)
    inserted = "".join(typed)
    return text[:start] + inserted + text[end:], (start, end, start + len(inserted))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(STARTS), edits, st.sampled_from([None, needed_table]))
def test_reread_is_a_fresh_read(text, steps, keep):
    tree = tolerant_toml.read(text, keep)
    for step in steps:
        new, (start, old_end, new_end) = apply(text, step)
        tree = tolerant_toml.reread(tree, text, new, start, old_end, new_end)
        fresh = tolerant_toml.read(new, keep)
        assert tree == fresh
        # the headers shared with earlier versions, at their new offsets, and which are kept
        assert tree.headers.starts == [h.start for h in fresh.headers]
        assert tree.headers.kept_indices == fresh.headers.kept_indices
        assert tree.headers.kept() == [h for h in fresh.headers if keep is None or keep(h.path)]
        text = new


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(STARTS), edits, st.data())
def test_tables_read_on_demand_are_those_of_a_whole_read(text, steps, data):
    for step in steps:
        text, _ = apply(text, step)
    doc = PyprojectDocument(text)
    whole = tolerant_toml.read(text)
    assert doc.tree.headers == whole.headers
    def table_of(kv):
        before = [h for h in whole.headers if h.start < kv.start]
        return before[-1].path if before else ()

    kept = tolerant_toml.TomlTree(entries=[kv for kv in whole.entries if needed_table(table_of(kv))])
    assert doc.entries == list(kept.walk())
    offset = data.draw(st.integers(0, len(text)))
    starts = [0] + [h.start for h in whole.headers if h.start < offset]
    table = max(starts)
    ends = [h.start for h in whole.headers if h.start >= offset] + [len(text)]
    in_table = [kv for kv in whole.walk() if table <= kv.start < min(ends)]
    near = doc.entries_near(offset)
    assert all(kv in near for kv in in_table)
    assert doc.cursor(offset) == _cursor_of_whole_read(text, offset)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(STARTS), edits)
def test_edited_versions_match_fresh_ones(text, steps):
    doc = PyprojectDocument(text)
    doc.syntax_problem
    for step in steps:
        new, edit = apply(text, step)
        doc = PyprojectDocument.edited(doc, new, edit)
        fresh = PyprojectDocument(new)
        assert doc.syntax_problem == fresh.syntax_problem
        assert doc.tree == fresh.tree
        assert doc.specifiers == fresh.specifiers
        text = new


# An editing session: edits as above, pieces typed one character at a time (every
# half-typed state a version), and undoing the last few versions, which repairs what
# they broke (a quote typed, then taken back).
session = st.lists(
    st.one_of(
        st.tuples(st.just("edit"), st.floats(0, 1), st.sampled_from([0, 0, 1, 2, 7, 40]),
                  st.lists(st.sampled_from(PIECES), max_size=3)),
        st.tuples(st.just("type"), st.floats(0, 1), st.sampled_from(PIECES)),
        st.tuples(st.just("undo"), st.integers(1, 4)),
    ),
    min_size=1,
    max_size=8,
)


def session_versions(text: str, steps) -> list[str]:
    """The texts an editing session goes through, in order."""
    versions = [text]
    for step in steps:
        if step[0] == "edit":
            versions.append(apply(versions[-1], step[1:])[0])
        elif step[0] == "type":
            _, where, piece = step
            at = int(where * len(versions[-1]))
            for i in range(1, len(piece) + 1):
                versions.append(versions[-1][:at] + piece[:i] + versions[-1][at + i - 1 :])
        else:
            versions.append(versions[max(0, len(versions) - 1 - step[1])])
    return versions[1:]


def lsp_change(old: str, new: str, lines: LineIndex) -> lsp.TextDocumentContentChangePartial:
    """The one change an editor sends for ``old`` -> ``new``: the differing middle, never
    splitting a \r\n (LSP positions cannot point between its characters)."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = len(old)
    while end > start and len(new) - (len(old) - end) > start and old[end - 1] == new[len(new) - (len(old) - end) - 1]:
        end -= 1
    if start and old[start - 1] == "\r":
        start -= 1
    if 0 < end < len(old) and old[end - 1] == "\r" and old[end] == "\n":
        end += 1
    a, b = lines.offset_to_position(start), lines.offset_to_position(end)
    return lsp.TextDocumentContentChangePartial(
        range=lsp.Range(lsp.Position(a.line, a.character), lsp.Position(b.line, b.character)),
        text=new[start : len(new) - (len(old) - end)])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(STARTS), session)
def test_an_editing_session_gives_the_diagnostics_of_fresh_analyses(text, steps):
    """The server's path (the editor's copy applies LSP changes and patches its line index;
    each version is made from the previous one, its verdict from the last valid one) gives,
    at every version, the findings and LSP diagnostics of a fresh analysis of the text."""
    index, settings_ = default_index(), Settings()
    document = LspTextDocument("file:///p/pyproject.toml", text, version=0, position_codec=PositionCodec())
    doc = PyprojectDocument(document.source, lines=document.line_index())
    doc.prepare()
    for new in session_versions(text, steps):
        document.apply_change(lsp_change(document.source, new, document.line_index()))
        assert document.source == new
        doc = PyprojectDocument.edited(doc, document.source, document.take_edit(), lines=document.line_index())
        fresh = PyprojectDocument(new)
        findings = run_checks(doc, index)
        assert doc.syntax_problem == fresh.syntax_problem
        assert findings == run_checks(fresh, index)
        assert (lsp_conversions.diagnostics(doc, findings, settings_)
                == lsp_conversions.diagnostics(fresh, findings, settings_))
        assert doc.tree == fresh.tree and doc.lines.line_starts == fresh.lines.line_starts
        doc.prepare()  # as the server's analyses are before the next version is made


def test_a_repair_is_judged_against_the_last_valid_version():
    text = REALISTIC.read_text("utf-8")
    doc = PyprojectDocument(text)
    assert doc.syntax_problem is None
    at = text.index('"dep:generic/openblas') + len('"dep:')
    broken = text[:at] + '"' + text[at:]  # a quote typed: the string ends early
    doc = PyprojectDocument.edited(doc, broken, (at, at, at + 1))
    assert doc.syntax_problem is not None
    more = broken[:at + 1] + "x" + broken[at + 1 :]
    doc = PyprojectDocument.edited(doc, more, (at + 1, at + 1, at + 2))
    assert doc.syntax_problem == PyprojectDocument(more).syntax_problem
    repaired = more[:at] + more[at + 1 :]  # the quote taken back: valid again
    doc = PyprojectDocument.edited(doc, repaired, (at, at + 1, at))
    assert doc.syntax_problem is None
    assert "_whole_verdict" not in doc.__dict__  # no whole-document tomllib pass was needed
    assert doc.parsed == tomllib.loads(repaired)


def test_typing_in_a_value_keeps_the_verdict_without_a_whole_pass():
    text = REALISTIC.read_text("utf-8")
    doc = PyprojectDocument(text)
    assert doc.syntax_problem is None
    at = text.index('"dep:generic/openblas') + len('"dep:')
    new = text[:at] + "x" + text[at:]
    edited = PyprojectDocument.edited(doc, new, (at, at, at + 1))
    assert edited.syntax_problem is None
    assert "_whole_verdict" not in edited.__dict__  # no whole-document tomllib pass was needed
    assert edited.parsed == tomllib.loads(new)  # asked for, the document is still read whole


def test_an_edit_that_declares_a_table_twice_is_caught():
    text = '[a]\nb = 1\n\n[c]\nd = 2\n\n[a.e]\nf = 3\n'
    doc = PyprojectDocument(text)
    assert doc.syntax_problem is None
    at = text.index("[c]") + 1
    new = text[:at] + "a" + text[at + 1 :]  # [c] becomes [a]: declared twice
    edited = PyprojectDocument.edited(doc, new, (at, at + 1, at + 1))
    assert edited.syntax_problem is not None
    assert edited.syntax_problem == PyprojectDocument(new).syntax_problem
    at = new.index("d = 2")
    newer = new[:at] + "e" + new[at + 1 :]  # a key under [a] named like the table [a.e]
    assert PyprojectDocument.edited(edited, newer, (at, at + 1, at + 1)).syntax_problem is not None


def test_a_wrong_edit_costs_speed_not_correctness():
    doc = PyprojectDocument('[a]\nb = "x"\n')
    doc.syntax_problem
    new = '[a]\nb = "y"\nc = [\n'
    edited = PyprojectDocument.edited(doc, new, (8, 9, 9))  # does not describe the change
    assert edited.syntax_problem == PyprojectDocument(new).syntax_problem
    assert edited.tree == PyprojectDocument(new).tree


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab\n\r\u00e9\U0001f600", max_size=30),
       st.lists(st.tuples(st.integers(0, 5), st.integers(0, 8), st.integers(0, 5), st.integers(0, 8),
                          st.text(alphabet="xy\n\U0001f600", max_size=4)), max_size=6))
def test_the_text_document_knows_what_changed(text, changes):
    document = LspTextDocument("file:///p/pyproject.toml", text, version=0, position_codec=PositionCodec())
    document.take_edit()
    for line, character, end_line, end_character, inserted in changes:
        before = document.source
        start, end = sorted([(line, character), (end_line, end_character)])
        document.apply_change(lsp.TextDocumentContentChangePartial(
            range=lsp.Range(lsp.Position(*start), lsp.Position(*end)), text=inserted))
        after = document.source
        edit = document.take_edit()
        assert edit is not None
        start, old_end, new_end = edit
        assert after[:start] == before[:start] and after[new_end:] == before[old_end:]
    # several changes are merged into one region that covers them all
    before = document.source
    for line, character, end_line, end_character, inserted in changes:
        start, end = sorted([(line, character), (end_line, end_character)])
        document.apply_change(lsp.TextDocumentContentChangePartial(
            range=lsp.Range(lsp.Position(*start), lsp.Position(*end)), text=inserted))
    edit = document.take_edit()
    after = document.source
    if edit is None:
        assert not changes
    else:
        start, old_end, new_end = edit
        assert 0 <= start <= min(old_end, new_end) and len(after) - new_end == len(before) - old_end
        assert after[:start] == before[:start] and after[new_end:] == before[old_end:]


def _cursor_of_whole_read(text: str, offset: int):
    """The cursor as a document that keeps every table finds it."""
    doc = PyprojectDocument(text)
    doc.__dict__["tree"] = tolerant_toml.read(text)  # every table kept
    return doc.cursor(offset)


@pytest.mark.parametrize("where, skip, removed, inserted, whole_pass", [
    ('"dep:generic/openblas', 5, 0, "x", False),  # typing in a string
    ("host-requires", 0, 0, "  ", False),  # indenting a line
    ("[build-system]", 0, 0, "# a comment\n", False),  # a comment line at the start of a table
    ("\n[tool.ruff]", 1, 0, "# note\n", False),  # a comment between tables
    ("\n[tool.ruff]", 1, 0, "extra = 1\n", True),  # a new key: the key paths change
    ("\n[tool.ruff]", 1, 0, "[tool.new]\nx = 1\n", True),  # a new table
    ("host-requires", 0, 4, "HOST", True),  # a renamed key
])
def test_which_edits_are_judged_without_a_whole_pass(where, skip, removed, inserted, whole_pass):
    """An edit that keeps every key path is judged by re-reading its table alone; one that
    changes them needs tomllib's whole pass. The verdict is a fresh read's either way."""
    text = REALISTIC.read_text("utf-8")
    at = text.index(where) + skip
    new = text[:at] + inserted + text[at + removed:]
    previous = PyprojectDocument(text)
    previous.prepare()
    doc = PyprojectDocument.edited(previous, new, (at, at + removed, at + len(inserted)))
    assert doc.syntax_problem == PyprojectDocument(new).syntax_problem is None
    assert ("_whole_verdict" in doc.__dict__) is whole_pass


# --- the chunk an edit is judged in, and what it is compared by ---------------------------

CHUNKS_TEXT = "name = 1\n\n[a]\nx = 1\n\n[b]\ny = 2\n\n[c]\nz = 3\n"


@pytest.mark.parametrize("old, where, removed, inserted, chunk_from, chunk_to", [
    # typing in a table: that table, header to next header
    (CHUNKS_TEXT, "y = 2", 4, "3", "[b]", "[c]"),
    (CHUNKS_TEXT, "x = 1", 4, "7", "[a]", "[b]"),
    # before the first header: from the start of the document
    (CHUNKS_TEXT, "name = 1", 7, "2", None, "[a]"),
    # in the last table: to the end of the document
    (CHUNKS_TEXT, "z = 3", 4, "4", "[c]", None),
    # rewriting a header line in place: the chunk starts at that header
    (CHUNKS_TEXT, "[b]", 3, "[b] # note", "[b]", "[c]"),
    # a comment inserted just before a header belongs to the table above it
    (CHUNKS_TEXT, "[b]", 0, "# note\n", "[a]", "[b]"),
    # a new header inside the edit is not a bound: the chunk reaches the next old one
    (CHUNKS_TEXT, "\n[c]", 1, "[new]\nq = 1\n", "[b]", "[c]"),
    # uncommenting a header: the new header is not a bound either
    (CHUNKS_TEXT.replace("[b]", "#[b]"), "#[b]", 1, "", "[a]", "[c]"),
    (CHUNKS_TEXT.replace("[a]", "#[a]"), "#[a]", 1, "", None, "[b]"),
    # commenting a header out: the table above reaches the next header that stays
    (CHUNKS_TEXT, "[b]", 0, "#", "[a]", "[c]"),
    (CHUNKS_TEXT, "[c]", 0, "#", "[b]", None),
])
def test_the_chunk_an_edit_is_judged_in(old, where, removed, inserted, chunk_from, chunk_to):
    """The smallest run of whole tables around the edit bounded by headers both versions
    have: a wider one costs time, a narrower one could miss the edit."""
    at = old.index(where)
    new = old[:at] + inserted + old[at + removed:]
    edit = (at, at + removed, at + len(inserted))
    start, end = document._chunk_around(
        tolerant_toml.read(old).headers, tolerant_toml.read(new).headers, len(new), edit)
    assert start == (0 if chunk_from is None else new.index(chunk_from))
    assert end == (len(new) if chunk_to is None else new.index(chunk_to, at + len(inserted)))
    assert start <= at and at + len(inserted) <= end


def test_the_shape_of_a_chunk():
    """Header paths, key paths and kinds of value, in the order they are written, and
    nothing from outside ``[start, end)``."""
    text = ('top = "t"\n[a]\nb = 1\nc = [1]\nd = {e = 2}\nf.g = "h"\n[[i]]\nj = 1\n'
            "[k]\nl = 1\n")
    tree = tolerant_toml.read(text)
    start, end = text.index("[a]"), text.index("[k]")
    assert document._shape(tree, start, end) == [
        ("[", ("a",)),
        ("=", ("a", "b"), "scalar"),
        ("=", ("a", "c"), "array"),
        ("=", ("a", "d"), "table"),
        ("=", ("a", "f", "g"), "scalar"),
        ("[[", ("i",)),
        ("=", ("i", "j"), "scalar"),
    ]
    # a statement whose value is missing is a kind of its own
    broken = "[a]\nb =\n"
    assert document._shape(tolerant_toml.read(broken), 0, len(broken))[1:] == [("=", ("a", "b"), "none")]


@pytest.mark.parametrize("old, new, edit, describes", [
    ("abc", "aXc", (1, 2, 2), True),
    ("abc", "abc", (0, 0, 0), True),
    ("abc", "abcd", (3, 3, 4), True),  # appended at the very end
    ("abc", "bc", (0, 1, 0), True),  # removed at the very start
    ("abc", "aXc", (1, 2, 3), False),  # the new end leaves the wrong tail
    ("abc", "aXc", (0, 2, 2), True),  # a wider edit than needed is still true
    ("abc", "aXc", (0, 1, 1), False),  # the kept tail differs ("bc" vs "Xc")
    ("abc", "aXc", (1, 1, 2), False),  # the lengths do not add up
    ("abc", "abX", (1, 2, 2), False),  # same lengths, the tail differs
    ("abc", "Xbc", (1, 2, 2), False),  # same lengths, the head differs
    ("abc", "abc", (-1, 0, 0), False),
    ("abc", "abcd", (2, 4, 4), False),  # past the old text's end
    ("abc", "ab", (2, 3, 3), False),  # past the new text's end
    ("abc", "abc", (2, 1, 1), False),  # ends before it starts
])
def test_an_edit_describes_the_difference_or_is_ignored(old, new, edit, describes):
    """A wrong edit from the editor costs only speed: the new version is read afresh."""
    assert document._describes(old, new, edit) is describes
    previous = PyprojectDocument(old)
    previous.prepare()
    doc = PyprojectDocument.edited(previous, new, edit)
    assert (doc._base is not None) is describes


def _edit_between(old: str, new: str) -> tuple[int, int, int]:
    """The smallest (start, old_end, new_end) that turns ``old`` into ``new``."""
    edit = minimal_edit(old, new)
    return edit.start, edit.end, edit.start + len(edit.new_text)


@pytest.mark.parametrize("old, new", [
    # a header line edited so that it no longer looks like a header: the unclosed array
    # above it now runs on, so reading must restart before that array
    ("x = [\n[t1]\ny = 1\n[t2]\nz = 2\n", "x = [\n[t1] = 5\ny = 1\n[t2]\nz = 2\n"),
    ("x = [\n[t1]\ny = 1\n[t2]\nz = 2\n", "x = [\n[t1 # c\ny = 1\n[t2]\nz = 2\n"),
    ("[t0]\nx = [\n[t1]\ny = 1\n[t2]\nz = 2\n", "[t0]\nx = [\n[t1] = 5\ny = 1\n[t2]\nz = 2\n"),
    # and the other way: a line becomes a header and cuts the array short
    ("[t0]\nx = [\nt1]\ny = 1\n[t2]\n", "[t0]\nx = [\n[t1]\ny = 1\n[t2]\n"),
    # at the very start, in the first table, making and unmaking headers
    ("a = 1\n[t1]\nx = 1\n", "b = 1\n[t1]\nx = 1\n"),
    ("a = 1\n[t1]\nx = 1\n[t2]\n", "a = 1\n[t1]\nx = 12\n[t2]\n"),
    ("[t1]\nx = 1\n[t2]\ny = 2\n", "[t1]\nx = 1\n[new]\n[t2]\ny = 2\n"),
    ("[t1]\nx = 1\n[t2]\ny = 2\n", "[t1]\nx = 1\n#[t2]\ny = 2\n"),
    # unclosed values after the edit are moved as they are, still unclosed
    ("[t1]\nx = 1\n[t2]\ny = {a = 1\nz = [1,\n", "[t1]\nx = 12\n[t2]\ny = {a = 1\nz = [1,\n"),
])
def test_reread_gives_a_fresh_read_where_an_edit_reaches_back(old, new):
    edit = _edit_between(old, new)
    for keep in (None, needed_table, lambda path: path[:1] == ("t2",)):
        tree = tolerant_toml.reread(tolerant_toml.read(old, keep), old, new, *edit)
        fresh = tolerant_toml.read(new, keep)
        assert tree == fresh
        assert tree.headers.starts == [h.start for h in fresh.headers]
        assert tree.headers.kept() == fresh.headers.kept()


REUSE_TEXT = "a = 1\n[t1]\nx = 1\n[t2] \ny = 2\n[t3]\nz = 3\n[t4]\nw = 4\n"


@pytest.mark.parametrize("where, new_value, reread_paths", [
    # reading restarts at the header before the edit and stops at the next one
    ("y = 2", "y = 7", [("t2", "y")]),
    ("x = 1", "x = 7", [("t1", "x")]),
    ("a = 1", "a = 7", [("a",)]),
    ("w = 4", "w = 7", [("t4", "w")]),
    # a longer edit: what follows moves (copies at new offsets)
    ("y = 2", "y = 2222", [("t2", "y"), ("t3", "z"), ("t4", "w")]),
    # an edit on a header's line restarts at the header before it
    ("[t2] ", "[t2]#", [("t1", "x"), ("t2", "y")]),
])
def test_reread_keeps_the_nodes_the_edit_cannot_reach(where, new_value, reread_paths):
    """The nodes before the restart point and, for an edit that keeps the length, after
    the next header are the old objects themselves, and so are the headers: the work of a
    keystroke is that of one table."""
    old_tree = tolerant_toml.read(REUSE_TEXT)
    at = REUSE_TEXT.index(where)
    new = REUSE_TEXT[:at] + new_value + REUSE_TEXT[at + len(where):]
    tree = tolerant_toml.reread(old_tree, REUSE_TEXT, new, *_edit_between(REUSE_TEXT, new))
    assert tree == tolerant_toml.read(new)
    reused = [any(kv is old for old in old_tree.entries) for kv in tree.entries]
    assert [kv.path for kv, same in zip(tree.entries, reused) if not same] == reread_paths
    if len(new) == len(REUSE_TEXT):  # headers of the tables read again are new, the others not
        reread_tables = {path[:1] for path in reread_paths if len(path) > 1}
        assert [h.path for h, old_h in zip(tree.headers, old_tree.headers) if h is not old_h] == sorted(reread_tables)
