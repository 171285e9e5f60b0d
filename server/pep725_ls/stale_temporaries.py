"""Temporary files a killed process left in a cache folder: removed at the next write there.

Cache writes go to a temporary file, then ``os.replace``; ``kill -9`` between the two left
the temporary file behind for good. A write takes milliseconds, so one older than
``STALE_AFTER_S`` belongs to no running process.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

STALE_AFTER_S = 600.0


def remove_stale_temporaries(folder: Path, prefix: str = ".", suffix: str = ".tmp", now: float | None = None) -> int:
    """Remove ``prefix*suffix`` regular files in ``folder`` older than STALE_AFTER_S; how many.
    Never fails: a folder that cannot be listed is left alone."""
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(suffix)):
            continue
        try:
            st = entry.stat(follow_symlinks=False)
            if entry.is_file(follow_symlinks=False) and now - st.st_mtime > STALE_AFTER_S:
                os.unlink(entry.path)
                removed += 1
        except OSError:
            continue  # gone meanwhile, or not ours to remove
    return removed
