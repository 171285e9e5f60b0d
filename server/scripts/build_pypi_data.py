#!/usr/bin/env python3
"""Build pep725-ls' PyPI → native dependency table from facts read out of the projects' wheels.

    python server/scripts/build_pypi_data.py --fetch [--compiled 340]   # network, cached
    python server/scripts/build_pypi_data.py [--check]                  # offline

``--fetch`` walks the most downloaded PyPI projects (the rank column of the env package
list) until it has seen ``--compiled`` projects that ship compiled code, reads each one's
newest manylinux x86_64 wheel and sdist (pypi_wheel_facts.py, cached under
~/.cache/pep725-ls-wheels/) and writes the raw facts to data/pypi/wheel-facts.jsonl.
Without ``--fetch`` nothing is downloaded: the DepURL table data/pypi/native-deps.tsv is
derived from those facts, curated.toml, the poetry2nix rows, the vendored soname index and
auditwheel's manylinux policy (derive_pypi_data.py). Output is deterministic; ``--check``
exits 1 when a file on disk differs from what the inputs give.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
OUT = HERE.parent / "pep725_ls" / "data" / "pypi"
FACTS = OUT / "wheel-facts.jsonl"
DEFAULT_RANKS = Path("/work/.library/env/packages/pypi.tsv")
DEFAULT_SHARED = HERE.parents[2] / "shared"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503


def ranked_projects(path: Path) -> list[tuple[int, str]]:
    """(rank, name) of the ranked projects, most downloaded first."""
    out = []
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        col = header.index("rank_among_15000_most_downloaded")
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) > col and fields[col].strip().isdigit():
                out.append((int(fields[col]), fields[0]))
    return sorted(out)


def also_checked(shared: Path) -> list[str]:
    """Projects read whatever their rank: every hand-reviewed row and every poetry2nix row,
    so that each can be compared with what its wheel says."""
    import tomllib

    curated = tomllib.loads((OUT / "curated.toml").read_text("utf-8"))
    names = set(curated.get("project", {})) | set(curated.get("read", {}).get("projects", []))
    tsv = shared / "data" / "python-native-deps.tsv"
    if tsv.exists():
        for line in tsv.read_text("utf-8").splitlines()[1:]:
            name = line.split("\t", 1)[0]
            if name and not line.startswith("#") and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
                names.add(name)
    return sorted(names)


def fetch(ranks: Path, compiled_wanted: int, workers: int, shared: Path) -> list[dict]:
    from pypi_wheel_facts import project_facts

    ranked = ranked_projects(ranks)
    wanted = {canonical(n) for n in also_checked(shared)}
    rows: list[dict] = []
    compiled = 0
    batch = 24
    with ThreadPoolExecutor(workers) as pool:
        for start in range(0, len(ranked), batch):
            chunk = ranked[start : start + batch]
            for (rank, name), facts in zip(chunk, pool.map(lambda rn: _safe(project_facts, rn[1]), chunk)):
                row = {"project": name, "rank": rank, **facts}
                if canonical(name) in wanted:
                    row["checked"] = True
                rows.append(row)
                if _compiles(facts):
                    compiled += 1
            print(f"rank {chunk[-1][0]}: {compiled} compiled", file=sys.stderr, flush=True)
            if compiled >= compiled_wanted:
                break
        seen = {canonical(r["project"]) for r in rows}
        rank_of = {canonical(n): r for r, n in ranked}
        extra = [n for n in also_checked(shared) if canonical(n) not in seen]
        for name, facts in zip(extra, pool.map(lambda n: _safe(project_facts, n), extra)):
            rows.append({"project": name, "rank": rank_of.get(canonical(name)), "checked": True, **facts})
    return rows


def _safe(fn, name):
    try:
        return fn(name)
    except Exception as e:  # one project's failure is recorded, not fatal to the run
        return {"status": "error", "error": f"{type(e).__name__}: {e}"[:300]}


def compact(row: dict) -> dict:
    """The facts kept in the repository: per project the wheel's ELF files reduced to what
    the derivation reads, the load-by-name calls and the sdist's build facts."""
    keep = {k: row[k] for k in ("project", "rank", "checked", "version", "status", "wheel", "sdist", "languages", "build_text", "error", "skipped") if row.get(k)}
    elves = row.get("elf") or {}
    if elves:
        # library names are stored once per project and referred to by index: rdkit's 160
        # extension modules name the same 30 Boost libraries each
        names = sorted({n for e in elves.values() for n in e.get("needed", [])} | {e["soname"] for e in elves.values() if e.get("soname")})
        at = {n: i for i, n in enumerate(names)}
        keep["libs"] = names
        keep["elf"] = {path: ([at[e["soname"]] if e.get("soname") else -1, [at[n] for n in e["needed"]]]
                              + ([e["machine"]] if e.get("machine") else []) if "needed" in e else e)
                       for path, e in sorted(elves.items())}
    if row.get("loads"):
        keep["loads"] = sorted(row["loads"])
    return keep


def _compiles(facts: dict) -> bool:
    """Ships compiled code: a platform wheel, or an sdist with compiled sources."""
    return facts.get("status") in ("compiled", "no manylinux x86_64 wheel") or (
        facts.get("status") == "sdist only" and bool({"c", "cxx", "fortran", "rust"} & set(facts.get("languages") or {})))


def _worth_keeping(row: dict) -> bool:
    """Pure projects are kept only when they load a library by name, or were read on purpose
    (a hand-reviewed or poetry2nix row: that it is pure is the answer)."""
    return (_compiles(row) or bool(row.get("loads")) or bool(row.get("checked"))
            or row.get("status") in ("error", "unknown to the registry"))


def write_facts(rows: list[dict]) -> bytes:
    lines = [json.dumps(compact(r), sort_keys=True, separators=(",", ":")) for r in rows if _worth_keeping(r)]
    return ("\n".join(lines) + "\n").encode()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fetch", action="store_true", help="read the wheels (network, cached) and rewrite the facts file")
    ap.add_argument("--ranks", type=Path, default=DEFAULT_RANKS, help="the package list with download ranks (default: %(default)s)")
    ap.add_argument("--compiled", type=int, default=340, help="stop after this many projects with compiled code")
    ap.add_argument("--workers", type=int, default=3)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared/ folder (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="exit 1 if the shipped files are not what the inputs give")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    if args.fetch:
        data = write_facts(fetch(args.ranks, args.compiled, args.workers, args.shared))
        OUT.mkdir(parents=True, exist_ok=True)
        tmp = FACTS.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(FACTS)
        print(f"wrote {FACTS} ({len(data):,} bytes) in {time.monotonic() - t0:.0f} s", file=sys.stderr)
    from derive_pypi_data import build

    from generated_files import write_or_check

    files = build(FACTS, args.shared)
    if args.check:
        return write_or_check(OUT, files, check=True)
    write_or_check(OUT, files, check=False, log=sys.stderr)
    print(f"done in {time.monotonic() - t0:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
