"""Writing (or, with --check, comparing) the files a data generator produces: shared by
build_nixpkgs_data.py and build_pypi_data.py, so both say 'stale' and write alike."""

from __future__ import annotations

import sys
from pathlib import Path


def write_or_check(out: Path, files: dict[str, bytes], check: bool, log=sys.stdout) -> int:
    """With ``check``: exit status 1 and a 'stale:' line per file that differs. Else write
    each file atomically (temporary name, then rename) and say so. Returns the exit status."""
    stale = [n for n, data in files.items() if not (out / n).exists() or (out / n).read_bytes() != data]
    if check:
        for n in stale:
            print(f"stale: {out / n}", file=sys.stderr)
        return 1 if stale else 0
    for name, data in files.items():
        tmp = out / f".{name}.tmp"
        tmp.write_bytes(data)
        tmp.replace(out / name)
        print(f"wrote {out / name} ({len(data):,} bytes)", file=log)
    return 0
