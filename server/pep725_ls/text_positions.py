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
    """

    __slots__ = ("text", "encoding", "line_starts", "_checkpoints")

    def __init__(self, text: str, encoding: str = UTF16, line_starts: list[int] | None = None) -> None:
        self.text = text
        self.encoding = encoding
        self.line_starts = line_starts if line_starts is not None else _line_starts(text)
        # line -> code units at each _CHUNK-th character of it, None for a line that needs
        # none (ASCII, or UTF-32); built on first use, once per line. Safe to share between
        # threads: a racing build writes the same value.
        self._checkpoints: dict[int, list[int] | None] = {}

    def edited(self, start: int, end: int, inserted: str, text: str) -> "LineIndex":
        """The index of ``text``, which is this text with ``[start, end)`` replaced by
        ``inserted``: only the lines around the edit are split again, the later line starts
        are shifted. A keystroke then costs the same at 300 and 30,000 lines, but for one
        pass over a list of ints (it was a split of the whole text, ~5 ms at 30,000 lines).

        Invariant (tests/test_text_positions.py compares with a fresh index, hypothesis):
        the re-split window runs from the start of the line before the edit to the start of
        the second line after it, so a ``\r\n`` can never be joined or split across its
        edges: the characters there are untouched by the edit.
        """
        starts = self.line_starts
        first = max(0, bisect.bisect_right(starts, start) - 2)
        last = bisect.bisect_right(starts, end) + 1  # index of the first start kept as it was
        window_start = starts[first]
        old_window_end = starts[last] if last < len(starts) else len(self.text)
        delta = len(inserted) - (end - start)
        new_window_end = old_window_end + delta
        local = _line_starts(text[window_start:new_window_end])[1:]
        if last < len(starts):  # a break ending the window is the first kept start
            local = [o for o in local if o < new_window_end - window_start]
        middle = [window_start + o for o in local]
        tail = [s + delta for s in starts[last:]] if delta else starts[last:]
        return LineIndex(text, self.encoding, starts[: first + 1] + middle + tail)

    def _line_checkpoints(self, line: int) -> list[int] | None:
        try:
            return self._checkpoints[line]
        except KeyError:
            pass
        start, end = self.line_starts[line], self.line_end(line)
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
        start = self.line_starts[line]
        if offset - start <= _CHUNK:
            return _units(self.text[start:offset], self.encoding)
        points = self._line_checkpoints(line)
        if points is None:
            return offset - start
        k = min((offset - start) // _CHUNK, len(points) - 1)
        return points[k] + _units(self.text[start + k * _CHUNK : offset], self.encoding)

    def line_end(self, line: int) -> int:
        """Offset of the end of ``line``'s content (before its line break)."""
        if line + 1 < len(self.line_starts):
            end = self.line_starts[line + 1]
            if self.text.startswith("\r\n", end - 2) and end - 2 >= self.line_starts[line]:
                return end - 2
            return end - 1
        return len(self.text)

    def offset_to_position(self, offset: int) -> Position:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.line_starts, offset) - 1
        # An offset between \r and \n belongs to the end of the line, not a new column.
        end = self.line_end(line)
        offset = min(offset, end)
        return Position(line, self._column(line, offset))

    def position_to_offset(self, line: int, character: int) -> int:
        if line < 0:
            return 0
        if line >= len(self.line_starts):
            return len(self.text)
        start = self.line_starts[line]
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
