"""Text edits on pyproject.toml that keep every byte outside the edited span.

Quick-fixes and ``check --fix`` are built from these. Each function returns the smallest
edit that does the job in the file's own style; ``apply`` applies non-overlapping edits.
"""

from __future__ import annotations

from dataclasses import dataclass

from .tolerant_toml import ArrayNode, StringNode


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace ``text[start:end]`` (string offsets) with ``new_text``."""

    start: int
    end: int
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A titled set of edits; ``kind`` is an LSP CodeActionKind string."""

    title: str
    edits: tuple[TextEdit, ...]
    kind: str = "quickfix"
    preferred: bool = True
    # Safe fixes change nothing the author meant (legacy spelling, duplicates, case);
    # only they are applied by "fix all" and ``check --fix``.
    safe: bool = True
    # DepURLs to add to [external] (external_edits.Addition). Their edit needs tomlkit,
    # so it is computed only when the action is chosen (codeAction/resolve).
    additions: tuple = ()


def apply(text: str, edits: list[TextEdit] | tuple[TextEdit, ...]) -> str:
    """Apply edits that do not overlap, from the end of the text backwards."""
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[: edit.start] + edit.new_text + text[edit.end :]
    return text


def _basic_escape(value: str) -> str:
    out = []
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ord(ch) < 0x20 or ch == "\x7f":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(ch, f"\\u{ord(ch):04x}"))
        else:
            out.append(ch)
    return "".join(out)


def toml_string(value: str, quote: str = '"') -> str:
    """``value`` as a TOML string in the given quote style, falling back to basic."""
    if quote == "'" and "'" not in value and all(ord(c) >= 0x20 and c != "\x7f" for c in value):
        return f"'{value}'"
    return f'"{_basic_escape(value)}"'


def replace_string(string: StringNode, new_value: str) -> TextEdit:
    """Replace a string's value, keeping its quote style where the value allows."""
    if string.quote == '"' and string.terminated:
        return TextEdit(string.content_start, string.content_end, _basic_escape(new_value))
    if string.quote == "'" and string.terminated and "'" not in new_value:
        return TextEdit(string.content_start, string.content_end, new_value)
    return TextEdit(string.start, string.end, toml_string(new_value, string.quote[:1]))


def _alone_on_its_line(text: str, start: int, end: int) -> tuple[int, int] | None:
    """(start of the line, end after its line break) when only blanks surround ``[start, end)``
    on its line, else None.

    Walks the blanks around the span only, never the whole line: one line holding thousands
    of duplicates made "remove the duplicate" fixes quadratic (3,000 took 7.5 s).
    """
    line_start = start
    while line_start > 0 and text[line_start - 1] not in "\r\n":
        if not text[line_start - 1].isspace():
            return None
        line_start -= 1
    line_end = end
    while line_end < len(text) and text[line_end] not in "\r\n":
        if not text[line_end].isspace():
            return None
        line_end += 1
    if text.startswith("\r\n", line_end):
        return line_start, line_end + 2
    return line_start, min(line_end + 1, len(text))


def remove_array_item(text: str, array: ArrayNode, index: int) -> TextEdit:
    """Remove one element with its comma, and its whole line when it stands alone there."""
    item = array.items[index]
    start, end = item.start, item.end
    j = end
    while j < len(text) and text[j] in " \t":
        j += 1
    has_comma = j < len(text) and text[j] == ","
    if has_comma:
        end = j + 1
        while end < len(text) and text[end] in " \t":
            end += 1
    whole_line = _alone_on_its_line(text, start, end)
    if whole_line is not None:
        return TextEdit(*whole_line, "")
    if not has_comma and index > 0:
        k = start
        while k > 0 and text[k - 1] in " \t\r\n":
            k -= 1
        if k > 0 and text[k - 1] == ",":
            start = k - 1
    return TextEdit(start, end, "")


def within_last_line(text: str, edit: TextEdit) -> TextEdit:
    """The same change, but not reaching past the end of ``text``'s last line.

    An edit that ends after the file's final line break ends at the start of a line the
    editor does not have (LSP line N of an N-line file). The spec says to clamp it, but
    Neovim 0.11's ``apply_text_edits`` appends a line there, and the file ends in ``\n\n``.
    When the new text ends with the same line break, the break is shared: replace up to the
    last line's end instead, and the result is the same text.
    """
    eol = "\r\n" if text.endswith("\r\n") else "\n" if text.endswith("\n") else ""
    if not eol or edit.end != len(text) or not edit.new_text.endswith(eol):
        return edit
    n = len(eol)
    if edit.start <= len(text) - n:  # old and new text both end with the final line break
        return TextEdit(edit.start, edit.end - n, edit.new_text[:-n])
    # an insertion after the final line break: put it before that break instead
    return TextEdit(len(text) - n, len(text) - n, eol + edit.new_text[:-n])


def minimal_edit(old: str, new: str, whole_lines: bool = False) -> TextEdit | None:
    """The one edit that turns ``old`` into ``new``: their differing middle, or None.

    With ``whole_lines`` the edit starts and ends at line boundaries, which editors show
    (and undo) more naturally than a change starting mid-word.
    """
    if old == new:
        return None
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[len(old) - 1 - suffix] == new[len(new) - 1 - suffix]:
        suffix += 1
    if whole_lines:
        prefix = old.rfind("\n", 0, prefix) + 1
        while suffix > 0 and old[len(old) - suffix - 1] != "\n":
            suffix -= 1
    return TextEdit(prefix, len(old) - suffix, new[prefix : len(new) - suffix])
