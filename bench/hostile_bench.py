#!/usr/bin/env python3
"""Figures for the hostile inputs of issue 17 (not a test: it prints timings, in process).

    .venv/bin/python bench/hostile_bench.py [--quick]
    PYTHONPATH=/path/to/older/server .venv/bin/python bench/hostile_bench.py --quick   # an older tree

--quick leaves out what took minutes or hours before the bounds (the 5 MB flood, the whole
crafted .so); the crafted .so is then read with 2 of its 3,000 extra sections.
"""

from __future__ import annotations

import argparse
import random
import resource
import string
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))


def timed(job) -> float:
    started = time.perf_counter()
    job()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()

    from pep725_ls import lsp_conversions
    from pep725_ls.checks import run_checks
    from pep725_ls.config import Settings
    from pep725_ls.data_index import default_index
    from pep725_ls.document import PyprojectDocument
    from pep725_ls.text_positions import LineIndex

    index = default_index()
    run_checks(PyprojectDocument('[external]\nhost-requires = ["dep:generic/zlib"]\n'), index)  # load the data
    rows = []

    text = "[external]\nhost-requires = [" + ", ".join(['"dep:generic/zlib"'] * 3000) + "]\n"
    doc = PyprojectDocument(text, "utf-32")
    rows.append(("check: 3,000 duplicates on one line", f"{timed(lambda: run_checks(doc, index)):.2f} s"))

    text = '[external]\nhost-requires = ["😀", ' + ", ".join(f'"bad{i}"' for i in range(5000)) + "]\n"
    doc = PyprojectDocument(text, "utf-16")
    try:  # every finding, not the first 1,000: the same work as before the cap
        findings = run_checks(PyprojectDocument(text, "utf-16"), index, limit=None)
    except TypeError:  # a tree without the cap
        findings = run_checks(PyprojectDocument(text, "utf-16"), index)
    rows.append((f"UTF-16 ranges of {len(findings)} findings on one line with an emoji",
                 f"{timed(lambda: lsp_conversions.diagnostics(doc, findings, Settings())):.2f} s"))

    line = "x = '" + "é🐍" * 500_000 + "'\n"
    rows.append(("keystroke on a 1 MB non-ASCII line (index + position)",
                 f"{timed(lambda: LineIndex(line, 'utf-16').position_to_offset(0, 2_999_990)) * 1000:.0f} ms"))

    rng = random.Random(1)
    names = ["dep:generic/" + "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(4, 12))) for _ in range(300)]
    index.suggest("dep:generic/warmup")
    rows.append(("unknown-name suggestion, per distinct name", f"{timed(lambda: [index.suggest(n) for n in names]) / len(names) * 1000:.2f} ms"))

    from elf_fixtures import CC, dynamic_table_bomb, make_venv
    from pep725_ls.venv_scan import read_elf

    if CC:
        folder = Path(tempfile.mkdtemp())
        venv = make_venv(folder)
        real = next(venv.glob("lib/python*/site-packages/demo/*.so"))
        sections = 2 if args.quick else 3000
        for first in (False, True):
            bomb = dynamic_table_bomb(real, folder / f"bomb-{first}.so", sections=sections, first=first)

            def read() -> None:
                try:
                    read_elf(str(bomb))
                except ValueError:
                    pass

            where = "first" if first else "after the real one"
            rows.append((f"crafted .so: {sections} dynamic sections, 65,536 entries ({where})", f"{timed(read):.2f} s"))

    if not args.quick:
        text = "[external]\nhost-requires = [" + '"a",' * 1_250_000 + "]\n"
        doc = PyprojectDocument(text, "utf-16")
        took = timed(lambda: rows.append(("5 MB of bad strings: findings", str(len(run_checks(doc, index))))))
        rows.append(("5 MB of bad strings: one analysis", f"{took:.1f} s"))
        rows.append(("peak RSS of this process", f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"))

    width = max(len(r[0]) for r in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
