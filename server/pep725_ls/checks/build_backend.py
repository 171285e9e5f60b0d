"""Compilers and tools the build evidently needs: from the build backend and its requires.

Only real evidence counts, and the message names it: maturin or setuptools-rust build
Rust; meson-python, scikit-build-core, Cython, cffi, pybind11/nanobind build C or C++;
setuptools builds C when the project declares extension modules (``[tool.setuptools]
ext-modules``, or ``ext_modules``/``Extension(`` in a setup.py next to the file, read as
text, never run); the ``pkgconfig`` package calls ``pkg-config``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..data_index import DataIndex
from ..document import PyprojectDocument
from ..edits import Fix
from ..external_edits import Addition
from ..tolerant_toml import ArrayNode, StringNode
from .context import CheckContext
from .declared import declared_ids
from .finding import Finding

NEEDS_CONTEXT = True

C, CXX, RUST = "dep:virtual/compiler/c", "dep:virtual/compiler/cxx", "dep:virtual/compiler/rust"
PKG_CONFIG = "dep:generic/pkg-config"

# PyPI build requirement -> (DepURLs any of which satisfies it, what to add, why)
_BY_REQUIREMENT: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "maturin": ((RUST,), (RUST,), "maturin builds Rust extensions"),
    "setuptools-rust": ((RUST,), (RUST,), "setuptools-rust builds Rust extensions"),
    "meson-python": ((C, CXX), (C,), "meson-python compiles C/C++ extensions"),
    "scikit-build-core": ((C, CXX), (C, CXX), "scikit-build-core drives a CMake build of C/C++ code"),
    "scikit-build": ((C, CXX), (C, CXX), "scikit-build drives a CMake build of C/C++ code"),
    "cython": ((C, CXX), (C,), "Cython generates C code that must be compiled"),
    "cffi": ((C, CXX), (C,), "cffi compiles C extension modules at build time"),
    "pybind11": ((CXX,), (CXX,), "pybind11 extensions are C++"),
    "nanobind": ((CXX,), (CXX,), "nanobind extensions are C++"),
    "pkgconfig": ((PKG_CONFIG,), (PKG_CONFIG,), "the pkgconfig package runs the pkg-config tool"),
}
_SETUPTOOLS_EXTENSIONS = re.compile(r"\bext_modules\b|\bExtension\(")


def reported_by_build_tool(requirement_name: str) -> tuple[str, ...]:
    """The DepURLs the missing-build-tool check speaks for when ``requirement_name`` (a
    normalised name) is a build requirement; the PyPI-data check leaves them to it."""
    entry = _BY_REQUIREMENT.get(requirement_name)
    return entry[0] if entry else ()


def _build_requirements(doc: PyprojectDocument) -> Iterator[tuple[StringNode, str]]:
    for kv in doc.values_at(("build-system", "requires")):
        if isinstance(kv.value, ArrayNode):
            for item in kv.value.items:
                if isinstance(item, StringNode) and item.terminated:
                    try:
                        yield item, canonicalize_name(Requirement(item.value).name)
                    except InvalidRequirement:
                        continue


def _setuptools_extension_evidence(doc: PyprojectDocument, context: CheckContext) -> str | None:
    if doc.values_at(("tool", "setuptools", "ext-modules")):
        return "[tool.setuptools] declares ext-modules"
    if context.project_dir is None:
        return None
    setup_py = context.project_dir / "setup.py"
    try:
        if setup_py.stat().st_size > 1_000_000:
            return None
        text = setup_py.read_text("utf-8", errors="replace")
    except OSError:
        return None
    if _SETUPTOOLS_EXTENSIONS.search(text):
        return "setup.py defines extension modules"
    return None


def check(doc: PyprojectDocument, index: DataIndex, context: CheckContext) -> Iterator[Finding]:
    requirements = list(_build_requirements(doc))
    if not requirements:
        return
    declared: set[str] | None = None
    reported: set[tuple[str, ...]] = set()
    evidence: list[tuple[StringNode, tuple[str, ...], tuple[str, ...], str]] = []
    for string, name in requirements:
        if name in _BY_REQUIREMENT:
            evidence.append((string, *_BY_REQUIREMENT[name]))
        elif name == "setuptools":
            why = _setuptools_extension_evidence(doc, context)
            if why:
                evidence.append((string, (C, CXX), (C,), why))
    for string, satisfied_by, add, why in evidence:
        if declared is None:
            declared = declared_ids(doc, index)
        if any(d in declared for d in satisfied_by) or add in reported:
            continue
        reported.add(add)
        fixes = [Fix(f"Add {d} to [external].build-requires", (), safe=False, preferred=i == 0,
                     additions=(Addition("build-requires", d),)) for i, d in enumerate(add)]
        wanted = " or ".join(f"`{d}`" for d in add)
        yield Finding("missing-build-tool", f"{why}: declare {wanted} in [external].build-requires",
                      string.start, string.end, tuple(fixes), {"depurls": list(add), "evidence": why})


def builds_native_code(doc: PyprojectDocument) -> bool:
    """Whether the build evidently compiles code (a compiler declared, or a compiling backend)."""
    for lst in doc.external.lists:
        if lst.key in ("build-requires", "optional-build-requires"):
            if any("compiler/" in s.value for _, s in lst.strings):
                return True
    return any(name in _BY_REQUIREMENT and name != "pkgconfig" for _, name in _build_requirements(doc))
