"""The editor's copy of a document: pygls's TextDocument with LSP's line breaks, the region
changed since the last analysis, and a line index patched per change.

pygls 2 has no public way to choose the workspace's document class, so
``use_lsp_text_documents`` replaces ``Workspace._create_text_document`` and reads
``_sync_kind``: the one place that reaches into pygls, pinned by
tests/test_text_document.py, which fails loudly if pygls changes either.
"""

from __future__ import annotations

from pygls.workspace import TextDocument

from .file_reads import read_regular_text
from .text_positions import LineIndex


class LspTextDocument(TextDocument):
    """pygls's TextDocument, with incremental changes applied by LSP's rules.

    pygls splits lines with ``str.splitlines``, which also breaks at \\v, \\f, \\x1c-\\x1e,
    \\x85, U+2028 and U+2029; LSP breaks lines only at \\n, \\r\\n and \\r. A file holding
    one of those drifted from the editor's copy at the next edit below it (found by
    tests/reliability). A column past a line's end means the end of the line.

    It also keeps the region the changes touched since ``take_edit`` last ran, so a new
    version is analysed by re-reading only that region (document.PyprojectDocument.edited).
    """

    _edit: tuple[int, int, int] | None = None  # (start, old_end, new_end) since take_edit
    _lines: LineIndex | None = None  # of the current text, patched per change (line_index)

    @property
    def source(self) -> str:
        """The editor's text; for a document never opened, the file if it is a regular one
        of sane size (file_reads.py: a FIFO or /dev/zero named in a request must not hang
        or grow the server). Raises OSError/UnicodeDecodeError when it cannot be read."""
        if self._source is None and self.path is not None:
            return read_regular_text(self.path)
        return self._source or ""

    def line_index(self) -> LineIndex:
        """The line index of the current text, in the negotiated encoding: kept from change
        to change (LineIndex.edited), so a keystroke does not index the whole text again."""
        codec = self.position_codec.encoding
        encoding = getattr(codec, "value", codec) or "utf-16"
        source = self.source
        lines = self._lines
        if lines is None or lines.text is not source or lines.encoding != encoding:
            lines = self._lines = LineIndex(source, encoding)
        return lines

    def _apply_incremental_change(self, change) -> None:
        lines = self.line_index()
        r = change.range
        start = lines.position_to_offset(r.start.line, r.start.character)
        end = lines.position_to_offset(r.end.line, r.end.character)
        start, end = min(start, end), max(start, end)
        source = lines.text
        self._source = source[:start] + change.text + source[end:]
        self._lines = lines.edited(start, end, change.text, self._source)
        self._record_edit(start, end, len(change.text))

    def _apply_full_change(self, change) -> None:
        old_length = len(self.source)
        super()._apply_full_change(change)
        self._lines = None
        self._record_edit(0, old_length, len(self.source))

    def _record_edit(self, start: int, end: int, length: int) -> None:
        """Merge "``[start, end)`` of the current text became ``length`` characters" into the edit."""
        if self._edit is None:
            self._edit = (start, end, start + length)
            return
        first, old_end, new_end = self._edit
        low, high = min(first, start), max(new_end, end)
        self._edit = (low, high - (new_end - old_end), high + length - (end - start))

    def take_edit(self) -> tuple[int, int, int] | None:
        """The region changed since the last call (None: unchanged), and start afresh."""
        edit, self._edit = self._edit, None
        return edit


def use_lsp_text_documents(workspace) -> None:
    """Make pygls's workspace hold LspTextDocument; called from initialize, once it exists."""

    def create(doc_uri, source=None, version=None, language_id=None):
        return LspTextDocument(doc_uri, source=source, version=version, language_id=language_id,
                               sync_kind=workspace._sync_kind, position_codec=workspace.position_codec)

    workspace._create_text_document = create
