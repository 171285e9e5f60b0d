"""The virtualenv scanner on real ELF files built with the system C compiler."""

from __future__ import annotations

import os

from elf_fixtures import build_shared, make_venv, needs_cc, ZLIB_USER
from pep725_ls.venv_scan import LIBC_FAMILY, ScanCache, find_venv, read_elf, scan

pytestmark = needs_cc


def test_reads_needed_and_runpath(tmp_path):
    venv = make_venv(tmp_path)
    info = read_elf(str(next(venv.glob("lib/python*/site-packages/bundled/_core*.so"))))
    assert "libbundled.so.1" in info.needed and "libc.so.6" in info.needed
    assert info.search_dirs == ("$ORIGIN/../bundled.libs",)
    assert read_elf(str(next(venv.glob("lib/python*/site-packages/notelf/fake.so")))) is None


def test_only_libraries_from_outside_remain(tmp_path):
    venv = make_venv(tmp_path)
    result = scan(venv)
    assert [m.soname for m in result.missing] == ["libz.so.1"]
    assert result.missing[0].needed_by == ("lib/python3.11/site-packages/demo/_speedups.cpython-311-x86_64-linux-gnu.so",)
    assert result.elf_files == 3 and result.complete


def test_damaged_files_are_reported_not_fatal(tmp_path):
    result = scan(make_venv(tmp_path))
    problems = "\n".join(result.problems)
    assert "notelf/truncated.so: damaged ELF file" in problems
    assert "dangling.so" in problems
    assert "fake.so" not in problems  # not ELF: silently not a shared object


def test_unreadable_file(tmp_path):
    venv = make_venv(tmp_path)
    target = next(venv.glob("lib/python*/site-packages/demo/*.so"))
    target.chmod(0)
    try:
        if os.access(target, os.R_OK):  # root reads anything
            return
        result = scan(venv)
        assert any("Permission denied" in p for p in result.problems)
    finally:
        target.chmod(0o644)


def test_cache_by_mtime(tmp_path):
    venv = make_venv(tmp_path)
    cache = ScanCache()
    scan(venv, cache)
    assert len(cache.entries) == 4  # 3 ELF files + fake.so (not ELF); damaged files are not cached
    target = next(venv.glob("lib/python*/site-packages/bundled/_core*.so"))
    before = cache.entries[str(target)]
    scan(venv, cache)
    assert cache.entries[str(target)] is before  # unchanged file: not read again
    build_shared(target, ZLIB_USER, "-Wl,--no-as-needed", "-l:libz.so.1")
    result = scan(venv, cache)
    assert cache.entries[str(target)] is not before
    assert len(result.missing[0].needed_by) == 2


def test_bounded(tmp_path):
    venv = make_venv(tmp_path)
    site = next(venv.glob("lib/python*/site-packages"))
    for i in range(50):
        (site / f"f{i}.py").write_text("")
    result = scan(venv, max_files=10)
    assert not result.complete and result.files_seen <= 11


def test_find_venv(tmp_path, monkeypatch):
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    assert find_venv(tmp_path) is None
    venv = make_venv(tmp_path)
    assert find_venv(tmp_path) == venv.resolve()
    assert find_venv(tmp_path, ".venv") == venv.resolve()
    assert find_venv(None, str(tmp_path / "nope")) is None
    monkeypatch.setenv("VIRTUAL_ENV", str(venv))
    assert find_venv(None) == venv.resolve()


def test_libc_family():
    for name in ["libc.so.6", "libm.so.6", "libpthread.so.0", "ld-linux-x86-64.so.2", "libpython3.11.so.1.0"]:
        assert LIBC_FAMILY.match(name)
    for name in ["libz.so.1", "libstdc++.so.6", "libpq.so.5", "libcrypto.so.3"]:
        assert not LIBC_FAMILY.match(name)
