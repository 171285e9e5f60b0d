"""Reading files a repository controls: regular files only, size-capped, never blocking.

A request may name a file the editor never opened (``file:///…/pyproject.toml`` that is
a FIFO, ``/dev/zero``, a folder, a 10 GB file). Reading it as pygls does
(``Path.read_text``) on the event loop hangs the server on a FIFO and grows it without
bound on ``/dev/zero``. Here the file is opened non-blocking (opening a FIFO then returns
at once), checked to be a regular file with ``fstat`` on the open descriptor (no race with
a swap after a ``stat``), and read up to a cap.
"""

from __future__ import annotations

import os
import stat

# A pyproject.toml past this is not one anyone edits; the editor's own copy (didOpen) has no cap.
MAX_UNOPENED_BYTES = 8 * 1024 * 1024


class NotARegularFile(OSError):
    """The path is a FIFO, a device, a folder… or too big: not read."""


def read_regular_file(path: str, max_bytes: int = MAX_UNOPENED_BYTES) -> bytes:
    """The bytes of ``path``; raises OSError (NotARegularFile when refused)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(f"{path}: not a regular file")
        if st.st_size > max_bytes:
            raise NotARegularFile(f"{path}: {st.st_size} bytes, more than {max_bytes}")
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # grew since fstat
                raise NotARegularFile(f"{path}: more than {max_bytes} bytes")
    finally:
        os.close(fd)


def read_regular_text(path: str, max_bytes: int = MAX_UNOPENED_BYTES) -> str:
    """``read_regular_file`` decoded as UTF-8; raises OSError or UnicodeDecodeError."""
    return read_regular_file(path, max_bytes).decode("utf-8")
