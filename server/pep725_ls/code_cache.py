"""Faster server start: keep the code that attrs and cattrs generate, instead of compiling it anew.

lsprotocol defines ~550 attrs classes; attrs writes each one's ``__init__``, ``__repr__``,
``__eq__``… as Python source and compiles it when ``lsprotocol.types`` is imported (0.27 s
of its 0.45 s here), and cattrs does the same for each message type it first converts. For
one Python version that source and its code objects are the same on every start, so the
code objects are kept (``marshal``, one file per code object, named by a hash of source and
filename) in the user cache dir and reused. Both libraries call the builtin ``compile``; ``install`` shadows that
name in their modules only. Any problem (no cache dir, a corrupt file, another signature)
falls back to ``compile``. ``PEP725_LS_CODE_CACHE=0`` turns it off.
"""

from __future__ import annotations

import atexit
import builtins
import hashlib
import marshal
import os
import sys
import threading
import types
from pathlib import Path

from .file_writes import replace_atomically
from .stale_temporaries import remove_stale_temporaries

_COMPILE = builtins.compile
_MODULES = ("attr._make", "cattrs.gen", "cattrs.gen.typeddicts")
_MAX_ENTRIES = 4_000  # past this many files, keep only what the last start used


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    tag = f"{sys.implementation.cache_tag}-O{sys.flags.optimize}"
    return Path(base) / "pep725-ls" / f"generated-code-{tag}"


class CodeCache:
    """One file per code object, named by the hash of what was compiled.

    Only the code a start needs is read (a few hundred small files) and kept in memory: a
    single file holding every variant ever compiled cost ~12 MiB of memory for the life of
    the server.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.new: dict[str, types.CodeType] = {}  # compiled by this process, not yet written
        self.used: set[str] = set()
        self._lock = threading.Lock()

    def compile(self, source, filename, mode, *args, **kwargs):
        if args or kwargs or not isinstance(source, str) or not isinstance(filename, str):
            return _COMPILE(source, filename, mode, *args, **kwargs)
        key = hashlib.blake2b(f"{mode}\0{filename}\0{source}".encode(), digest_size=16).hexdigest()
        code = self._read(key)
        if code is None:
            code = _COMPILE(source, filename, mode)
            with self._lock:
                self.new[key] = code
        self.used.add(key)
        return code

    def _read(self, key: str) -> types.CodeType | None:
        try:
            with open(os.path.join(self.folder, key), "rb") as f:
                code = marshal.loads(f.read())
        except (OSError, ValueError, EOFError, TypeError):
            return None  # not cached yet, or unreadable: compile
        return code if isinstance(code, types.CodeType) else None

    def save(self) -> None:
        """Write what this process compiled (each file atomically; errors ignored)."""
        with self._lock:
            new, self.new = self.new, {}
        if not new:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            remove_stale_temporaries(self.folder)  # left by a process killed mid-write
            for key, code in new.items():
                replace_atomically(self.folder / key, marshal.dumps(code))
            names = os.listdir(self.folder)
            if len(names) > _MAX_ENTRIES:
                for name in names:
                    if name not in self.used:
                        (self.folder / name).unlink(missing_ok=True)
        except (OSError, ValueError):
            pass


_installed: CodeCache | None = None


def install() -> CodeCache | None:
    """Make attrs and cattrs use the cache; call before importing pygls or lsprotocol."""
    global _installed
    if _installed is not None or os.environ.get("PEP725_LS_CODE_CACHE", "1") == "0":
        return _installed
    try:
        import importlib

        cache = CodeCache(cache_dir())
        for name in _MODULES:
            module = importlib.import_module(name)
            module.compile = cache.compile  # shadows the builtin for that module only
    except Exception:
        return None
    _installed = cache
    atexit.register(cache.save)
    # Servers are often killed rather than shut down: also save once start-up is over.
    timer = threading.Timer(5.0, cache.save)
    timer.daemon = True
    timer.start()
    return cache
