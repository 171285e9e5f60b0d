"""What a virtualenv is made of, for the two scans that read it (venv_scan.py: ELF files;
runtime_loads.py: libraries loaded by name): its site-packages, the C library family every
system provides, and what a scan reports as needed from outside."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

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


def site_packages(venv: Path, problems: list[str] | None = None) -> list[Path]:
    """The venv's site-packages folders that really are inside it, each once.

    One that links out of the venv (to ``/``, to a home folder) is left out, and said so in
    ``problems``: scanning it would walk what the link points at.
    """
    found = []
    for lib in ("lib", "lib64"):
        base = venv / lib
        if base.is_dir():
            found += sorted(p for p in base.glob("python*/site-packages") if p.is_dir())
    venv_real = venv.resolve()
    seen, out = set(), []
    for p in found:
        real = p.resolve()
        if not real.is_relative_to(venv_real):
            if problems is not None:
                problems.append(f"{p.relative_to(venv)} points outside the virtualenv ({real}): not scanned")
            continue
        if real not in seen:
            seen.add(real)
            out.append(real)
    return out


def relative_to_venv(path: str, venv: str) -> str:
    """``path`` as a scan reports it: relative to the venv (as given when it cannot be)."""
    try:
        return os.path.relpath(path, venv)
    except ValueError:
        return path
