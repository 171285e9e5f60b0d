"""Offsets in a Python ``str`` ⇄ LSP positions (line + UTF-16, UTF-8 or UTF-32 column).

The document model works in string offsets (code points). Editors speak in lines and
code units of the negotiated position encoding; this is the one place that converts.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"


@dataclass(frozen=True, slots=True)
class Position:
    """A zero-based line and a column in code units of the index's encoding."""

    line: int
    character: int


def _units(text: str, encoding: str) -> int:
    """Code units of ``text``; encoded in C, not counted per character in Python."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF16:
        return len(text.encode("utf-16-le", "surrogatepass")) // 2
    return len(text.encode("utf-8", "surrogatepass"))


def _line_starts(text: str) -> list[int]:
    """Offsets where each line starts; breaks are \\n, \\r\\n and \\r (LSP's rule)."""
    if "\r" in text:
        return [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
    starts, at = [0], 0  # the usual case, twice as fast as the regex
    for line in text.split("\n")[:-1]:
        at += len(line) + 1
        starts.append(at)
    return starts


# Columns on a long non-ASCII line are counted from the nearest checkpoint, one every
# _CHUNK characters, so each conversion costs at most _CHUNK characters of encoding instead
# of the whole line (5,000 diagnostics on one line with an emoji took 6 s; a keystroke on a
# 1 MB line 0.7 s).
_CHUNK = 1024


class LineIndex:
    """Line starts of one text, for converting offsets to positions and back.

    Line breaks are ``\\n``, ``\\r\\n`` and ``\\r``, as in the LSP specification.
    Out-of-range positions are clamped, never rejected: clients do send them.

    The starts are kept as ``(starts, k, d)``: line ``i`` starts at ``starts[i]``, plus ``d``
    from line ``k`` on. ``edited`` moves the lines after an edit by changing ``d``, not by
    rewriting their starts (one swap of the tuple: a thread reading the index meanwhile
    sees the old state or the new one, both right).
    """

    __slots__ = ("text", "encoding", "_state", "_checkpoints")

    def __init__(self, text: str, encoding: str = UTF16, line_starts: list[int] | None = None) -> None:
        self.text = text
        self.encoding = encoding
        starts = line_starts if line_starts is not None else _line_starts(text)
        self._state: tuple[list[int], int, int] = (starts, len(starts), 0)
        # line -> code units at each _CHUNK-th character of it, None for a line that needs
        # none (ASCII, or UTF-32); built on first use, once per line. Safe to share between
        # threads: a racing build writes the same value.
        self._checkpoints: dict[int, list[int] | None] = {}

    @property
    def line_starts(self) -> list[int]:
        """Offset of each line's start (made into one plain list on first use)."""
        starts, k, d = self._state
        if d and k < len(starts):
            starts = starts[:k] + [s + d for s in starts[k:]]
            self._state = (starts, len(starts), 0)
        return starts

    @property
    def line_count(self) -> int:
        return len(self._state[0])

    def line_start(self, line: int) -> int:
        starts, k, d = self._state
        return starts[line] + d if line >= k else starts[line]

    def _line_of(self, offset: int) -> int:
        """The number of lines starting at or before ``offset`` (bisect_right of the starts)."""
        starts, k, d = self._state
        if k < len(starts) and offset >= starts[k] + d:
            return bisect.bisect_right(starts, offset - d, k)
        return bisect.bisect_right(starts, offset, 0, k)

    def edited(self, start: int, end: int, inserted: str, text: str) -> "LineIndex":
        """The index of ``text``, which is this text with ``[start, end)`` replaced by
        ``inserted``: only the lines around the edit are split again; the later lines are
        moved by the shift (``_state``), their starts not rewritten, but for those between
        this edit and the previous one's. A keystroke then costs the same at 300 and 30,000
        lines, but for copying a list of ints (it was a split of the whole text, ~5 ms at
        30,000 lines, then a rewrite of every later start, ~0.7 ms).

        Invariant (tests/test_text_positions.py compares with a fresh index, hypothesis):
        the re-split window runs from the start of the line before the edit to the start of
        the second line after it, so a ``\r\n`` can never be joined or split across its
        edges: the characters there are untouched by the edit.
        """
        starts, k, d = self._state
        n = len(starts)
        first = max(0, self._line_of(start) - 2)
        last = self._line_of(end) + 1  # index of the first start kept as it was
        window_start = self.line_start(first)
        old_window_end = self.line_start(last) if last < n else len(self.text)
        delta = len(inserted) - (end - start)
        new_window_end = old_window_end + delta
        local = _line_starts(text[window_start:new_window_end])[1:]
        if last < n:  # a break ending the window is the first kept start
            local = [o for o in local if o < new_window_end - window_start]
        middle = [window_start + o for o in local]
        # lines up to ``first`` keep their starts; those from ``last`` on move by ``delta``
        if not d:
            k = last  # no shift pending: it may start anywhere, so after the edit
        head = starts[: first + 1] if first < k else starts[:k] + [s + d for s in starts[k : first + 1]]
        if last < k:  # between this edit and the previous shift: written out
            between, rest = [s + delta for s in starts[last:k]], starts[k:]
        else:
            between, rest = [], starts[last:]
        index = LineIndex(text, self.encoding, head + middle + between + rest)
        index._state = (index._state[0], len(head) + len(middle) + len(between), d + delta)
        return index

    def _line_checkpoints(self, line: int) -> list[int] | None:
        try:
            return self._checkpoints[line]
        except KeyError:
            pass
        start, end = self.line_start(line), self.line_end(line)
        points = None
        if self.encoding != UTF32 and end - start > _CHUNK and not self.text[start:end].isascii():
            points, units = [0], 0
            for at in range(start, end - _CHUNK, _CHUNK):
                units += _units(self.text[at : at + _CHUNK], self.encoding)
                points.append(units)
        self._checkpoints[line] = points
        return points

    def _column(self, line: int, offset: int) -> int:
        """Code units from the start of ``line`` to ``offset`` (on that line)."""
        start = self.line_start(line)
        if offset - start <= _CHUNK:
            return _units(self.text[start:offset], self.encoding)
        points = self._line_checkpoints(line)
        if points is None:
            return offset - start
        k = min((offset - start) // _CHUNK, len(points) - 1)
        return points[k] + _units(self.text[start + k * _CHUNK : offset], self.encoding)

    def line_end(self, line: int) -> int:
        """Offset of the end of ``line``'s content (before its line break)."""
        if line + 1 < self.line_count:
            end = self.line_start(line + 1)
            if self.text.startswith("\r\n", end - 2) and end - 2 >= self.line_start(line):
                return end - 2
            return end - 1
        return len(self.text)

    def offset_to_position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        line = self._line_of(offset) - 1
        # An offset between \r and \n belongs to the end of the line, not a new column.
        end = self.line_end(line)
        offset = min(offset, end)
        return Position(line, self._column(line, offset))

    def position_to_offset(self, line: int, character: int) -> int:
        if line < 0:
            return 0
        if line >= self.line_count:
            return len(self.text)
        start = self.line_start(line)
        end = self.line_end(line)
        if character <= 0:
            return start
        if end - start > _CHUNK:
            points = self._line_checkpoints(line)
            if points is None:
                return start + min(character, end - start)
            k = bisect.bisect_right(points, character) - 1  # the last checkpoint at or before the column
            start, character = start + k * _CHUNK, character - points[k]
            end = min(end, start + 2 * _CHUNK)  # the column lies before the next checkpoint but one
        content = self.text[start:end]
        if self.encoding == UTF32 or content.isascii():
            return start + min(character, len(content))
        units = 0
        for i, ch in enumerate(content):
            units += _units(ch, self.encoding)
            if units > character:
                return start + i  # inside a surrogate pair / multibyte: snap to its start
            if units == character:
                return start + i + 1
        return end
