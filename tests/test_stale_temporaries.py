"""Cache writes clean up after a process killed mid-write (kill -9 left .tmp files for good)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pep725_ls.code_cache import CodeCache
from pep725_ls.nix_live import write_cache
from pep725_ls.stale_temporaries import STALE_AFTER_S

# A child that writes a cache file and is killed between writing its temporary file and
# renaming it: os.replace is made to hang, as a kill -9 at that moment would leave things.
KILLED_WRITERS = {
    "code_cache": """
        import os, time, marshal
        from pathlib import Path
        from pep725_ls.code_cache import CodeCache
        os.replace = lambda *a: time.sleep(3600)
        cache = CodeCache(Path({folder!r}))
        cache.new["k" * 32] = compile("x = 1", "f", "exec")
        cache.save()
    """,
    "nix_live": """
        import os, time
        from pathlib import Path
        from pep725_ls.nix_live import write_cache
        os.replace = lambda *a: time.sleep(3600)
        write_cache(Path({folder!r}) / "nixpkgs-meta.json", "src", {{"zlib": {{"version": "1"}}}})
    """,
}


def killed_mid_write(kind: str, folder: Path) -> list[Path]:
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(KILLED_WRITERS[kind]).format(folder=str(folder))])
    try:
        deadline = time.monotonic() + 60
        while not list(folder.glob(".*.tmp")):
            assert child.poll() is None and time.monotonic() < deadline, "the writer never wrote its temporary file"
            time.sleep(0.05)
        time.sleep(0.2)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    return list(folder.glob(".*.tmp"))


def age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


@pytest.mark.parametrize("kind", KILLED_WRITERS)
def test_the_next_write_removes_what_a_killed_writer_left(tmp_path, kind):
    folder = tmp_path / "cache"
    folder.mkdir()
    left = killed_mid_write(kind, folder)
    assert len(left) == 1
    age(left[0], STALE_AFTER_S + 60)  # some time later
    fresh = folder / (".nixpkgs-meta.fresh.tmp" if kind == "nix_live" else ".fresh.1.tmp")
    fresh.write_bytes(b"another process is writing this right now")
    if kind == "code_cache":
        cache = CodeCache(folder)
        cache.new["j" * 32] = compile("y = 2", "g", "exec")
        cache.save()
        assert (folder / ("j" * 32)).is_file()
    else:
        write_cache(folder / "nixpkgs-meta.json", "src", {"zlib": {"version": "1"}})
        assert (folder / "nixpkgs-meta.json").is_file()
    assert not left[0].exists(), "the killed writer's temporary file is still there"
    assert fresh.exists(), "a temporary file in use was removed"
