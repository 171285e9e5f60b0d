"""The pyproject.toml document model: the ``[external]`` table, its lists and the cursor.

Built on tolerant_toml (spans, recovery from half-typed text) and tomllib (the verdict on
validity). Everything here works on string offsets; text_positions converts for LSP.

A version made from the previous one by a known edit (``PyprojectDocument.edited``) reads
only what the edit touched: the tolerant tree is re-read around the edit
(``tolerant_toml.reread``), and a valid document stays valid without a whole ``tomllib``
pass when the edited tables are valid alone and define the same keys as before
(``_edit_keeps_validity``); an invalid one that an edit repairs is judged the same way
against the last valid version. Both give exactly what a fresh read gives
(tests/test_incremental.py).
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left
from dataclasses import dataclass, field
from .cached import cached_property

from . import depurl, tolerant_toml
from .text_positions import LineIndex
from .tolerant_toml import ArrayNode, KeyValue, StringNode, TableHeader

# PEP 725: exactly these keys, in the order the PEP lists them.
REQUIREMENT_KEYS = ("build-requires", "host-requires", "dependencies")
OPTIONAL_KEYS = ("optional-build-requires", "optional-host-requires", "optional-dependencies")
GROUPS_KEY = "dependency-groups"
EXTERNAL_KEYS = REQUIREMENT_KEYS + OPTIONAL_KEYS + (GROUPS_KEY,)

_TOMLLIB_WHERE = re.compile(r"\(at line (\d+), column (\d+)\)|\(at end of document\)")


@dataclass(frozen=True, slots=True)
class SyntaxProblem:
    message: str
    offset: int


@dataclass(slots=True)
class RequirementList:
    """One array of external dependency specifiers, e.g. ``host-requires`` or a group.

    ``key`` is one of the seven keys; ``group`` is the group name for optional-* and
    dependency-groups lists, else None. ``path`` is the key path from the root.
    """

    key: str
    group: str | None
    path: tuple[str, ...]
    array: ArrayNode
    entry: KeyValue

    @property
    def strings(self) -> list[tuple[int, StringNode]]:
        return [(i, item) for i, item in enumerate(self.array.items) if isinstance(item, StringNode)]


@dataclass(slots=True)
class ExternalTable:
    """Every ``external.*`` statement in the file, however it was written.

    ``entries`` are the key/value pairs under ``external`` (any depth, inline tables
    flattened); ``headers`` are ``[external...]`` table headers.
    """

    entries: list[KeyValue] = field(default_factory=list)
    headers: list[TableHeader] = field(default_factory=list)
    lists: list[RequirementList] = field(default_factory=list)

    @property
    def present(self) -> bool:
        return bool(self.entries or self.headers)

    def lists_for(self, key: str) -> list[RequirementList]:
        return [lst for lst in self.lists if lst.key == key]


@dataclass(frozen=True, slots=True)
class ListedSpecifier:
    """One closed string of a requirement list, parsed once per document version.

    ``spec`` is the string as written; ``effective`` is what it means: for a 2023-draft
    ``pkg:``/``virtual:`` string, its ``dep:`` equivalent, else ``spec`` itself.
    """

    requirement_list: RequirementList
    index: int
    string: StringNode
    spec: depurl.ExternalSpecifier
    effective: depurl.ExternalSpecifier


@dataclass(frozen=True, slots=True)
class CursorInString:
    """The cursor is inside a string of a requirement list."""

    requirement_list: RequirementList
    index: int
    string: StringNode
    offset_in_string: int  # offset into the string's raw content

    @property
    def path(self) -> tuple[str | int, ...]:
        return self.requirement_list.path + (self.index,)


@dataclass(frozen=True, slots=True)
class CursorInArray:
    """The cursor is in a requirement list between elements (not in a string)."""

    requirement_list: RequirementList


@dataclass(frozen=True, slots=True)
class CursorAtKey:
    """The cursor is where a key goes (or on a key being typed) in table ``table``."""

    table: tuple[str, ...]
    prefix: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CursorInValue:
    """The cursor is inside any other string value (e.g. a ``[project]`` dependency)."""

    path: tuple[str, ...]
    string: StringNode
    offset_in_string: int


Cursor = CursorInString | CursorInArray | CursorAtKey | CursorInValue | None


# A document this big (a 5 MB one took 2.7 s to parse here) is parsed in a worker, not on
# the event loop (server.py, Pep725Server.prepare_soon).
BIG_DOCUMENT_CHARS = 1_000_000


class PyprojectDocument:
    """One version of a pyproject.toml text, analysed lazily and at most once."""

    def __init__(self, text: str, encoding: str = "utf-16", lines: LineIndex | None = None) -> None:
        self.text = text
        self.encoding = encoding
        # (previous version, (start, old_end, new_end)) while this version can reuse it
        self._base: tuple[PyprojectDocument, tuple[int, int, int]] | None = None
        # (the last valid version before this one, the edit from it to this text) while the
        # verdict is to be worked out, and while this version is invalid (for the next one)
        self._valid_base: tuple[PyprojectDocument, tuple[int, int, int]] | None = None
        if lines is not None and lines.text is text and lines.encoding == encoding:
            self.__dict__["lines"] = lines  # the editor's copy keeps one, patched per change

    @classmethod
    def edited(cls, previous: PyprojectDocument, text: str, edit: tuple[int, int, int] | None,
               encoding: str = "utf-16", lines: LineIndex | None = None) -> PyprojectDocument:
        """The version ``text``, made from ``previous`` by replacing ``previous.text[start:old_end]``
        with ``text[start:new_end]``.

        The previous version's work is reused when it is done (tree and verdict) and the edit
        really is the difference between the texts (checked: a wrong edit costs only speed).
        Each version lets go of its predecessor once it has its own tree and verdict.

        While the text is not valid TOML, versions also carry the last valid one and the
        edits since, merged into one: the version that repairs the text is judged against
        it (``_edit_keeps_validity``) instead of by a whole ``tomllib`` pass (133 ms at
        30,004 lines for closing a quote typed in ``[external]``).
        """
        doc = cls(text, encoding, lines)
        if edit is None or not previous._settled or not _describes(previous.text, text, edit):
            return doc
        doc._base = (previous, edit)
        if previous.syntax_problem is None:
            doc._valid_base = (previous, edit)
        elif previous._valid_base is not None:
            valid, since = previous._valid_base
            merged = _merged_edits(since, edit)
            if _describes(valid.text, text, merged):
                doc._valid_base = (valid, merged)
        return doc

    @property
    def _settled(self) -> bool:
        return "tree" in self.__dict__ and "syntax_problem" in self.__dict__

    @property
    def prepared(self) -> bool:
        return self._settled and "lines" in self.__dict__

    def prepare(self) -> None:
        """Compute what every request needs (tree, verdict, line index), e.g. in a worker."""
        self.lines, self.tree, self.syntax_problem  # noqa: B018 - cached on first use

    @cached_property
    def lines(self) -> LineIndex:
        return LineIndex(self.text, self.encoding)

    @cached_property
    def tree(self) -> tolerant_toml.TomlTree:
        base = self._base
        if base is not None:
            previous, (start, old_end, new_end) = base
            return tolerant_toml.reread(previous.tree, previous.text, self.text, start, old_end, new_end)
        return tolerant_toml.read(self.text, keep=needed_table)

    @cached_property
    def entries(self) -> list[KeyValue]:
        """Every key/value of the tables the checks read (``needed_table``), inline tables'
        entries included. Other tables: ``entries_near``."""
        return list(self.tree.walk())

    def entries_near(self, offset: int) -> list[KeyValue]:
        """Every key/value of the table ``offset`` is in (of a table the checks do not read
        too: read again, on demand), inline tables' entries included."""
        headers = self.tree.headers
        i = headers.before(offset)
        if not i or needed_table(headers.path(i - 1)):
            return self.entries
        start = headers.starts[i - 1]
        end = headers.starts[i] if i < len(headers) else len(self.text)
        return list(tolerant_toml.TomlTree(entries=self.tree.entries_between(start, end)).walk())

    def _read_whole(self) -> tuple[dict | None, SyntaxProblem | None]:
        try:
            return tomllib.loads(self.text), None
        except tomllib.TOMLDecodeError as exc:
            return None, _syntax_problem(self.text, exc)
        except RecursionError:  # absurdly deep nesting
            return None, SyntaxProblem("nesting is too deep to read", 0)

    @cached_property
    def _whole_verdict(self) -> SyntaxProblem | None:
        # Only the verdict is kept: the dict of a big file is megabytes, and only the rare
        # "generate shell.nix" and fix checks ask for it (``parsed``).
        return self._read_whole()[1]

    @cached_property
    def parsed(self) -> dict | None:
        """The document as tomllib reads it, or None when it is not valid TOML."""
        data, problem = self._read_whole()
        self.__dict__.setdefault("_whole_verdict", problem)  # the same pass gave the verdict
        return data

    @cached_property
    def syntax_problem(self) -> SyntaxProblem | None:
        """tomllib's verdict: the first syntax error, or None for valid TOML."""
        valid_base = self._valid_base
        tree = self.tree
        self._base = None
        if valid_base is not None and "_whole_verdict" not in self.__dict__:
            valid, edit = valid_base
            if _edit_keeps_validity(valid, self, tree, edit):
                self._valid_base = None
                return None
        problem = self._whole_verdict
        if problem is None:
            self._valid_base = None  # the next version is judged against this one
        return problem

    @cached_property
    def external(self) -> ExternalTable:
        # the headers of kept tables only: ``needed_table`` keeps every [external...] table
        return _external_table(self.tree.headers.kept(), self.entries)

    @cached_property
    def specifiers(self) -> list[ListedSpecifier]:
        """Every closed string of every requirement list, parsed as a specifier."""
        out = []
        for lst in self.external.lists:
            for index, string in lst.strings:
                if not string.terminated:
                    continue  # still being typed
                spec = depurl.parse(string.value)
                effective = depurl.parse_effective(string.value)
                out.append(ListedSpecifier(lst, index, string, spec, effective))
        return out

    def declared_ids(self, keys: tuple[str, ...] | None = None) -> set[str]:
        """Package ids (``dep:type/ns/name``) declared in the [external] lists of ``keys``
        (default: every list); a 2023-draft spelling counts as what it means."""
        return {listed.effective.package_id for listed in self.specifiers
                if listed.effective.package_id and (keys is None or listed.requirement_list.key in keys)}

    def values_at(self, path: tuple[str, ...]) -> list[KeyValue]:
        return [kv for kv in self.entries if kv.path == path]

    def header_at(self, offset: int) -> TableHeader | None:
        """The table header in force at ``offset``."""
        headers = self.tree.headers
        i = headers.before(offset)
        return headers[i - 1] if i else None

    def cursor(self, offset: int) -> Cursor:
        for lst in self.external.lists:
            array = lst.array
            if not _inside_array(array, offset):
                continue
            for index, string in lst.strings:
                if _inside_string(string, offset):
                    return CursorInString(lst, index, string, offset - string.content_start)
            return CursorInArray(lst)
        for kv in self.entries_near(offset):
            value = kv.value
            if isinstance(value, StringNode) and _inside_string(value, offset):
                return CursorInValue(kv.path, value, offset - value.content_start)
            if isinstance(value, ArrayNode) and _inside_array(value, offset):
                for item in value.items:
                    if isinstance(item, StringNode) and _inside_string(item, offset):
                        return CursorInValue(kv.path, item, offset - item.content_start)
        return self._key_position(offset)

    def _key_position(self, offset: int) -> CursorAtKey | None:
        line_start = self.lines.line_start(self.lines.offset_to_position(offset).line)
        before = self.text[line_start:offset]
        m = re.fullmatch(r"[ \t]*((?:[A-Za-z0-9_-]+[ \t]*\.[ \t]*)*[A-Za-z0-9_-]*)", before)
        if not m:
            return None
        # Inside a multi-line value (array spanning lines), this is not a key position.
        for kv in self.entries_near(offset):
            if kv.value is not None and kv.value.start < line_start < kv.value.end:
                return None
        header = self.header_at(offset)
        table = header.path if header else ()
        after = re.match(r"[A-Za-z0-9_-]*", self.text[offset:]).group()
        prefix = m.group(1).replace(" ", "").replace("\t", "")
        # the segment being typed, without the blanks after its dot ("external . ho")
        typed = m.group(1).split(".")[-1].lstrip(" \t")
        return CursorAtKey(table, prefix, offset - len(typed), offset + len(after))


def _inside_string(string: StringNode, offset: int) -> bool:
    return string.content_start <= offset <= string.content_end


def _inside_array(array: ArrayNode, offset: int) -> bool:
    """Between the brackets; an unclosed array also owns the offset at its end."""
    return array.start < offset < array.end or (not array.terminated and offset == array.end)


def _syntax_problem(text: str, exc: tomllib.TOMLDecodeError) -> SyntaxProblem:
    message = str(exc)
    m = _TOMLLIB_WHERE.search(message)
    offset = len(text)
    if m:
        message = message[: m.start()].rstrip()
        if m.group(1):
            # tomllib counts lines by \n only, and columns in code points.
            line, column = int(m.group(1)) - 1, int(m.group(2)) - 1
            offset = 0
            for _ in range(line):
                offset = text.find("\n", offset) + 1
            offset += column
    return SyntaxProblem(message, min(offset, len(text)))


def _describes(old: str, text: str, edit: tuple[int, int, int]) -> bool:
    """Whether ``text`` is ``old`` with ``old[start:old_end]`` replaced by ``text[start:new_end]``."""
    start, old_end, new_end = edit
    return (
        0 <= start <= old_end <= len(old)
        and start <= new_end <= len(text)
        and len(text) - new_end == len(old) - old_end
        and text.startswith(old[:start])
        and text.endswith(old[old_end:])
    )


def _merged_edits(first: tuple[int, int, int], then: tuple[int, int, int]) -> tuple[int, int, int]:
    """One edit doing ``first`` and then ``then`` (whose offsets are in ``first``'s result):
    from the lower start to the higher end, in the original text and in the final one."""
    start, old_end, new_end = first
    start2, old_end2, new_end2 = then
    low, high = min(start, start2), max(new_end, old_end2)
    return low, high - (new_end - old_end), high + (new_end2 - old_end2)


def _edit_keeps_validity(previous: PyprojectDocument, doc: PyprojectDocument, tree: tolerant_toml.TomlTree,
                         edit: tuple[int, int, int]) -> bool:
    """Whether ``doc`` is valid TOML, given that ``previous`` was; False means "do not know".

    The edit lies in a run of whole tables (a *chunk*: from a table header, or the start, to
    a later header, or the end). TOML's errors are of two kinds: inside a statement, which
    ``tomllib`` finds by reading the chunk alone, and between definitions of the same key
    path (a table declared twice, a key under an inline table...), which depend only on the
    key paths each statement defines and on the kind of value. So when the chunk is valid
    alone and defines the same key paths, in the same order and with the same kinds of
    value, as before the edit, the document is as valid as it was.
    """
    chunk_start, chunk_end = _chunk_around(previous.tree.headers, tree.headers, len(doc.text), edit)
    delta = edit[2] - edit[1]
    if _shape(tree, chunk_start, chunk_end) != _shape(previous.tree, chunk_start, chunk_end - delta):
        return False
    try:
        tomllib.loads(doc.text[chunk_start:chunk_end])
    except (tomllib.TOMLDecodeError, RecursionError):
        return False
    return True


def _chunk_around(old_headers: tolerant_toml.Headers, new_headers: tolerant_toml.Headers, length: int,
                  edit: tuple[int, int, int]) -> tuple[int, int]:
    """The smallest run of whole tables of the new version (``length`` characters long)
    that holds the edit and is bounded by headers both versions have: ``(start, end)``,
    from such a header (or the start) to the next (or the end). The reader finds headers
    only at the start of a line, so a chunk is whole lines."""
    start, old_end, new_end = edit
    delta = new_end - old_end
    new_starts = new_headers.starts
    # the chunk's start: a header before the edit in both versions (or the document's start)
    i = bisect_left(new_starts, start + 1) - 1
    while i >= 0 and old_headers.index_of_start(new_starts[i]) is None:
        i -= 1
    chunk_start = new_starts[i] if i >= 0 else 0
    # its end: the first header after the edit that was a header before it too (or the end)
    j = bisect_left(new_starts, max(new_end, chunk_start + 1))
    while j < len(new_starts) and old_headers.index_of_start(new_starts[j] - delta) is None:
        j += 1
    chunk_end = new_starts[j] if j < len(new_starts) else length
    return chunk_start, chunk_end


# The tables whose statements the checks read; the reader keeps the others' headers only.
_NEEDED_ROOTS = frozenset({"external", "project", "build-system", "dependency-groups"})


def needed_table(path: tuple[str, ...]) -> bool:
    """Whether the checks read the statements of table ``path`` (``[tool.setuptools]`` for
    ext-modules, and ``[tool]``, whose dotted keys may reach it)."""
    return not path or path[0] in _NEEDED_ROOTS or path == ("tool",) or path[:2] == ("tool", "setuptools")


def _value_kind(kv: KeyValue) -> str:
    value = kv.value
    if isinstance(value, ArrayNode):
        return "array"
    if isinstance(value, tolerant_toml.InlineTableNode):
        return "table"
    return "none" if value is None else "scalar"


def _shape(tree: tolerant_toml.TomlTree, start: int, end: int) -> list[tuple]:
    """What the statements in ``[start, end)`` define: header paths, key paths, kinds of value."""
    headers = tree.headers[tree.headers.before(start) : tree.headers.before(end)]
    entries = tree.entries_between(start, end)
    shape = [(h.start - start, "[[" if h.is_array else "[", h.path) for h in headers]
    shape += [(kv.start - start, "=", kv.path, _value_kind(kv)) for kv in entries]
    shape.sort(key=lambda item: item[0])
    return [item[1:] for item in shape]


def _external_table(headers: list[TableHeader], entries: list[KeyValue]) -> ExternalTable:
    table = ExternalTable()
    table.headers = [h for h in headers if h.path[:1] == ("external",)]
    for kv in entries:
        if kv.path[:1] != ("external",):
            continue
        table.entries.append(kv)
        if not isinstance(kv.value, ArrayNode):
            continue
        rest = kv.path[1:]
        if len(rest) == 1 and rest[0] in REQUIREMENT_KEYS:
            table.lists.append(RequirementList(rest[0], None, kv.path, kv.value, kv))
        elif len(rest) == 2 and rest[0] in OPTIONAL_KEYS + (GROUPS_KEY,):
            table.lists.append(RequirementList(rest[0], rest[1], kv.path, kv.value, kv))
    return table
