"""Which shared libraries a virtualenv's compiled code needs from outside the virtualenv.

Reads the ELF dynamic section (DT_NEEDED, RPATH, RUNPATH) of every shared object under
site-packages with pyelftools — headers only; nothing is executed or imported. A needed
library counts as satisfied when the venv ships it: next to the file, in an RPATH/RUNPATH
directory (``$ORIGIN`` expanded) inside the venv, in an auditwheel ``*.libs`` directory, or
anywhere else in the venv. What remains, minus the C library family, is what the system
must provide — on NixOS, what ``[external]`` should declare.

The walk is bounded and cached by (mtime, size) per file. A venv can come with a cloned
repository, so every bound holds against a crafted one: the file count and a time budget
for the whole walk, a time budget per file checked inside the ELF walk, a cap on the
dynamic entries read per file (one crafted 1.2 MB file with 3,000 dynamic sections over a
65,536-entry table took ~43 min), one scan reading at a time per process (six such venvs
starved every analysis of CPU), and the walk never leaves the venv (a site-packages that
links to ``/`` is not walked; links to folders are not followed).
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

from .runtime_loads import LoadsCache, missing_loaded_by_name
from .venv_layout import LIBC_FAMILY, NeededLibrary, relative_to_venv as _rel, site_packages  # noqa: F401 - also this module's API


MAX_FILES = 200_000
TIME_BUDGET_S = 30.0
FILE_BUDGET_S = 2.0  # one file: a real .so is read in ~1 ms
# A real shared object has one dynamic table of a few dozen entries (CPython's own
# extension modules: 20-40; libLLVM: ~60); ld.so itself reads only the first table.
MAX_DYNAMIC_ENTRIES = 4096
MAX_CONCURRENT_SCANS = 1
_scan_slots = threading.BoundedSemaphore(MAX_CONCURRENT_SCANS)
_SHARED_OBJECT = re.compile(r"\.so(\.\d+)*$")

@dataclass(frozen=True, slots=True)
class VenvScan:
    venv: Path
    files_seen: int
    elf_files: int
    missing: tuple[NeededLibrary, ...]
    problems: tuple[str, ...] = ()  # unreadable files, truncated ELF…, as sentences
    complete: bool = True  # False when the walk stopped at its bound
    stopped_because: str = ""  # when not complete: "the time budget of 30 s", "200000 files", "cancelled"


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


def read_elf(path: str, deadline: float | None = None, cancelled: Callable[[], bool] = lambda: False) -> _ElfInfo | None:
    """DT_NEEDED and RPATH/RUNPATH of a shared object; None when it is not ELF.

    Reads the first dynamic table only (as ld.so does), at most MAX_DYNAMIC_ENTRIES entries,
    and stops at ``deadline`` (``time.monotonic``; default FILE_BUDGET_S from now) or when
    ``cancelled()``. Raises ValueError with a readable reason for a damaged or crafted
    ELF file, OSError for one that is not a regular file (a FIFO would block ``open``).
    """
    deadline = time.monotonic() + FILE_BUDGET_S if deadline is None else deadline
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError("not a regular file")
    with os.fdopen(fd, "rb") as f:
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
            entries = 0
            for section in elf.iter_sections():
                _check_budget(deadline, cancelled)
                if not isinstance(section, DynamicSection):
                    continue
                for tag in section.iter_tags():
                    entries += 1
                    if entries > MAX_DYNAMIC_ENTRIES:
                        raise ValueError(f"more than {MAX_DYNAMIC_ENTRIES} dynamic entries: not read further")
                    if entries % 64 == 0:
                        _check_budget(deadline, cancelled)
                    kind = tag.entry.d_tag
                    if kind == "DT_NEEDED":
                        needed.append(tag.needed)
                    elif kind == "DT_RPATH":
                        dirs += tag.rpath.split(":")
                    elif kind == "DT_RUNPATH":
                        dirs += tag.runpath.split(":")
                break  # the first dynamic table is the one the loader reads
            return _ElfInfo(tuple(needed), tuple(d for d in dirs if d))
        except _OverBudget as exc:
            raise ValueError(str(exc)) from None
        except (ELFError, ValueError, KeyError, IndexError, AssertionError, EOFError, UnicodeDecodeError) as exc:
            raise ValueError(f"damaged ELF file ({type(exc).__name__}: {exc})") from exc
        except Exception as exc:  # pyelftools raises struct/construct errors on truncation
            raise ValueError(f"damaged ELF file ({type(exc).__name__})") from exc


class _OverBudget(Exception):
    pass


def _check_budget(deadline: float, cancelled: Callable[[], bool]) -> None:
    if cancelled():
        raise _OverBudget("scan cancelled")
    if time.monotonic() > deadline:
        raise _OverBudget("stopped reading at its time budget: not a sane shared object")


def scan(
    venv: Path,
    cache: ScanCache | None = None,
    progress: Callable[[int], None] | None = None,
    max_files: int = MAX_FILES,
    time_budget: float = TIME_BUDGET_S,
    cancelled: Callable[[], bool] = lambda: False,
) -> VenvScan:
    """Scan ``venv``; waits while another scan of this process runs (MAX_CONCURRENT_SCANS)."""
    while not _scan_slots.acquire(timeout=0.2):
        if cancelled():
            return VenvScan(venv, 0, 0, (), complete=False, stopped_because="cancelled")
    try:
        return _scan(venv, cache or ScanCache(), progress, max_files, time_budget, cancelled)
    finally:
        _scan_slots.release()


def _scan(venv: Path, cache: ScanCache, progress, max_files: int, time_budget: float, cancelled) -> VenvScan:
    deadline = time.monotonic() + time_budget
    names_in_venv: set[str] = set()
    elf_files: dict[str, _ElfInfo] = {}
    problems: list[str] = []
    seen = 0
    stopped_because = ""
    venv_real = str(venv.resolve())
    venv_str = venv_real

    def walk():
        for root_dir in site_packages(venv, problems):
            # followlinks=False (the default): a link to a folder is not walked into
            for dirpath, dirnames, filenames in os.walk(root_dir, onerror=lambda e: problems.append(f"cannot list {e.filename}: {e.strerror}")):
                dirnames.sort()
                for name in sorted(filenames):
                    yield dirpath, name

    for dirpath, name in walk():
        seen += 1
        if progress and seen % 2000 == 0:
            progress(seen)
        if cancelled():
            stopped_because = "cancelled"
        elif time.monotonic() > deadline:
            stopped_because = f"the time budget of {time_budget:g} s"
        elif seen > max_files:
            stopped_because = f"{max_files} files"
        if stopped_because:
            seen -= 1
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
                info = read_elf(path, min(deadline, time.monotonic() + FILE_BUDGET_S), cancelled)
            except (OSError, ValueError) as exc:
                problems.append(f"{_rel(path, venv_str)}: {getattr(exc, 'strerror', None) or exc}")
                continue
            with cache.lock:
                cache.entries[path] = (st.st_mtime_ns, st.st_size, info)
        if info is not None:
            elf_files[path] = info

    missing: dict[str, list[str]] = {}
    for path, info in elf_files.items():
        here = os.path.dirname(path)
        for soname in info.needed:
            if LIBC_FAMILY.match(soname) or soname in names_in_venv:
                continue
            if _found_via_search_dirs(soname, here, info.search_dirs, venv_real):
                continue
            missing.setdefault(soname, []).append(_rel(path, venv_str))
    cache.loads = cache.loads or LoadsCache()
    loaded = missing_loaded_by_name(venv, names_in_venv, cache.loads, deadline - time.monotonic(), cancelled)
    return VenvScan(
        venv=venv,
        files_seen=seen,
        elf_files=len(elf_files),
        missing=tuple(NeededLibrary(s, tuple(sorted(by))) for s, by in sorted(missing.items())) + loaded.missing,
        problems=tuple(problems) + loaded.problems,
        complete=not stopped_because and loaded.complete,
        stopped_because=stopped_because or ("" if loaded.complete else "the budget of the search for libraries loaded by name"),
    )


def _found_via_search_dirs(soname: str, origin: str, dirs: tuple[str, ...], venv_real: str) -> bool:
    for d in dirs:
        expanded = d.replace("${ORIGIN}", origin).replace("$ORIGIN", origin)
        if not os.path.isabs(expanded):
            continue
        resolved = os.path.realpath(expanded)
        inside = resolved == venv_real or resolved.startswith(venv_real.rstrip(os.sep) + os.sep)  # not /venv2 for /venv
        if inside and os.path.exists(os.path.join(resolved, soname)):
            return True
    return False
