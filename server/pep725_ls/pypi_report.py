"""``pep725-ls mapping report --pypi``: coverage of the PyPI table and its accuracy.

Coverage: of the most downloaded PyPI projects that ship compiled code (as the pipeline
found them, data/pypi/native-deps.tsv ``meta.compiled_by_rank``), how many have a row, per
download-rank bucket. Accuracy: precision and recall of the table's libraries and build
tools against the hand-checked sample kept in the tests (tests/data/pypi-sample.toml),
whose values were written by hand, never by the pipeline.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from packaging.utils import canonicalize_name

from .data_index import DataIndex
from .pypi_native_deps import PypiNative

SAMPLE = Path(__file__).resolve().parents[2] / "tests" / "data" / "pypi-sample.toml"
TOP = 300
COVERAGE_TARGET = 0.95
TARGETS = {"library precision": 0.95, "library recall": 0.90, "build recall": 0.90}
BUCKETS = ((1, 100), (101, 500), (501, 1000), (1001, 5000), (5001, 15000))
BUILD_WORDS = {
    "c": "dep:virtual/compiler/c", "cxx": "dep:virtual/compiler/cxx", "fortran": "dep:virtual/compiler/fortran",
    "rust": "dep:virtual/compiler/rust", "pkg-config": "dep:generic/pkg-config", "cmake": "dep:generic/cmake",
    "meson": "dep:generic/meson", "ninja": "dep:generic/ninja",
}
# The build-side measure: compilers, pkg-config and cmake.
BUILD_SCORED = {BUILD_WORDS[w] for w in ("c", "cxx", "fortran", "rust", "pkg-config", "cmake")}


def libraries(row: PypiNative | None) -> set[str]:
    """The row's libraries as the sample counts them: host and runtime, without compiler
    runtimes and without what every manylinux system has."""
    if row is None:
        return set()
    return {d for d in row.host + row.runtime
            if not d.startswith("dep:virtual/compiler/") and not (d in row.manylinux and d not in row.host)}


def build_tools(row: PypiNative | None) -> set[str]:
    return {d for d in (row.build if row else ()) if d in BUILD_WORDS.values()}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    misses: list[str] = field(default_factory=list)  # "project: -missing +extra"

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, project: str, got: set[str], want: set[str]) -> None:
        self.tp += len(got & want)
        self.fp += len(got - want)
        self.fn += len(want - got)
        if got != want:
            self.misses.append(f"{project}: " + " ".join([f"-{d}" for d in sorted(want - got)] + [f"+{d}" for d in sorted(got - want)]))


def accuracy(index: DataIndex, sample_path: Path = SAMPLE) -> tuple[Score, Score, int] | None:
    """(libraries, build tools, projects) scored against the hand-checked sample."""
    if not sample_path.exists():
        return None
    sample = tomllib.loads(sample_path.read_text("utf-8"))
    libs, build = Score(), Score()
    for project, want in sorted(sample.items()):
        row = index.pypi_native(project)
        libs.add(project, libraries(row), set(want.get("libraries", ())))
        build.add(project, {d for d in build_tools(row) if d in BUILD_SCORED},
                  {BUILD_WORDS[w] for w in want.get("build", ()) if BUILD_WORDS[w] in BUILD_SCORED})
    return libs, build, len(sample)


def coverage(index: DataIndex) -> tuple[list[dict], dict]:
    """Per rank bucket: compiled projects, rows, rows with a DepURL; and the top-300 figure."""
    meta = index.pypi_meta()
    compiled = [canonicalize_name(p) for p in meta.get("compiled_by_rank", [])]
    rows = {p: index.pypi_native(p) for p in compiled}
    buckets = []
    for lo, hi in BUCKETS:
        these = [p for p in compiled if rows[p] is not None and rows[p].rank and lo <= rows[p].rank <= hi]
        if not these:
            continue
        buckets.append({"ranks": f"{lo}-{hi}", "compiled": len(these),
                        "rows": sum(1 for p in these if _has_row(rows[p])),
                        "with_depurls": sum(1 for p in these if rows[p].all_depurls)})
    top = compiled[:TOP]
    with_row = sum(1 for p in top if _has_row(rows[p]))
    return buckets, {"top": len(top), "rows": with_row, "ratio": with_row / len(top) if top else 0.0,
                     "with_depurls": sum(1 for p in top if rows[p] is not None and rows[p].all_depurls)}


def _has_row(row: PypiNative | None) -> bool:
    """A row: the project's wheel or sdist was read (an empty answer is an answer), or a
    hand-reviewed row exists."""
    return row is not None and bool(row.has_wheel or row.build or row.all_depurls or "curated" in row.source)


def report(index: DataIndex, fmt: str = "text") -> tuple[str, bool]:
    buckets, top = coverage(index)
    acc = accuracy(index)
    ok = top["ratio"] >= COVERAGE_TARGET
    figures = {}
    if acc is not None:
        libs, build, n = acc
        figures = {"library precision": libs.precision, "library recall": libs.recall,
                   "build precision": build.precision, "build recall": build.recall}
        ok = ok and all(figures[k] >= t for k, t in TARGETS.items())
    counts = index.pypi_meta().get("counts", {})
    if fmt == "json":
        return json.dumps({"counts": counts, "buckets": buckets, "top": top, "coverage_target": COVERAGE_TARGET,
                           "accuracy": {k: round(v, 4) for k, v in figures.items()},
                           "sample": n if acc else None, "targets": TARGETS,
                           "misses": {"libraries": acc[0].misses, "build": acc[1].misses} if acc else None,
                           "unmapped": len(index.pypi_unmapped())}, indent=2), ok
    lines = [f"PyPI table: {counts.get('projects', '?')} projects, read from {counts.get('facts', '?')} "
             f"wheels/sdists ({counts.get('compiled', '?')} with compiled code)",
             f"top {top['top']} compiled projects with a row: {top['rows']}/{top['top']} = {top['ratio']:.1%} "
             f"(target {COVERAGE_TARGET:.0%}); with at least one DepURL: {top['with_depurls']}",
             "", "download rank  compiled  rows  with DepURLs"]
    lines += [f"{b['ranks']:>13}  {b['compiled']:>8}  {b['rows']:>4}  {b['with_depurls']:>12}" for b in buckets]
    if acc is None:
        lines += ["", f"hand-checked sample not found ({SAMPLE}); accuracy not measured"]
    else:
        lines += ["", f"against the hand-checked sample ({n} projects, {SAMPLE.name}):"]
        for k, v in figures.items():
            target = TARGETS.get(k)
            lines.append(f"  {k}: {v:.3f}" + (f" (target {target})" if target else ""))
        for title, score in (("libraries", acc[0]), ("build tools", acc[1])):
            if score.misses:
                lines += [f"  {title} differing:"] + [f"    {m}" for m in score.misses]
    unmapped = index.pypi_unmapped()
    if unmapped:
        lines += ["", f"library names the pipeline could not map (reported, not guessed): {len(unmapped)}"
                  " (--format json, or data/pypi/report.json 'unmapped')"]
    lines.append("target " + ("met" if ok else "NOT met"))
    return "\n".join(lines), ok
