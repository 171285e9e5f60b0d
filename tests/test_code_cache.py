"""The start-up cache of the code attrs and cattrs generate (code_cache.py), in fresh processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

# Import what the server imports at start-up, then report what the cache did.
PROBE = """
import json
from pep725_ls.code_cache import install
cache = install()
if cache is None:
    print(json.dumps(None))
else:
    from pep725_ls.server import create_server
    create_server()
    compiled = len(cache.new)
    cache.save()
    print(json.dumps({"used": len(cache.used), "compiled": compiled}))
"""


def start(cache_home, **env) -> dict | None:
    # A fixed hash seed: attrs writes the seeded hash of a class name into one __hash__'s
    # source, which is therefore new (compiled and cached once more) at every other start.
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache_home), "PYTHONHASHSEED": "0", **env}
    out = subprocess.run([sys.executable, "-c", PROBE], env=environment, capture_output=True, text=True,
                         check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def entries(cache_home):
    (folder,) = (cache_home / "pep725-ls").iterdir()
    return sorted(folder.iterdir())


def test_the_second_start_compiles_nothing(tmp_path):
    first = start(tmp_path)
    assert first["compiled"] > 500  # lsprotocol's classes: their __init__, __eq__, __repr__...
    assert len(entries(tmp_path)) == first["compiled"]
    second = start(tmp_path)
    assert second == {"used": first["used"], "compiled": 0}


def test_a_damaged_entry_is_compiled_again(tmp_path):
    start(tmp_path)
    damaged = entries(tmp_path)[0]
    damaged.write_bytes(b"\x00 not marshal data")
    assert start(tmp_path)["compiled"] == 1
    assert start(tmp_path)["compiled"] == 0  # and written back whole


def test_an_unwritable_cache_only_costs_time(tmp_path):
    blocker = tmp_path / "pep725-ls"
    blocker.write_text("a file where the cache folder would go")
    assert start(tmp_path)["compiled"] > 500
    assert start(tmp_path)["compiled"] > 500
    assert blocker.read_text() == "a file where the cache folder would go"


def test_it_can_be_turned_off(tmp_path):
    assert start(tmp_path, PEP725_LS_CODE_CACHE="0") is None
    assert not (tmp_path / "pep725-ls").exists()
