"""Faster server start: keep the code that attrs and cattrs generate, instead of compiling it anew.

lsprotocol defines ~550 attrs classes; attrs writes each one's ``__init__``, ``__repr__``,
``__eq__``… as Python source and compiles it when ``lsprotocol.types`` is imported (0.27 s
of its 0.45 s here), and cattrs does the same for each message type it first converts. For
one Python version that source and its code objects are the same on every start, so the
code objects are kept (``marshal``, keyed by a hash of source and filename) in the user
cache dir and reused. Both libraries call the builtin ``compile``; ``install`` shadows that
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
from pathlib import Path

_COMPILE = builtins.compile
_MODULES = ("attr._make", "cattrs.gen", "cattrs.gen.typeddicts")
_MAX_ENTRIES = 4_000  # past this (about 8 MB), keep only what the last start used


def cache_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    tag = f"{sys.implementation.cache_tag}-O{sys.flags.optimize}"
    return Path(base) / "pep725-ls" / f"generated-code-{tag}.marshal"


class CodeCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.codes: dict[bytes, object] = {}
        self.used: set[bytes] = set()
        self.added = 0
        self._lock = threading.Lock()
        try:
            data = marshal.loads(path.read_bytes())
            if isinstance(data, dict):
                self.codes = data
        except (OSError, ValueError, EOFError, TypeError):
            pass

    def compile(self, source, filename, mode, *args, **kwargs):
        if args or kwargs or not isinstance(source, str) or not isinstance(filename, str):
            return _COMPILE(source, filename, mode, *args, **kwargs)
        key = hashlib.blake2b(f"{mode}\0{filename}\0{source}".encode(), digest_size=16).digest()
        code = self.codes.get(key)
        if code is None:
            code = _COMPILE(source, filename, mode)
            with self._lock:
                self.codes[key] = code
                self.added += 1
        self.used.add(key)
        return code

    def save(self) -> None:
        """Write the cache if this start compiled anything new (atomically; errors ignored)."""
        with self._lock:
            if not self.added:
                return
            codes = dict(self.codes)
            if len(codes) > _MAX_ENTRIES:
                codes = {k: v for k, v in codes.items() if k in self.used}
            self.added = 0
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(marshal.dumps(codes))
            os.replace(tmp, self.path)
        except (OSError, ValueError):
            try:
                tmp.unlink()  # e.g. a full disk: leave nothing half-written behind
            except OSError:
                pass


_installed: CodeCache | None = None


def install() -> CodeCache | None:
    """Make attrs and cattrs use the cache; call before importing pygls or lsprotocol."""
    global _installed
    if _installed is not None or os.environ.get("PEP725_LS_CODE_CACHE", "1") == "0":
        return _installed
    try:
        import importlib

        cache = CodeCache(cache_file())
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
