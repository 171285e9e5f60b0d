"""Which shared libraries a virtualenv's compiled code needs from outside the virtualenv.

Reads the ELF dynamic section (DT_NEEDED, RPATH, RUNPATH) of every shared object under
site-packages with pyelftools — headers only; nothing is executed or imported. A needed
library counts as satisfied when the venv ships it: next to the file, in an RPATH/RUNPATH
directory (``$ORIGIN`` expanded) inside the venv, in an auditwheel ``*.libs`` directory, or
anywhere else in the venv. What remains, minus the C library family, is what the system
must provide — on NixOS, what ``[external]`` should declare.

The walk is bounded (file count and time) and cached by (mtime, size) per file.
"""

from __future__ import annotations

import os
import re
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


MAX_FILES = 200_000
TIME_BUDGET_S = 30.0
_SHARED_OBJECT = re.compile(r"\.so(\.\d+)*$")

# Provided by the C library and the dynamic loader on every Linux system, NixOS included
# (there, through the interpreter's own RUNPATH), and by the Python interpreter itself.
# Not libcrypt: nixpkgs builds glibc without it (libcrypt.so.1 is libxcrypt-legacy).
LIBC_FAMILY = re.compile(
    r"^(libc|libm|libpthread|libdl|librt|libutil|libresolv|libnsl|libanl|libmvec|libBrokenLocale|"
    r"libthread_db|libnss_\w+)\.so(\.\d+)*$|^ld-linux[\w.-]*\.so(\.\d+)*$|^linux-(vdso|gate)\.so(\.\d+)*$|"
    r"^libpython3(\.\d+)?[a-z]*\.so(\.\d+)*$"
)


@dataclass(frozen=True, slots=True)
class NeededLibrary:
    """A library the venv's code needs and does not ship, and which files need it."""

    soname: str
    needed_by: tuple[str, ...]  # paths relative to the venv ("path:line" when loaded by name)
    how: str = "linked"  # or "loaded by name" (runtime_loads: ctypes, cffi ABI mode)
    candidates: tuple[str, ...] = ()  # other names the loader may open instead of soname


@dataclass(frozen=True, slots=True)
class VenvScan:
    venv: Path
    files_seen: int
    elf_files: int
    missing: tuple[NeededLibrary, ...]
    problems: tuple[str, ...] = ()  # unreadable files, truncated ELF…, as sentences
    complete: bool = True  # False when the walk stopped at its bound


@dataclass(slots=True)
class _ElfInfo:
    needed: tuple[str, ...]
    search_dirs: tuple[str, ...]  # RPATH + RUNPATH entries, raw


@dataclass
class ScanCache:
    """Parsed ELF facts by path, valid while (mtime_ns, size) stays the same."""

    entries: dict[str, tuple[int, int, _ElfInfo | None]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    loads: object = None  # runtime_loads.LoadsCache, made on first use


def find_venv(project_dir: Path | None, configured: str | None = None, environ=os.environ) -> Path | None:
    """The virtualenv to scan: the configured path, ``$VIRTUAL_ENV``, ``.venv`` or ``venv``."""
    candidates: list[Path] = []
    if configured:
        path = Path(os.path.expanduser(configured))
        if not path.is_absolute() and project_dir is not None:
            path = project_dir / path
        candidates.append(path)
    elif environ.get("VIRTUAL_ENV"):
        candidates.append(Path(environ["VIRTUAL_ENV"]))
    if project_dir is not None:
        candidates += [project_dir / ".venv", project_dir / "venv"]
    for path in candidates:
        try:
            if (path / "pyvenv.cfg").is_file():
                return path.resolve()
        except (OSError, ValueError):  # a name too long, a loop of symlinks… from settings
            continue
    return None


def site_packages(venv: Path) -> list[Path]:
    found = []
    for lib in ("lib", "lib64"):
        base = venv / lib
        if base.is_dir():
            found += sorted(p for p in base.glob("python*/site-packages") if p.is_dir())
    seen, out = set(), []
    for p in found:
        real = p.resolve()
        if real not in seen:
            seen.add(real)
            out.append(p)
    return out


def read_elf(path: str) -> _ElfInfo | None:
    """DT_NEEDED and RPATH/RUNPATH of a shared object; None when it is not ELF.

    Raises ValueError with a readable reason for a damaged ELF file.
    """
    with open(path, "rb") as f:
        if f.read(4) != b"\x7fELF":
            return None
        f.seek(0)
        # pyelftools costs ~50 ms to import: only a virtualenv scan needs it, not start-up.
        from elftools.common.exceptions import ELFError
        from elftools.elf.dynamic import DynamicSection
        from elftools.elf.elffile import ELFFile

        try:
            elf = ELFFile(f)
            needed: list[str] = []
            dirs: list[str] = []
            for section in elf.iter_sections():
                if not isinstance(section, DynamicSection):
                    continue
                for tag in section.iter_tags():
                    kind = tag.entry.d_tag
                    if kind == "DT_NEEDED":
                        needed.append(tag.needed)
                    elif kind == "DT_RPATH":
                        dirs += tag.rpath.split(":")
                    elif kind == "DT_RUNPATH":
                        dirs += tag.runpath.split(":")
            return _ElfInfo(tuple(needed), tuple(d for d in dirs if d))
        except (ELFError, ValueError, KeyError, IndexError, AssertionError, EOFError, UnicodeDecodeError) as exc:
            raise ValueError(f"damaged ELF file ({type(exc).__name__}: {exc})") from exc
        except Exception as exc:  # pyelftools raises struct/construct errors on truncation
            raise ValueError(f"damaged ELF file ({type(exc).__name__})") from exc


def scan(
    venv: Path,
    cache: ScanCache | None = None,
    progress: Callable[[int], None] | None = None,
    max_files: int = MAX_FILES,
    time_budget: float = TIME_BUDGET_S,
    cancelled: Callable[[], bool] = lambda: False,
) -> VenvScan:
    cache = cache or ScanCache()
    started = time.monotonic()
    names_in_venv: set[str] = set()
    elf_files: dict[str, _ElfInfo] = {}
    problems: list[str] = []
    seen = 0
    complete = True
    venv_real = str(venv.resolve())
    venv_str = str(venv)

    for root_dir in site_packages(venv):
        for dirpath, dirnames, filenames in os.walk(root_dir, onerror=lambda e: problems.append(f"cannot list {e.filename}: {e.strerror}")):
            dirnames.sort()
            for name in sorted(filenames):
                seen += 1
                if seen % 2000 == 0:
                    if progress:
                        progress(seen)
                    if cancelled() or time.monotonic() - started > time_budget:
                        complete = False
                if seen > max_files:
                    complete = False
                if not complete:
                    break
                if not _SHARED_OBJECT.search(name):
                    continue
                names_in_venv.add(name)
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError as exc:
                    problems.append(f"{_rel(path, venv_str)}: {exc.strerror or exc}")  # e.g. a broken symlink
                    continue
                if os.path.islink(path):
                    continue  # the target is scanned under its own name
                if not stat.S_ISREG(st.st_mode):  # a FIFO named .so would block open() forever
                    problems.append(f"{_rel(path, venv_str)}: not a regular file")
                    continue
                with cache.lock:
                    hit = cache.entries.get(path)
                if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
                    info = hit[2]
                else:
                    try:
                        info = read_elf(path)
                    except (OSError, ValueError) as exc:
                        problems.append(f"{_rel(path, venv_str)}: {getattr(exc, 'strerror', None) or exc}")
                        continue
                    with cache.lock:
                        cache.entries[path] = (st.st_mtime_ns, st.st_size, info)
                if info is not None:
                    elf_files[path] = info
            if not complete:
                break
        if not complete:
            break

    missing: dict[str, list[str]] = {}
    for path, info in elf_files.items():
        here = os.path.dirname(path)
        for soname in info.needed:
            if LIBC_FAMILY.match(soname) or soname in names_in_venv:
                continue
            if _found_via_search_dirs(soname, here, info.search_dirs, venv_real):
                continue
            missing.setdefault(soname, []).append(_rel(path, venv_str))
    from .runtime_loads import LoadsCache, missing_loaded_by_name  # it imports this module
    cache.loads = cache.loads or LoadsCache()
    loaded = missing_loaded_by_name(venv, names_in_venv, cache.loads, time_budget - (time.monotonic() - started), cancelled)
    return VenvScan(
        venv=venv,
        files_seen=seen,
        elf_files=len(elf_files),
        missing=tuple(NeededLibrary(s, tuple(sorted(by))) for s, by in sorted(missing.items())) + loaded.missing,
        problems=tuple(problems) + loaded.problems,
        complete=complete and loaded.complete,
    )


def _found_via_search_dirs(soname: str, origin: str, dirs: tuple[str, ...], venv_real: str) -> bool:
    for d in dirs:
        expanded = d.replace("${ORIGIN}", origin).replace("$ORIGIN", origin)
        if not os.path.isabs(expanded):
            continue
        resolved = os.path.realpath(expanded)
        if resolved.startswith(venv_real) and os.path.exists(os.path.join(resolved, soname)):
            return True
    return False


def _rel(path: str, venv: str) -> str:
    try:
        return os.path.relpath(path, venv)
    except ValueError:
        return path
