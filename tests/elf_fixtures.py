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
