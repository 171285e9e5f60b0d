"""The NixOS view itself: the interpreter works there through RUNPATH, system libraries
do not load there (and do outside), and nothing but glibc is on the loader's default path."""

from __future__ import annotations

import subprocess
import sys

import pytest

from harness import view
from nixos_view import DEFAULT_SEARCH_DIRS, SYSTEM_LIB_DIR

pytestmark = pytest.mark.nixos


def python(code: str, in_view: bool = True) -> subprocess.CompletedProcess:
    if in_view:
        return view().run([sys.executable, "-c", code])
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})


def test_the_interpreter_and_its_own_libraries_work_in_the_view():
    r = python("import ssl, sqlite3, ctypes, zlib, lzma, bz2, decimal, uuid\n"
               "print(ssl.OPENSSL_VERSION, sqlite3.sqlite_version)")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("OpenSSL ")


@pytest.mark.parametrize("soname", ["libpq.so.5", "libstdc++.so.6", "libz.so.1", "libssl.so.3"])
def test_system_libraries_do_not_load_in_the_view(soname):
    code = f"import ctypes; ctypes.CDLL({soname!r}); print('loaded')"
    outside = python(code, in_view=False)
    assert outside.returncode == 0 and outside.stdout.strip() == "loaded", outside.stderr
    inside = python(code)
    assert inside.returncode != 0
    assert f"{soname}: cannot open shared object file" in inside.stderr


def test_only_glibc_is_on_the_default_search_path():
    glibc = view().glibc_sonames
    listing = python(
        "import os, re, sys\n"
        "for d in sys.argv[1:]:\n"
        "    if os.path.isdir(d):\n"
        "        for n in sorted(os.listdir(d)):\n"
        "            if re.match(r'(lib.*|ld-linux.*)\\.so(\\.[0-9]+)*$', n): print(n)\n"
        .replace("sys.argv[1:]", repr([str(d) for d in DEFAULT_SEARCH_DIRS])))
    assert listing.returncode == 0, listing.stderr
    found = set(listing.stdout.split())
    assert "libc.so.6" in found and "ld-linux-x86-64.so.2" in found
    assert found <= glibc, sorted(found - glibc)
    empty_cache = view().run(["/bin/sh", "-c", "wc -c < /etc/ld.so.cache"])
    # wc lives in coreutils and needs only libc: it runs in the view.
    assert empty_cache.returncode == 0 and empty_cache.stdout.strip() == "0", empty_cache.stderr


def test_the_view_is_private_to_its_namespace():
    inside = view().run(["/bin/sh", "-c", f"ls {SYSTEM_LIB_DIR} | wc -l"])
    outside = subprocess.run(["/bin/sh", "-c", f"ls {SYSTEM_LIB_DIR} | wc -l"], capture_output=True, text=True)
    assert inside.returncode == 0, inside.stderr
    assert int(inside.stdout) < int(outside.stdout)
    assert python("import ctypes; ctypes.CDLL('libz.so.1')", in_view=False).returncode == 0
