"""Real ELF files for tests, built with the system C compiler (no byte blobs)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CC = shutil.which("cc") or shutil.which("gcc")
needs_cc = pytest.mark.skipif(CC is None, reason="no C compiler on this machine")


def build_shared(path: Path, source: str, *flags: str) -> Path:
    """Compile ``source`` (C) into the shared object ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    c_file = path.with_suffix(".c")
    c_file.write_text(source)
    subprocess.run([CC, "-shared", "-fPIC", "-o", str(path), str(c_file), *flags], check=True, capture_output=True)
    c_file.unlink()
    return path


ZLIB_USER = "extern const char *zlibVersion(void);\nconst char *demo_version(void) { return zlibVersion(); }\n"


def make_venv(root: Path) -> Path:
    """A virtualenv layout (pyvenv.cfg + site-packages) with real extension modules:

    - demo/_speedups...so needs libz.so.1 from the system;
    - bundled/_core...so needs libbundled.so.1, shipped in bundled.libs/ (RUNPATH $ORIGIN);
    - plus a non-ELF file named .so, a truncated ELF and a broken symlink.
    """
    venv = root / ".venv"
    site = venv / "lib/python3.11/site-packages"
    (venv / "pyvenv.cfg").parent.mkdir(parents=True, exist_ok=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n")
    build_shared(site / "demo/_speedups.cpython-311-x86_64-linux-gnu.so", ZLIB_USER, "-Wl,--no-as-needed", "-l:libz.so.1")
    libs = site / "bundled.libs"
    build_shared(libs / "libbundled.so.1", "int bundled(void) { return 7; }\n", "-Wl,-soname,libbundled.so.1")
    build_shared(
        site / "bundled/_core.cpython-311-x86_64-linux-gnu.so",
        "extern int bundled(void);\nint core(void) { return bundled(); }\n",
        "-Wl,--no-as-needed", str(libs / "libbundled.so.1"), "-Wl,-rpath,$ORIGIN/../bundled.libs",
    )
    (site / "notelf").mkdir()
    (site / "notelf/fake.so").write_text("this is not an ELF file")
    real = (site / "demo/_speedups.cpython-311-x86_64-linux-gnu.so").read_bytes()
    (site / "notelf/truncated.so").write_bytes(real[:200])
    (site / "notelf/dangling.so").symlink_to(site / "notelf/missing-target.so")
    return venv


def dynamic_table_bomb(real: Path, out: Path, sections: int = 3000, entries: int = 65536, first: bool = False) -> Path:
    """A crafted copy of the real shared object ``real``: ``entries`` DT_NEEDED entries in one
    table (no DT_NULL until the last), and ``sections`` extra SHT_DYNAMIC section headers all
    pointing at it (with ``first``, the file's own dynamic section header too). About 1.2 MB;
    the venv scan once spent ~43 min on it. ELF64 little-endian (what ``cc`` builds here)."""
    import struct

    data = bytearray(real.read_bytes())
    assert data[:4] == b"\x7fELF" and data[4] == 2 and data[5] == 1, "expects an ELF64 little-endian file"
    e_shoff, = struct.unpack_from("<Q", data, 0x28)
    e_shentsize, e_shnum, e_shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [bytes(data[e_shoff + i * e_shentsize: e_shoff + (i + 1) * e_shentsize]) for i in range(e_shnum)]
    dynamic = next(h for h in headers if struct.unpack_from("<I", h, 4)[0] == 6)  # the real SHT_DYNAMIC
    dynstr_index = struct.unpack_from("<I", dynamic, 40)[0]  # its sh_link
    # the string offset of the file's own first DT_NEEDED name: every entry names it
    dyn_offset, dyn_size = struct.unpack_from("<QQ", dynamic, 24)
    needed_name = next(val for tag, val in struct.iter_unpack("<qQ", data[dyn_offset:dyn_offset + dyn_size]) if tag == 1)
    while len(data) % 8:
        data.append(0)
    table_offset = len(data)
    data += struct.pack("<qQ", 1, needed_name) * (entries - 1) + struct.pack("<qQ", 0, 0)
    table_size = entries * 16
    crafted = struct.pack("<IIQQQQIIQQ", 0, 6, 0, 0, table_offset, table_size, dynstr_index, 0, 8, 16)
    if first:
        headers = [crafted if h == dynamic else h for h in headers]
    new_shoff = len(data)
    data += b"".join(headers) + crafted * sections
    struct.pack_into("<Q", data, 0x28, new_shoff)
    struct.pack_into("<H", data, 0x3C, e_shnum + sections)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(bytes(data))
    return out
