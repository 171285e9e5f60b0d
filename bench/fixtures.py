"""The benchmark's documents: the realistic fixture, and larger ones generated from it.

``document(lines)`` returns the realistic ``fixtures/pyproject.toml`` (286 lines) as is for
``lines`` up to 300, or padded to about ``lines`` lines with whole ``[tool.bench.N]`` tables
appended after it (the document stays valid TOML), so the ``[external]`` table and every
cursor position stay where they are. Generation is
deterministic: the same size gives the same text on every run.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "pyproject.toml"


@dataclass(frozen=True)
class Spot:
    """A cursor position (LSP, UTF-16; the fixture is ASCII) and the offset it stands for."""

    line: int
    character: int
    offset: int

    def position(self) -> dict:
        return {"line": self.line, "character": self.character}


@dataclass(frozen=True)
class Document:
    text: str
    lines: int
    name_completion: Spot  # after "dep:generic/lib" in "dep:generic/libpng"
    scheme_completion: Spot  # right after "dep:" in the same string
    hover: Spot  # inside "dep:generic/openblas"
    keystroke: Spot  # end of the name in "dep:generic/openblas": where a character is typed
    legacy_start: Spot  # the legacy "pkg:generic/zlib" string (its content)
    legacy_end: Spot


def _spot(text: str, offset: int) -> Spot:
    line = text.count("\n", 0, offset)
    return Spot(line, offset - (text.rfind("\n", 0, offset) + 1), offset)


def _find(text: str, needle: str, delta: int) -> Spot:
    at = text.index(needle)
    return _spot(text, at + delta)


def _padding(start_index: int, count: int) -> list[str]:
    """At least ``count`` lines of whole [tool.bench.N] tables: the mix of values real tool tables hold."""
    out: list[str] = []
    i = start_index
    while len(out) < count:
        out += [
            "",
            f"[tool.bench.section{i}]",
            f"# settings of generated section {i}",
            f'name = "section-{i}"',
            f"enabled = {'true' if i % 2 else 'false'}",
            f"retries = {i % 7}",
            f"threshold = {i % 100}.5",
            f'paths = ["src/pkg{i}", "tests/pkg{i}", "docs/pkg{i}"]',
            f'env = {{ LEVEL = "{i % 5}", MODE = "fast" }}',
            "extra-args = [",
            f'    "--jobs={i % 8 + 1}",',
            '    "--verbose",',
            "]",
        ]
        i += 1
    return out  # whole sections only: a cut-off array would make the document invalid TOML


def document(lines: int | None = None) -> Document:
    """The realistic fixture (``lines`` None or at most 300), else padded to about ``lines``."""
    base = FIXTURE.read_text("utf-8")
    base_lines = base.count("\n")
    text = base
    if lines is not None and lines > max(base_lines, 300):
        text = base + "\n".join(_padding(0, lines - base_lines)) + "\n"
    libpng = '"dep:generic/libpng"'
    openblas = '"dep:generic/openblas"'
    legacy = '"pkg:generic/zlib"'
    return Document(
        text=text,
        lines=text.count("\n"),
        name_completion=_find(text, libpng, 1 + len("dep:generic/lib")),
        scheme_completion=_find(text, libpng, 1 + len("dep:")),
        hover=_find(text, openblas, 1 + len("dep:gen")),
        keystroke=_find(text, openblas, len(openblas) - 1),
        legacy_start=_find(text, legacy, 1),
        legacy_end=_find(text, legacy, len(legacy) - 1),
    )
