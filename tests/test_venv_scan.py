"""The virtualenv scanner on real ELF files built with the system C compiler."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time

import pytest

from elf_fixtures import build_shared, dynamic_table_bomb, make_venv, needs_cc, ZLIB_USER
from pep725_ls.venv_scan import LIBC_FAMILY, MAX_DYNAMIC_ENTRIES, ScanCache, find_venv, read_elf, scan

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
    """An unreadable .so is a problem in the report, and the scan goes on. As root (CI),
    the scan runs without the capabilities that let root read anything, on a file root
    does not own: the same EACCES a user gets."""
    venv = make_venv(tmp_path)
    target = next(venv.glob("lib/python*/site-packages/demo/*.so"))
    target.chmod(0)
    try:
        if os.geteuid() == 0:
            setpriv = shutil.which("setpriv")
            if setpriv is None:
                pytest.skip("root reads any file, and setpriv (util-linux) is missing to drop that")
            os.chown(target, 65534, 65534)
            code = ("import json, sys; from pathlib import Path; from pep725_ls.venv_scan import scan; "
                    "r = scan(Path(sys.argv[1])); print(json.dumps([list(r.problems), [m.soname for m in r.missing]]))")
            run = subprocess.run([setpriv, "--bounding-set=-dac_override,-dac_read_search", sys.executable, "-c", code,
                                  str(venv)], capture_output=True, text=True, timeout=120)
            assert run.returncode == 0, run.stderr
            problems, _ = json.loads(run.stdout)
        else:
            problems = list(scan(venv).problems)
        assert any("Permission denied" in p for p in problems), problems
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


def _in_thread(job, timeout: float):
    """``job()`` in a daemon thread, failing after ``timeout`` s (the unbounded scan ran ~43 min)."""
    out = {}
    worker = threading.Thread(target=lambda: out.setdefault("result", job()), daemon=True)
    worker.start()
    worker.join(timeout)
    assert not worker.is_alive(), f"still running after {timeout} s"
    return out["result"]


@pytest.mark.parametrize("first", [False, True], ids=["after-the-real-table", "instead-of-it"])
def test_crafted_dynamic_table_bomb_is_read_within_bounds(tmp_path, first):
    """3,000 SHT_DYNAMIC sections over one 65,536-entry table (built from a real cc-built .so):
    the scan read every table whole, checking its time budget only between files (~43 min).
    Now only the first table is read (as ld.so does), at most MAX_DYNAMIC_ENTRIES entries of
    it: when the crafted table comes first, the file is a problem; either way the rest of
    the venv is scanned as usual."""
    venv = make_venv(tmp_path)
    site = next(venv.glob("lib/python*/site-packages"))
    bomb = dynamic_table_bomb(next(site.glob("demo/*.so")), site / "evil" / "_bomb.cpython-311-x86_64-linux-gnu.so", first=first)
    assert bomb.stat().st_size > 1_000_000
    result = _in_thread(lambda: scan(venv), 120)
    assert result.complete
    flagged = [p for p in result.problems if "evil/_bomb" in p]
    assert [m.soname for m in result.missing] == ["libz.so.1"]
    needed_by = result.missing[0].needed_by
    if first:
        assert len(flagged) == 1 and f"more than {MAX_DYNAMIC_ENTRIES} dynamic entries" in flagged[0], result.problems
        assert len(needed_by) == 1
    else:  # the file's own table comes first: read as the real file it was made from
        assert not flagged and any("evil/_bomb" in path for path in needed_by)


def test_read_elf_stops_at_its_deadline_inside_the_walk(tmp_path):
    venv = make_venv(tmp_path)
    real = next(venv.glob("lib/python*/site-packages/demo/*.so"))
    bomb = dynamic_table_bomb(real, tmp_path / "bomb.so", sections=3, entries=MAX_DYNAMIC_ENTRIES)  # within the entry cap
    with pytest.raises(ValueError, match="time budget"):
        read_elf(str(bomb), deadline=time.monotonic())
    with pytest.raises(ValueError, match="cancelled"):
        read_elf(str(bomb), cancelled=lambda: True)
    assert "libz.so.1" in read_elf(str(real), deadline=time.monotonic() + 60).needed


def test_site_packages_linking_out_of_the_venv_is_not_walked(tmp_path):
    """A venv whose site-packages links to / walked the whole filesystem."""
    venv = tmp_path / ".venv"
    (venv / "lib/python3.11").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (venv / "lib/python3.11/site-packages").symlink_to("/")
    result = _in_thread(lambda: scan(venv), 60)
    assert result.files_seen == 0 and result.elf_files == 0
    assert any("site-packages points outside the virtualenv (/)" in p for p in result.problems), result.problems


def test_links_to_folders_outside_are_not_followed(tmp_path):
    venv = make_venv(tmp_path / "project")
    site = next(venv.glob("lib/python*/site-packages"))
    outside = build_shared(tmp_path / "outside" / "_x.cpython-311-x86_64-linux-gnu.so", "int x(void) { return 0; }\n",
                           "-Wl,--no-as-needed", "-l:libbz2.so.1")
    (site / "escape").symlink_to(outside.parent, target_is_directory=True)
    result = scan(venv)
    assert [m.soname for m in result.missing] == ["libz.so.1"] and result.elf_files == 3


def test_one_scan_reads_at_a_time(tmp_path):
    """Six crafted venvs scanned at once starved every analysis of CPU: scans now take turns."""
    first, second = make_venv(tmp_path / "a"), make_venv(tmp_path / "b")
    first_started, release = threading.Event(), threading.Event()

    def hold() -> bool:  # called by the first scan for each file: it keeps the slot until released
        first_started.set()
        release.wait()
        return False

    one = threading.Thread(target=lambda: scan(first, cancelled=hold), daemon=True)
    one.start()
    assert first_started.wait(30)
    done = {}
    two = threading.Thread(target=lambda: done.setdefault("result", scan(second)), daemon=True)
    two.start()
    two.join(1.5)
    assert two.is_alive(), "the second scan ran while the first one held the slot"
    release.set()
    one.join(30), two.join(30)
    assert done["result"].complete and [m.soname for m in done["result"].missing] == ["libz.so.1"]


def test_check_says_when_the_venv_scan_stopped_at_its_budget(tmp_path):
    """`check --venv` said nothing when the scan stopped early (its findings are partial)."""
    venv = make_venv(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1"\n')
    run = subprocess.run([sys.executable, "-m", "pep725_ls", "check", str(tmp_path / "pyproject.toml"), "--venv", str(venv),
                          "--venv-time-budget", "0"], capture_output=True, text=True, timeout=120)
    assert "stopped at the time budget of 0 s" in run.stderr and "partial" in run.stderr, run.stderr
