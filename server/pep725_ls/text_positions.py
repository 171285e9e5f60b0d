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
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF16:
        return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)
    return len(text.encode("utf-8", "surrogatepass"))


class LineIndex:
    """Line starts of one text, for converting offsets to positions and back.

    Line breaks are ``\\n``, ``\\r\\n`` and ``\\r``, as in the LSP specification.
    Out-of-range positions are clamped, never rejected: clients do send them.
    """

    __slots__ = ("text", "encoding", "line_starts")

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.text = text
        self.encoding = encoding
        if "\r" in text:
            self.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        else:  # the usual case, twice as fast as the regex: a big file is indexed per keystroke
            starts, at = [0], 0
            for line in text.split("\n")[:-1]:
                at += len(line) + 1
                starts.append(at)
            self.line_starts = starts

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
        start = self.line_starts[line]
        # An offset between \r and \n belongs to the end of the line, not a new column.
        end = self.line_end(line)
        offset = min(offset, end)
        return Position(line, _units(self.text[start:offset], self.encoding))

    def position_to_offset(self, line: int, character: int) -> int:
        if line < 0:
            return 0
        if line >= len(self.line_starts):
            return len(self.text)
        start = self.line_starts[line]
        end = self.line_end(line)
        content = self.text[start:end]
        if character <= 0:
            return start
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
