"""A NixOS view of this Debian machine: commands run in a private mount namespace where the
system library folder holds only glibc and the loader, and /etc/ld.so.cache is empty.

As on NixOS, the Python interpreter still loads its own libraries through RUNPATH: the
interpreter's lib-dynload is replaced (in the namespace only) by a copy whose modules have
a RUNPATH to private folders holding their libraries, one folder per library like store
paths (``Closures``). Nothing is put on the loader's default path or LD_LIBRARY_PATH.
Needs root, ``unshare -m``, ``patchelf`` and dpkg's list of libc6 files.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sysconfig
from pathlib import Path

from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

MULTIARCH = sysconfig.get_config_var("MULTIARCH") or "x86_64-linux-gnu"
SYSTEM_LIB_DIR = Path("/usr/lib") / MULTIARCH
# Where the loader looks without LD_LIBRARY_PATH, RUNPATH or ld.so.cache (Debian's glibc).
DEFAULT_SEARCH_DIRS = [Path("/lib") / MULTIARCH, SYSTEM_LIB_DIR, Path("/lib"), Path("/usr/lib"), Path("/lib64"),
                       Path("/usr/lib64"), Path("/usr/local/lib")]
_LDD_LINE = re.compile(r"^\s*(\S+)\s+=>\s+(\S+)\s+\(0x[0-9a-f]+\)$")
_SHARED_LIBRARY = re.compile(r"^lib.*\.so(\.\d+)*$|^ld-linux.*\.so(\.\d+)*$")


def why_not_available() -> str | None:
    """None when the view can be built here, else the reason (for pytest.skip)."""
    if os.geteuid() != 0:
        return "the NixOS view needs root (mount namespaces and bind mounts)"
    for tool in ("unshare", "mount", "patchelf", "dpkg", "ldd"):
        if shutil.which(tool) is None:
            return f"the NixOS view needs {tool} on PATH"
    if not SYSTEM_LIB_DIR.is_dir():
        return f"no {SYSTEM_LIB_DIR}: not a Debian-like multiarch system"
    probe = subprocess.run(["unshare", "-m", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"unshare -m fails here: {probe.stderr.strip()}"
    return None


def glibc_files() -> list[Path]:
    """The files dpkg installed from libc6 into the system library folder (the glibc family,
    the loader, gconv modules), as paths under SYSTEM_LIB_DIR."""
    listed = subprocess.run(["dpkg", "-L", "libc6"], capture_output=True, text=True, check=True).stdout.splitlines()
    out = []
    for line in listed:
        for prefix in (Path("/lib") / MULTIARCH, SYSTEM_LIB_DIR):
            try:
                rel = Path(line).relative_to(prefix)
            except ValueError:
                continue
            if str(rel) != ".":
                out.append(SYSTEM_LIB_DIR / rel)
    return sorted(set(out))


def elf_dynamic(path: Path) -> tuple[list[str], list[str]]:
    """(DT_NEEDED, RUNPATH+RPATH entries) of an ELF file."""
    needed, search = [], []
    with open(path, "rb") as f:
        for section in ELFFile(f).iter_sections():
            if isinstance(section, DynamicSection):
                for tag in section.iter_tags():
                    if tag.entry.d_tag == "DT_NEEDED":
                        needed.append(tag.needed)
                    elif tag.entry.d_tag == "DT_RUNPATH":
                        search += tag.runpath.split(":")
                    elif tag.entry.d_tag == "DT_RPATH":
                        search += tag.rpath.split(":")
    return needed, [s for s in search if s]


def is_elf(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == b"\x7fELF"


def host_resolution(path: Path) -> dict[str, Path]:
    """soname → file, as this Debian system's loader resolves them for ``path`` (ldd)."""
    r = subprocess.run(["ldd", str(path)], capture_output=True, text=True)
    found = {}
    for line in r.stdout.splitlines():
        m = _LDD_LINE.match(line)
        if m and m.group(2) != "not":
            found[m.group(1)] = Path(m.group(2))
    return found


class Closures:
    """Copies of host libraries that find their own non-glibc dependencies through RUNPATH,
    each dependency in a folder of its own under ``root`` (like a store path per library),
    so that no folder holds more than the one library it is for."""

    def __init__(self, root: Path, hidden: Path, glibc_sonames: set[str]) -> None:
        self.root = root
        self.hidden = hidden
        self.glibc = glibc_sonames
        self.placed: dict[str, Path] = {}

    def _from_host(self, path: Path) -> dict[str, Path]:
        """Direct needs of ``path`` that the view hides: soname → host file."""
        needed, _ = elf_dynamic(path)
        resolved = host_resolution(path)
        out = {}
        for soname in needed:
            if soname in self.glibc or soname not in resolved:
                continue
            real = resolved[soname].resolve()
            if real.is_relative_to(self.hidden.resolve()):
                out[soname] = real
        return out

    def dependency_dir(self, soname: str, host_file: Path) -> Path:
        if soname not in self.placed:
            folder = self.root / soname
            folder.mkdir(parents=True, exist_ok=True)
            self.placed[soname] = folder
            self.place(host_file, folder / soname, needs_of=host_file)
        return self.placed[soname]

    def place(self, source: Path, dest: Path, needs_of: Path | None = None) -> Path:
        """Copy ``source`` to ``dest`` and give it a RUNPATH to its hidden dependencies
        (resolved for ``needs_of``, default ``source``), placing those recursively."""
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists() or dest.is_symlink():
            dest.unlink()
        shutil.copy2(source, dest)
        if not is_elf(dest):
            return dest
        deps = self._from_host(needs_of or source)
        if deps:
            _, existing = elf_dynamic(dest)
            dirs = existing + [str(self.dependency_dir(s, f)) for s, f in deps.items()]
            subprocess.run(["patchelf", "--set-rpath", ":".join(dict.fromkeys(dirs)), str(dest)],
                           check=True, capture_output=True)
        return dest


class NixosView:
    """Run commands as on NixOS: ``view.run([...], env=...)``."""

    def __init__(self, root: Path, interpreter: str) -> None:
        self.root = root
        self.interpreter = interpreter
        self.glibc = glibc_files()
        self.glibc_sonames = {p.name for p in self.glibc}
        self.lib_dir = root / "system-lib"
        self.closures = Closures(root / "interpreter-closure", SYSTEM_LIB_DIR, self.glibc_sonames)
        self.mounts: list[tuple[Path, Path]] = []
        self._build()

    def _build(self) -> None:
        self.lib_dir.mkdir(parents=True, exist_ok=True)
        for path in self.glibc:
            target = self.lib_dir / path.relative_to(SYSTEM_LIB_DIR)
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.is_symlink():
                target.symlink_to(os.readlink(path))
            elif path.is_file():
                shutil.copy2(path, target)
            elif path.is_dir():
                target.mkdir(exist_ok=True)
        self.empty_cache = self.root / "ld.so.cache"
        self.empty_cache.write_bytes(b"")
        # The interpreter's extension modules, with their libraries behind RUNPATH.
        dynload = Path(subprocess.run(
            [self.interpreter, "-c", "import sysconfig; print(sysconfig.get_config_var('DESTSHARED'))"],
            capture_output=True, text=True, check=True).stdout.strip())
        copy = self.root / "lib-dynload"
        copy.mkdir(exist_ok=True)
        for module in sorted(dynload.iterdir()):
            if module.is_file():
                self.closures.place(module, copy / module.name)
        self.mounts.append((copy, dynload))
        # The interpreter and its libpython, when they need hidden libraries themselves.
        executable = Path(self.interpreter).resolve()
        for elf in [executable, *host_resolution(executable).values()]:
            elf = elf.resolve()
            if elf.is_relative_to(SYSTEM_LIB_DIR.resolve()) or not self.closures._from_host(elf):
                continue
            patched = self.closures.place(elf, self.root / "interpreter" / elf.name)
            self.mounts.append((patched, elf))

    def script(self) -> str:
        lines = ["set -e"]
        # The system library folder last: mount itself needs libraries from there.
        for source, target in [*self.mounts, (self.empty_cache, Path("/etc/ld.so.cache")),
                               (self.lib_dir, SYSTEM_LIB_DIR)]:
            lines.append(f"mount --bind {shlex.quote(str(source))} {shlex.quote(str(target))}")
        lines.append('exec "$@"')
        return "\n".join(lines)

    def run(self, argv: list[str], env: dict[str, str] | None = None, cwd: Path | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
        base = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": os.environ.get("HOME", "/root")}
        return subprocess.run(["unshare", "-m", "--", "/bin/sh", "-c", self.script(), "nixos-view", *argv],
                              env={**base, **(env or {})}, cwd=cwd, capture_output=True, text=True, timeout=timeout)
