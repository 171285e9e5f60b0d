"""The pyproject.toml document model: the ``[external]`` table, its lists and the cursor.

Built on tolerant_toml (spans, recovery from half-typed text) and tomllib (the verdict on
validity). Everything here works on string offsets; text_positions converts for LSP.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property

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


class PyprojectDocument:
    """One version of a pyproject.toml text, analysed lazily and at most once."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.text = text
        self.encoding = encoding

    @cached_property
    def lines(self) -> LineIndex:
        return LineIndex(self.text, self.encoding)

    @cached_property
    def tree(self) -> tolerant_toml.TomlTree:
        return tolerant_toml.read(self.text)

    @cached_property
    def entries(self) -> list[KeyValue]:
        return list(self.tree.walk())

    @cached_property
    def _tomllib(self) -> tuple[dict | None, SyntaxProblem | None]:
        # One tomllib pass gives both answers (it is the costliest step on a big file).
        try:
            return tomllib.loads(self.text), None
        except tomllib.TOMLDecodeError as exc:
            return None, _syntax_problem(self.text, exc)
        except RecursionError:  # absurdly deep nesting
            return None, SyntaxProblem("nesting is too deep to read", 0)

    @property
    def parsed(self) -> dict | None:
        """The document as tomllib reads it, or None when it is not valid TOML."""
        return self._tomllib[0]

    @property
    def syntax_problem(self) -> SyntaxProblem | None:
        return self._tomllib[1]

    @cached_property
    def external(self) -> ExternalTable:
        return _external_table(self.tree.headers, self.entries)

    @cached_property
    def specifiers(self) -> list[ListedSpecifier]:
        """Every closed string of every requirement list, parsed as a specifier."""
        out = []
        for lst in self.external.lists:
            for index, string in lst.strings:
                if not string.terminated:
                    continue  # still being typed
                spec = depurl.parse(string.value)
                effective = depurl.parse(spec.legacy_replacement) if spec.legacy_replacement else spec
                out.append(ListedSpecifier(lst, index, string, spec, effective))
        return out

    def values_at(self, path: tuple[str, ...]) -> list[KeyValue]:
        return [kv for kv in self.entries if kv.path == path]

    def header_at(self, offset: int) -> TableHeader | None:
        """The table header in force at ``offset``."""
        found = None
        for header in self.tree.headers:
            if header.start >= offset:
                break
            found = header
        return found

    def cursor(self, offset: int) -> Cursor:
        for lst in self.external.lists:
            array = lst.array
            if not _inside_array(array, offset):
                continue
            for index, string in lst.strings:
                if _inside_string(string, offset):
                    return CursorInString(lst, index, string, offset - string.content_start)
            return CursorInArray(lst)
        for kv in self.entries:
            value = kv.value
            if isinstance(value, StringNode) and _inside_string(value, offset):
                return CursorInValue(kv.path, value, offset - value.content_start)
            if isinstance(value, ArrayNode) and _inside_array(value, offset):
                for item in value.items:
                    if isinstance(item, StringNode) and _inside_string(item, offset):
                        return CursorInValue(kv.path, item, offset - item.content_start)
        return self._key_position(offset)

    def _key_position(self, offset: int) -> CursorAtKey | None:
        line_start = self.lines.line_starts[self.lines.offset_to_position(offset).line]
        before = self.text[line_start:offset]
        m = re.fullmatch(r"[ \t]*((?:[A-Za-z0-9_-]+[ \t]*\.[ \t]*)*[A-Za-z0-9_-]*)", before)
        if not m:
            return None
        # Inside a multi-line value (array spanning lines), this is not a key position.
        for kv in self.entries:
            if kv.value is not None and kv.value.start < line_start < kv.value.end:
                return None
        header = self.header_at(offset)
        table = header.path if header else ()
        after = re.match(r"[A-Za-z0-9_-]*", self.text[offset:]).group()
        prefix = m.group(1).replace(" ", "").replace("\t", "")
        return CursorAtKey(table, prefix, offset - len(m.group(1).split(".")[-1]), offset + len(after))


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
