"""A TOML reader that never gives up: every key, value and string with its exact span.

Editors ask for completion while the file is half typed (``host-requires = ["dep:gen``),
so this reader recovers from unterminated strings, arrays and tables and from junk,
and keeps going. It does not judge validity: ``tomllib`` does that (see document.py).
Spans are offsets into the Python string; text_positions.py turns them into LSP positions.

``reread`` reads a new version after an edit, re-reading only the tables the edit touches
(see its docstring for why that gives exactly what ``read`` would).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Union

_WS = re.compile(r"[ \t]*")
_WS_NL_COMMENT = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)*")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TO_EOL = re.compile(r"[^\r\n]*")
_BASIC = re.compile(r'"((?:[^"\\\r\n]|\\[^\r\n])*)(\\?)("?)')
_LITERAL = re.compile(r"'([^'\r\n]*)('?)")
_SCALAR = re.compile(r"[^\s,\[\]{}#=\"']+(?: [0-9:.+\-Z]+)?")
# Inside an unterminated array, a line like these starts the next statement.
_HEADER_LINE = re.compile(r"\[\[?[ \t]*[A-Za-z0-9_\"'][^\]\r\n]*\]\]?[ \t]*(?:#[^\r\n]*)?(?:\r?\n|$)")
_KEYVALUE_LINE = re.compile(r"[ \t]*[A-Za-z0-9_-]+(?:[ \t]*\.[ \t]*[A-Za-z0-9_-]+)*[ \t]*=(?!=)")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\", "e": "\x1b"}
MAX_NESTING = 100  # TOML sets no limit; real pyproject files nest a handful of levels
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|[ \t]*\r?\n[ \t\r\n]*|(.))", re.S)


@dataclass(slots=True)
class StringNode:
    """A string value. ``content_start:content_end`` is the text between the quotes."""

    value: str
    start: int
    end: int
    content_start: int
    content_end: int
    quote: str
    terminated: bool = True


@dataclass(slots=True)
class ScalarNode:
    """A number, boolean, date, or a word that is not valid TOML at all."""

    raw: str
    start: int
    end: int


@dataclass(slots=True)
class ArrayNode:
    items: list["Node"]
    start: int
    end: int
    terminated: bool = True


@dataclass(slots=True)
class InlineTableNode:
    entries: list["KeyValue"]
    start: int
    end: int
    terminated: bool = True


Node = Union[StringNode, ScalarNode, ArrayNode, InlineTableNode]


@dataclass(slots=True)
class KeySegment:
    name: str
    start: int
    end: int


@dataclass(slots=True)
class KeyValue:
    """``key = value``. ``path`` is the full key path from the document root.

    ``value`` is None while the user is still typing the key (no ``=`` yet) or the
    value is missing; ``has_equals`` tells which.
    """

    path: tuple[str, ...]
    key: list[KeySegment]
    value: Node | None
    has_equals: bool
    start: int
    end: int

    @property
    def key_start(self) -> int:
        return self.key[0].start

    @property
    def key_end(self) -> int:
        return self.key[-1].end


@dataclass(slots=True)
class TableHeader:
    """``[a.b]`` or ``[[a.b]]``; ``end`` is after the closing bracket(s)."""

    path: tuple[str, ...]
    key: list[KeySegment]
    start: int
    end: int
    is_array: bool
    terminated: bool = True


class Headers(Sequence[TableHeader]):
    """The table headers of one version, in order: their offsets in this version, and the
    headers as read, possibly in an earlier version (shifted since by whole edits).

    A keystroke shifts every later header. Making new TableHeader objects for them was
    most of a keystroke at 30,000 lines (2,300 headers, 3.5 ms, and enough new objects
    to set off full garbage-collector passes of ~20 ms). Here a version shares the read
    headers with the previous one and rebuilds only ``starts``, a list of ints; a header is
    made at its new offset when asked for (``[i]``, iteration). Invariant: ``starts[i] -
    read[i].start`` is the shift of header ``i``; for any of them, the whole header moved
    by that much (reread shifts only whole, unchanged stretches of text).

    ``kept_indices``: the indices of the headers of kept tables (TomlTree.keep), so that
    what the checks ask of every version (the ``[external]`` headers) costs as many steps
    as there are kept tables, not as many as there are tables.
    """

    __slots__ = ("starts", "_read", "kept_indices")

    def __init__(self, starts: list[int] | None = None, read: list[TableHeader] | None = None,
                 kept_indices: list[int] | None = None) -> None:
        self.starts = starts if starts is not None else []
        self._read = read if read is not None else []
        self.kept_indices = kept_indices if kept_indices is not None else []

    def append(self, header: TableHeader, kept: bool = True) -> None:
        if kept:
            self.kept_indices.append(len(self.starts))
        self.starts.append(header.start)
        self._read.append(header)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self._at(j) for j in range(*i.indices(len(self.starts)))]
        if i < 0:
            i += len(self.starts)
        return self._at(i)

    def _at(self, i: int) -> TableHeader:
        header = self._read[i]
        delta = self.starts[i] - header.start
        return header if not delta else _shift_header(header, delta)

    def __iter__(self):
        return (self._at(i) for i in range(len(self.starts)))

    def __eq__(self, other) -> bool:
        if isinstance(other, (Headers, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __repr__(self) -> str:
        return f"Headers({list(self)!r})"

    def path(self, i: int) -> tuple[str, ...]:
        """The key path of header ``i`` (no header is made)."""
        return self._read[i].path

    def kept(self) -> list[TableHeader]:
        """The headers of the tables whose statements the tree keeps, in order."""
        return [self._at(i) for i in self.kept_indices]

    def before(self, offset: int) -> int:
        """How many headers start before ``offset``."""
        return bisect_left(self.starts, offset)

    def index_of_start(self, offset: int) -> int | None:
        """The index of the header starting at ``offset``, if one does."""
        i = bisect_left(self.starts, offset)
        return i if i < len(self.starts) and self.starts[i] == offset else None

    def head(self, n: int) -> Headers:
        """The first ``n`` headers (shared, not copied header by header)."""
        kept = self.kept_indices
        return Headers(self.starts[:n], self._read[:n], kept[: bisect_left(kept, n)])

    def extend_shifted(self, old: Headers, i: int, delta: int) -> None:
        """Append ``old``'s headers from index ``i`` on, moved by ``delta``: new offsets,
        the same header objects."""
        starts = old.starts[i:]
        moved = len(self.starts) - i
        self.kept_indices += [k + moved for k in old.kept_indices[bisect_left(old.kept_indices, i):]]
        self.starts += [s + delta for s in starts] if delta else starts
        self._read += old._read[i:]


@dataclass(slots=True)
class TomlTree:
    """Every table header, and the key/value statements of the tables the reader kept.

    ``keep`` (a predicate on a header's path; None: all) chose the tables whose statements
    are kept; the others were read through (their headers and extent are exact) but not
    kept, so a huge file costs memory only for the tables asked about.
    ``entries_between`` reads any stretch again on demand.
    """

    headers: Headers = field(default_factory=Headers)
    entries: list[KeyValue] = field(default_factory=list)  # top-level statements kept, in order
    text: str = field(default="", compare=False, repr=False)
    keep: Callable[[tuple[str, ...]], bool] | None = field(default=None, compare=False, repr=False)

    def entries_between(self, start: int, end: int) -> list[KeyValue]:
        """The top-level statements in ``[start, end)``, kept or not.

        ``start`` is a table header's offset (or 0); reading from there gives the nodes a
        whole read gives (see ``reread``)."""
        if self.keep is None:
            return self.entries[bisect_left(self.entries, start, key=_start) : bisect_left(self.entries, end, key=_start)]
        part = TomlTree()
        _Reader(self.text).statements(part, start, lambda pos: pos >= end)
        return part.entries

    def walk(self):
        """Every key/value pair in document order, entries of inline-table values included.

        Inline tables inside arrays (``[{include-group = "x"}]``) are items, not entries.
        """
        stack = list(reversed(self.entries))
        while stack:
            kv = stack.pop()
            yield kv
            if isinstance(kv.value, InlineTableNode):
                stack.extend(reversed(kv.value.entries))


def decode_basic(raw: str) -> str:
    if "\\" not in raw:
        return raw

    def sub(m: re.Match[str]) -> str:
        if m.group(1) or m.group(2):
            code = int(m.group(1) or m.group(2), 16)
            return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"
        if m.group(3) is None:
            return ""  # line-ending backslash
        return _ESCAPES.get(m.group(3), m.group(3))

    return _ESCAPE.sub(sub, raw)


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.depth = 0  # arrays and inline tables open around the current position

    # -- small scanners -------------------------------------------------------------
    def skip_ws(self, pos: int) -> int:
        return _WS.match(self.text, pos).end()

    def skip_ws_nl(self, pos: int) -> int:
        return _WS_NL_COMMENT.match(self.text, pos).end()

    def to_eol(self, pos: int) -> int:
        return _TO_EOL.match(self.text, pos).end()

    def at_line_start(self, pos: int) -> bool:
        return pos == 0 or self.text[pos - 1] in "\r\n"

    def starts_statement(self, pos: int) -> bool:
        """Whether a line starting at ``pos`` looks like the next header or key/value."""
        if not self.at_line_start(pos):
            return False
        if self.text.startswith("[", pos):
            return _HEADER_LINE.match(self.text, pos) is not None
        return _KEYVALUE_LINE.match(self.text, pos) is not None

    # -- keys ------------------------------------------------------------------------
    def key(self, pos: int) -> tuple[list[KeySegment], int]:
        segments: list[KeySegment] = []
        while True:
            pos = self.skip_ws(pos)
            ch = self.text[pos] if pos < self.n else ""
            if ch == '"' or ch == "'":
                node = self.string(pos)
                segments.append(KeySegment(node.value, node.start, node.end))
                pos = node.end
            else:
                m = _BARE_KEY.match(self.text, pos)
                if not m:
                    break
                segments.append(KeySegment(m.group(), m.start(), m.end()))
                pos = m.end()
            after = self.skip_ws(pos)
            if after < self.n and self.text[after] == ".":
                pos = after + 1
                continue
            break
        return segments, pos

    # -- values ----------------------------------------------------------------------
    def string(self, pos: int) -> StringNode:
        text = self.text
        if text.startswith('"""', pos) or text.startswith("'''", pos):
            quote = text[pos : pos + 3]
            body = pos + 3
            if quote == '"""':
                close = re.compile(r'(?:[^"\\]|\\.|"(?!""))*', re.S).match(text, body).end()
            else:
                close = text.find("'''", body)
                close = self.n if close < 0 else close
            terminated = text.startswith(quote, close)
            end = close + 3 if terminated else close
            # Up to two extra quotes may close the string: """a""""" is 'a""'.
            extra = 0
            while terminated and extra < 2 and end < self.n and text[end] == quote[0]:
                end += 1
                close += 1
                extra += 1
            raw = text[body:close]
            if raw.startswith("\r\n"):
                raw, body = raw[2:], body + 2
            elif raw.startswith("\n"):
                raw, body = raw[1:], body + 1
            value = decode_basic(raw) if quote == '"""' else raw
            return StringNode(value, pos, end, body, close, quote, terminated)
        if text.startswith('"', pos):
            m = _BASIC.match(text, pos)
            terminated = m.group(3) == '"'
            content_end = m.end(1) + len(m.group(2))
            return StringNode(decode_basic(m.group(1)), pos, m.end(), pos + 1, content_end, '"', terminated)
        m = _LITERAL.match(text, pos)
        terminated = m.group(2) == "'"
        return StringNode(m.group(1), pos, m.end(), pos + 1, m.end(1), "'", terminated)

    def value(self, pos: int, path: tuple[str, ...]) -> Node | None:
        if pos >= self.n:
            return None
        ch = self.text[pos]
        if ch == '"' or ch == "'":
            return self.string(pos)
        if ch == "[" or ch == "{":
            # Arrays and inline tables nest by recursion; past MAX_NESTING a bracket is
            # stepped over as junk, so absurd nesting cannot exhaust the Python stack.
            if self.depth >= MAX_NESTING:
                return None
            self.depth += 1
            try:
                return self.array(pos, path) if ch == "[" else self.inline_table(pos, path)
            finally:
                self.depth -= 1
        m = _SCALAR.match(self.text, pos)
        if m:
            return ScalarNode(m.group(), pos, m.end())
        return None

    def array(self, start: int, path: tuple[str, ...]) -> ArrayNode:
        items: list[Node] = []
        pos = start + 1
        while True:
            before = pos
            pos = self.skip_ws_nl(pos)
            if pos >= self.n:
                return ArrayNode(items, start, self.n, terminated=False)
            if pos != before and self.starts_statement(pos):
                # The array was never closed; the next statement begins here.
                return ArrayNode(items, start, self._trim_back(pos), terminated=False)
            ch = self.text[pos]
            if ch == "]":
                return ArrayNode(items, start, pos + 1)
            if ch == ",":
                pos += 1
                continue
            item = self.value(pos, path)
            if item is None:
                pos += 1  # junk such as a stray '}' or '=': step over it
                continue
            items.append(item)
            pos = item.end

    def _trim_back(self, pos: int) -> int:
        while pos > 0 and self.text[pos - 1] in " \t\r\n":
            pos -= 1
        return pos

    def inline_table(self, start: int, path: tuple[str, ...]) -> InlineTableNode:
        entries: list[KeyValue] = []
        pos = start + 1
        while True:
            pos = self.skip_ws(pos)
            if pos >= self.n or self.text[pos] in "\r\n":
                return InlineTableNode(entries, start, pos, terminated=False)
            ch = self.text[pos]
            if ch == "}":
                return InlineTableNode(entries, start, pos + 1)
            if ch == ",":
                pos += 1
                continue
            kv = self.keyvalue(pos, path, inline=True)
            if kv is None:
                pos += 1
                continue
            entries.append(kv)
            pos = kv.end

    def keyvalue(self, pos: int, table: tuple[str, ...], inline: bool = False) -> KeyValue | None:
        segments, after_key = self.key(pos)
        if not segments:
            return None
        path = table + tuple(s.name for s in segments)
        eq = self.skip_ws(after_key)
        if eq >= self.n or self.text[eq] != "=":
            end = after_key if inline else self.to_eol(after_key)
            return KeyValue(path, segments, None, False, segments[0].start, end)
        value_pos = self.skip_ws(eq + 1)
        value = self.value(value_pos, path)
        end = value.end if value is not None else eq + 1
        return KeyValue(path, segments, value, True, segments[0].start, end)

    # -- document --------------------------------------------------------------------
    def statements(self, tree: TomlTree, pos: int, stop_at_header=None, keep=None) -> int | None:
        """Read statements from ``pos`` (a line start outside any value) into ``tree``.

        Returns None at the end of the text, or the offset of a table header for which
        ``stop_at_header(offset)`` is true (that header is not read). Key/value statements
        of a table whose path ``keep`` rejects are read but not kept.
        """
        table: tuple[str, ...] = ()
        keeping = True
        while True:
            pos = self.skip_ws_nl(pos)
            if pos >= self.n:
                return None
            ch = self.text[pos]
            if ch == "[":
                if stop_at_header is not None and stop_at_header(pos):
                    return pos
                header = self.header(pos)
                table = header.path
                keeping = keep is None or keep(table)
                tree.headers.append(header, keeping)
                pos = header.end
            else:
                kv = self.keyvalue(pos, table)
                if kv is None:
                    pos = self.to_eol(pos + 1)  # junk line
                    continue
                if keeping:
                    tree.entries.append(kv)
                pos = kv.end
            # Anything left on the line after a statement is junk; tomllib reports it.
            rest = self.skip_ws(pos)
            if rest < self.n and self.text[rest] not in "\r\n#":
                pos = self.to_eol(rest)

    def header(self, start: int) -> TableHeader:
        is_array = self.text.startswith("[[", start)
        segments, pos = self.key(start + (2 if is_array else 1))
        pos = self.skip_ws(pos)
        closing = "]]" if is_array else "]"
        terminated = self.text.startswith(closing, pos)
        end = pos + len(closing) if terminated else self.to_eol(pos)
        return TableHeader(tuple(s.name for s in segments), segments, start, end, is_array, terminated)


def read(text: str, keep: Callable[[tuple[str, ...]], bool] | None = None) -> TomlTree:
    """Read ``text`` into a tree of spans. Never raises on any input string.

    ``keep``: which tables' statements to keep, by header path (default: all)."""
    tree = TomlTree(text=text, keep=keep)
    _Reader(text).statements(tree, 0, keep=keep)
    return tree


def reread(old: TomlTree, old_text: str, text: str, start: int, old_end: int, new_end: int) -> TomlTree:
    """``read(text, old.keep)``, reusing ``old`` (the tree of ``old_text``) where the edit cannot reach.

    ``text`` is ``old_text`` with ``old_text[start:old_end]`` replaced by
    ``text[start:new_end]``. The reader's whole state at a top-level table header is the
    header's offset, and what it reads from there depends only on the text from there on.
    So reading restarts at the last header whose line (newline included: the furthest any
    earlier statement looks ahead) ends before the edit, and stops at the first header at or
    after the edit's end that was a header of the old tree too: from there the text, and so
    the tree, is the old one shifted by the edit's length change. Statements before the
    restart point are the old nodes themselves (nodes are never mutated); headers after the
    edit are the old header objects too, with new offsets (``Headers``): a keystroke makes
    new objects for the kept tables after it, not for every table.
    """
    delta = new_end - old_end
    headers = old.headers
    starts = headers.starts
    i = bisect_left(starts, start) - 1
    while i >= 0 and old_text.find("\n", starts[i], start) < 0:
        i -= 1
    restart = starts[i] if i >= 0 else 0
    tree = TomlTree(headers.head(max(i, 0)), old.entries[: bisect_left(old.entries, restart, key=_start)], text,
                    old.keep)

    def old_header_at(pos: int) -> bool:
        return pos >= new_end and headers.index_of_start(pos - delta) is not None

    resume = _Reader(text).statements(tree, restart, old_header_at, old.keep)
    if resume is not None:
        at = resume - delta
        tree.headers.extend_shifted(headers, bisect_left(starts, at), delta)
        tail_entries = old.entries[bisect_left(old.entries, at, key=_start) :]
        if delta:
            tail_entries = [_shift_keyvalue(kv, delta) for kv in tail_entries]
        tree.entries += tail_entries
    return tree


def _start(node) -> int:
    return node.start


def _shift_key(key: list[KeySegment], d: int) -> list[KeySegment]:
    return [KeySegment(k.name, k.start + d, k.end + d) for k in key]


def _shift_header(h: TableHeader, d: int) -> TableHeader:
    return TableHeader(h.path, _shift_key(h.key, d), h.start + d, h.end + d, h.is_array, h.terminated)


def _shift_keyvalue(kv: KeyValue, d: int) -> KeyValue:
    value = None if kv.value is None else _shift_node(kv.value, d)
    return KeyValue(kv.path, _shift_key(kv.key, d), value, kv.has_equals, kv.start + d, kv.end + d)


def _shift_node(n: Node, d: int) -> Node:
    kind = type(n)
    if kind is StringNode:
        return StringNode(n.value, n.start + d, n.end + d, n.content_start + d, n.content_end + d, n.quote,
                          n.terminated)
    if kind is ScalarNode:
        return ScalarNode(n.raw, n.start + d, n.end + d)
    if kind is ArrayNode:
        return ArrayNode([_shift_node(item, d) for item in n.items], n.start + d, n.end + d, n.terminated)
    return InlineTableNode([_shift_keyvalue(kv, d) for kv in n.entries], n.start + d, n.end + d, n.terminated)
