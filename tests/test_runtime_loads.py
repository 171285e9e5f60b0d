"""Libraries loaded by name at run time: the call patterns read from Python source, the venv
scan that reports them, and its bounds on a hostile virtualenv."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from pep725_ls.runtime_loads import LoadsCache, LoadSite, load_sites, missing_loaded_by_name
from pep725_ls.venv_scan import scan


def names(source: str) -> list[tuple[str, ...]]:
    return [site.candidates for site in load_sites(source) if not site.optional]


# --- the call patterns ------------------------------------------------------------------------

def test_find_library_looks_for_the_link_name():
    assert names("from ctypes.util import find_library\npath = find_library('magic')\n") == [("libmagic.so",)]
    assert names("import ctypes.util\nctypes.util.find_library(name='pq')\n") == [("libpq.so",)]


def test_cdll_pydll_loadlibrary_open_the_file_they_are_given():
    source = """
import ctypes
a = ctypes.CDLL("libfoo.so.1")
b = ctypes.PyDLL("/usr/lib/libbar.so.2", mode=ctypes.RTLD_GLOBAL)
c = ctypes.cdll.LoadLibrary("libbaz.so")
d = ctypes.cdll["libqux.so.7"]
e = ctypes.CDLL("notalibrary")
"""
    assert [(s.line, s.candidates) for s in load_sites(source)] == [
        (3, ("libfoo.so.1",)), (4, ("libbar.so.2",)), (5, ("libbaz.so",)), (6, ("libqux.so.7",))]


def test_cffi_dlopen_of_a_bare_name_goes_through_find_library():
    # cffi's _load_backend_lib: a name without '.' or '/' is given to ctypes.util.find_library
    source = "from cffi import FFI\nffi = FFI()\nx = ffi.dlopen('sodium')\ny = ffi.dlopen('libgit2.so.1.7')\n"
    assert names(source) == [("libsodium.so",), ("libgit2.so.1.7",)]


def test_names_through_constants_tuples_and_loops():
    source = """
import ctypes, ctypes.util
_NAMES = ("tiff", "tiff5")
LIB = "libwebp.so.7"
for candidate in _NAMES:
    path = ctypes.util.find_library(candidate)
lib = ctypes.CDLL(LIB or ctypes.util.find_library("webp"))
"""
    # the constant's line is the first evidence of libwebp: sites are ordered by line
    assert [(s.line, s.candidates) for s in load_sites(source)] == [
        (4, ("libwebp.so.7", "libwebp.so")), (6, ("libtiff.so", "libtiff5.so"))]


def test_a_wrapper_taking_candidate_names_is_read_at_its_call_sites():
    source = """
from ctypes.util import find_library
import cffi
ffi = cffi.FFI()

def load_first(library_names, filenames=()):
    for name in library_names:
        found = find_library(name)
        if found:
            filenames = (found, *filenames)
    for filename in filenames:
        try:
            return ffi.dlopen(filename)
        except OSError:
            pass
    raise OSError("not found")

gs = load_first(["gs", "gs-9"], ("libgs.so.10", "libgs.10.dylib", "gsdll64.dll"))
"""
    [site] = load_sites(source)
    assert site.line == 18 and not site.optional
    assert site.candidates == ("libgs.so.10", "libgs-9.so", "libgs.so")


def test_soname_literals_count_only_in_modules_that_load_libraries():
    loader = "import ctypes\nNAME = 'libmagic.so.1'\ndef load(n):\n    return ctypes.CDLL(n)\n"
    assert names(loader) == [("libmagic.so.1",)]
    assert names("DOC = 'see libmagic.so.1 in the manual'\nNAME = 'libmagic.so.1'\n") == []


def test_sites_of_one_library_merge_by_link_name():
    source = """
import ctypes
from ctypes.util import find_library
def candidates():
    yield find_library('magic')
    yield 'libmagic.so.1'
"""
    assert [(s.line, s.candidates) for s in load_sites(source)] == [(5, ("libmagic.so.1", "libmagic.so"))]


def test_other_platforms_branches_are_skipped():
    source = """
import os, sys, platform, ctypes
from ctypes.util import find_library
_is_windows = os.name == "nt"
if sys.platform == "win32":
    a = find_library("winonly")
elif sys.platform == "darwin":
    a = find_library("maconly")
else:
    a = find_library("linuxlib")
if _is_windows:
    b = find_library("alsowin")
if platform.system() == "Linux" or sys.platform.startswith("freebsd"):
    c = ctypes.CDLL("libone.so.1")
if sys.platform in ("cygwin", "win32"):
    d = ctypes.CDLL("libcyg.so")
name = "libtwo.so.2" if not sys.platform.startswith("darwin") else "libtwo.dylib"
e = ctypes.CDLL(name)
"""
    assert names(source) == [("liblinuxlib.so",), ("libone.so.1",), ("libtwo.so.2",)]


def test_a_module_that_raises_on_linux_loads_nothing():
    source = """
import platform
from ctypes import CDLL
from ctypes.util import find_library
if platform.system() != "Darwin":
    raise ImportError("Only macOS is supported")
Security = CDLL(find_library("Security"))
"""
    assert names(source) == []


def test_loads_whose_failure_is_swallowed_are_optional():
    source = """
import ctypes
try:
    gdk = ctypes.CDLL("libgdk-3.so.0")
except OSError:
    gdk = None
try:
    core = ctypes.CDLL("libcore.so.4")
except OSError as exc:
    raise ImportError("libcore is required") from exc
"""
    assert [(s.candidates, s.optional) for s in load_sites(source)] == [
        (("libgdk-3.so.0",), True), (("libcore.so.4",), False)]


def test_names_built_at_run_time_cannot_be_seen():
    source = """
import os, ctypes
version = os.environ.get("FOO_VERSION", "3")
a = ctypes.CDLL("libfoo.so." + version)
b = ctypes.CDLL(f"libbar.so.{version}")
c = ctypes.CDLL("lib%s.so" % os.environ["LIB"])
"""
    assert names(source) == []


def test_other_platforms_file_names_are_ignored():
    source = "import ctypes\nctypes.CDLL('foo.dll')\nctypes.CDLL('libfoo.dylib')\nctypes.cdll.msvcrt\n"
    assert names(source) == []


def test_unparsable_sources_raise_a_readable_value_error():
    for source, reason in [(b"import ctypes\nctypes.CDLL('libx.so.1'\n", "SyntaxError"),
                           (b"# -*- coding: no-such-codec -*-\nimport ctypes\n", "SyntaxError"),
                           (b"x = '\xff\xfe'\nimport ctypes\n", "SyntaxError"),
                           (b"import ctypes\x00\n", "null bytes")]:
        with pytest.raises(ValueError, match=reason):
            load_sites(source)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(lambda t: ("import ctypes\n" + t).encode("utf-8", "replace")))
def test_arbitrary_bytes_give_sites_or_a_value_error(source):
    try:
        sites = load_sites(source)
    except ValueError:
        return
    assert all(isinstance(s, LoadSite) and s.candidates for s in sites)


# --- the venv scan ----------------------------------------------------------------------------

def make_venv(root: Path, files: dict[str, str | bytes]) -> Path:
    venv = root / ".venv"
    site = venv / "lib/python3.11/site-packages"
    site.mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n")
    for rel, content in files.items():
        path = site / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return venv


LOADER = "import ctypes\nfrom ctypes.util import find_library\nlib = ctypes.CDLL(find_library({name!r}) or {soname!r})\n"


def test_scan_reports_what_the_venv_does_not_ship_with_its_evidence(tmp_path):
    venv = make_venv(tmp_path, {
        "needsfoo/__init__.py": LOADER.format(name="foo", soname="libfoo.so.3"),
        "shipsbar/__init__.py": LOADER.format(name="bar", soname="libbar.so.1"),
        "shipsbar.libs/libbar.so.1": b"not read",
        "usesc/__init__.py": LOADER.format(name="c", soname="libc.so.6"),
        "needsfoo/tests/test_load.py": LOADER.format(name="testonly", soname="libtestonly.so.1"),
        # numpy's wheel ships random/_examples/numba/extending_distributions.py, which loads
        # the example's own libdistributions.so: importing numpy never runs it
        "needsfoo/random/_examples/numba/extending.py": LOADER.format(name="distributions", soname="libdistributions.so"),
    })
    result = scan(venv)
    loaded = [m for m in result.missing if m.how == "loaded by name"]
    assert [(m.soname, m.needed_by, m.candidates) for m in loaded] == [
        ("libfoo.so.3", ("lib/python3.11/site-packages/needsfoo/__init__.py:3",), ("libfoo.so",))]
    assert result.complete and not result.problems


def test_the_check_says_loaded_by_name_and_offers_the_depurl(tmp_path):
    from pep725_ls.checks.context import CheckContext
    from pep725_ls.checks.virtualenv_libraries import check
    from pep725_ls.data_index import DataIndex
    from pep725_ls.document import PyprojectDocument

    venv = make_venv(tmp_path, {"magicish/loader.py": LOADER.format(name="magic", soname="libmagic.so.1")})
    doc = PyprojectDocument('[project]\nname = "x"\nversion = "1"\n')
    [finding] = check(doc, DataIndex(), CheckContext(tmp_path, scan(venv)))
    assert finding.message == (
        "libmagic.so.1 (loaded by name at run time by lib/python3.11/site-packages/magicish/loader.py:3 in .venv) "
        "comes from outside the virtualenv: declare `dep:generic/libmagic`")
    assert [f.title for f in finding.fixes] == ["Add dep:generic/libmagic to [external].dependencies",
                                                "Add dep:generic/libmagic to [external].host-requires"]


def test_a_name_only_the_link_name_resolves(tmp_path):
    """find_library('dmtx') gives libdmtx.so only: the index knows link names."""
    from pep725_ls.checks.virtualenv_libraries import depurl_for_needed
    from pep725_ls.data_index import DataIndex

    venv = make_venv(tmp_path, {"dm/__init__.py": "from ctypes import cdll\nfrom ctypes.util import find_library\n"
                                                  "for n in ('dmtx-0', 'dmtx'):\n    cdll.LoadLibrary(find_library(n))\n"})
    [needed] = scan(venv).missing
    assert {needed.soname, *needed.candidates} == {"libdmtx-0.so", "libdmtx.so"}
    assert depurl_for_needed(needed, DataIndex()) == "dep:generic/libdmtx"


def test_cache_by_mtime_and_size(tmp_path):
    venv = make_venv(tmp_path, {"a/__init__.py": LOADER.format(name="foo", soname="libfoo.so.3"),
                                "b/__init__.py": "x = 1\n"})
    cache = LoadsCache()
    first = missing_loaded_by_name(venv, set(), cache)
    path = str(next(venv.glob("lib/python*/site-packages/a/__init__.py")))
    entry = cache.entries[path]
    assert missing_loaded_by_name(venv, set(), cache) == first and cache.entries[path] is entry
    Path(path).write_text(LOADER.format(name="bar", soname="libbar.so.2"))
    os.utime(path, ns=(entry[0] + 10**9, entry[0] + 10**9))
    assert [m.soname for m in missing_loaded_by_name(venv, set(), cache).missing] == ["libbar.so.2"]


# --- a hostile virtualenv ---------------------------------------------------------------------

def test_hostile_venv_stays_bounded_and_says_what_it_skipped(tmp_path):
    site_files: dict[str, str | bytes] = {
        "good/__init__.py": LOADER.format(name="foo", soname="libfoo.so.3"),
        "cp1252/__init__.py": b"# -*- coding: cp1252 -*-\nimport ctypes\n# caf\xe9\nctypes.CDLL('libcafe.so.1')\n",
        "latin1/__init__.py": b"import ctypes\nctypes.CDLL('libx.so.1')\nname = 'caf\xe9'\n",
        "utf16/__init__.py": "import ctypes\nctypes.CDLL('liby.so.1')\n".encode("utf-16"),
        "badcookie/__init__.py": b"# coding: nope\nimport ctypes\nctypes.CDLL('libz9.so.1')\n",
        "nul/__init__.py": b"import ctypes\x00\nctypes.CDLL('libn.so.1')\n",
        "deep/__init__.py": "import ctypes\nctypes.CDLL('libd.so.1')\nx = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
        "chain/__init__.py": "import ctypes\nctypes.CDLL('libch.so.1')\nx = " + " + ".join(["'a'"] * 20000) + "\n",
        "notloader/__init__.py": "x = 1\n" * 200_000,  # 1.2 MB without a loader word: not parsed, no note
    }
    venv = make_venv(tmp_path, site_files)
    site = next(venv.glob("lib/python*/site-packages"))
    with open(site / "huge.py", "wb") as f:  # 2 GB sparse file that names a loader
        f.write(b"import ctypes\nctypes.CDLL('libhuge.so.1')\n")
        f.truncate(2 * 1024**3)
    os.mkfifo(site / "fifo.py")  # opening a FIFO would block forever
    (site / "folder.py").mkdir()  # a folder named like a module: walked into, not read
    (site / "loop.py").symlink_to(site / "loop.py")
    started = time.monotonic()
    result = scan(venv)
    elapsed = time.monotonic() - started
    assert elapsed < 120, elapsed  # a safety net, not a timing target (bench/ has none for this yet)
    loaded = {m.soname for m in result.missing if m.how == "loaded by name"}
    assert loaded == {"libfoo.so.3", "libcafe.so.1"}
    problems = "\n".join(result.problems)
    for rel in ("latin1/__init__.py", "badcookie/__init__.py", "nul/__init__.py", "deep/__init__.py", "chain/__init__.py",
                "huge.py", "fifo.py", "loop.py"):
        assert f"site-packages/{rel}:" in problems, rel
    # no loader word in it as bytes (Python cannot import a UTF-16 file either): not read
    assert "notloader" not in problems and "utf16" not in problems
    assert result.complete


def test_the_time_and_file_budgets_stop_the_walk(tmp_path):
    files = {f"m{i:03}/__init__.py": "import ctypes\n" + "x = ctypes.CDLL('libm%d.so.1')\n" * 3000 for i in range(40)}
    venv = make_venv(tmp_path, files)
    started = time.monotonic()
    result = missing_loaded_by_name(venv, set(), time_budget=0.2)
    assert time.monotonic() - started < 60
    assert not result.complete and result.files_read < 40
    assert "stopped after" in result.problems[-1]
    capped = missing_loaded_by_name(venv, set(), max_files=5)
    assert not capped.complete and capped.files_read == 5


def test_loaders_and_platform_tests_under_imported_names():
    source = """
from ctypes.util import find_library as _find_library
from ctypes import CDLL as _CDLL
from platform import system
from sys import platform as _platform
_system = system()
if _system == "Darwin":
    _libfuse_path = _find_library("osxfuse")
elif _platform.startswith("win"):
    _libfuse_path = _find_library("winfsp")
else:
    _libfuse_path = _find_library("fuse")
_lib = _CDLL(_libfuse_path or "libfuse.so.2")
"""
    assert names(source) == [("libfuse.so.2", "libfuse.so")]


def test_a_varargs_wrapper_with_candidates():
    source = """
import ctypes.util
from contextlib import suppress

def _dlopen(ffi, *names, allow_fail=False):
    for name in names:
        for lib_name in (name, "lib" + name):
            path = ctypes.util.find_library(lib_name)
            with suppress(OSError):
                return ffi.dlopen(path or lib_name)
    if not allow_fail:
        raise OSError("not found")

pango = _dlopen(ffi, "pango-1.0-0", "pango-1.0", "libpango-1.0-0.dll", "libpango-1.0.so.0")
"""
    [site] = load_sites(source)
    assert site.line == 14 and not site.optional
    assert site.candidates[0] == "libpango-1.0.so.0" and "libpango-1.0.so" in site.candidates


def test_a_wrapper_in_another_module_of_the_package(tmp_path):
    """pyusb's shape: libloader.py turns candidate names into a library; libusb1.py calls it
    with literal names; an unrelated module's namesake call is not read."""
    venv = make_venv(tmp_path, {
        "usbish/libloader.py": "import ctypes.util\n\n"
                               "def locate_library(candidates, find_library=ctypes.util.find_library):\n"
                               "    for candidate in candidates:\n"
                               "        path = find_library(candidate)\n"
                               "        if path:\n"
                               "            return path\n\n"
                               "def load_locate_library(candidates, cygwin_lib, name, check_symbols=None):\n"
                               "    return ctypes.CDLL(locate_library(candidates))\n",
        "usbish/backend/libusb1.py": "import usbish.libloader\n\n"
                                     "def _load_library():\n"
                                     "    return usbish.libloader.load_locate_library(('usb-1.0', 'libusb-1.0', 'usb'),\n"
                                     "                                                'cygusb-1.0.dll', 'Libusb 1')\n",
        "usbish/backend/other.py": "from .unrelated import load_locate_library\nload_locate_library(('notalib',), 'x', 'y')\n",
        "elsewhere/mod.py": "import libloader\nlibloader.load_locate_library(('otherpkg',), 'x', 'y')\n",
    })
    loaded = [m for m in scan(venv).missing if m.how == "loaded by name"]
    assert [(m.needed_by, {m.soname, *m.candidates}) for m in loaded] == [
        (("lib/python3.11/site-packages/usbish/backend/libusb1.py:4",),
         {"libusb-1.0.so", "liblibusb-1.0.so", "libusb.so"})]
