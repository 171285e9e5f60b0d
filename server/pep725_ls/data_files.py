"""Reading pep725-ls' vendored data files (server/pep725_ls/data/), and counting the reads.

The count is what the server looks at to move what a read filled out of the garbage
collector's reach (Pep725Server.freeze_long_lived): one counter for every table module.
"""

from __future__ import annotations

import json
from importlib import resources

_reads = 0


def reads() -> int:
    """How many data files this process has read so far."""
    return _reads


def data_path(name: str):
    return resources.files("pep725_ls.data").joinpath(name)


def read_text(name: str) -> str:
    global _reads
    _reads += 1
    return data_path(name).read_text("utf-8")


def read_lines(name: str) -> list[str]:
    return read_text(name).splitlines()


def read_json(name: str) -> dict:
    return json.loads(read_text(name))
