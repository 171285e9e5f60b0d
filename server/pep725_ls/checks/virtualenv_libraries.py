"""Shared libraries the project's virtualenv needs from the system but [external] lacks.

Works on the result of venv_scan (run in the background by the server, or by
``pep725-ls check --venv``): each needed soname is mapped to a DepURL through the soname
index, and each undeclared DepURL is reported once, on the ``[external]`` table (or on
``[project]`` when there is no table), naming the files that need it.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..data_index import DataIndex
from ..document import PyprojectDocument
from ..edits import Fix
from ..external_edits import Addition
from ..venv_scan import NeededLibrary
from .build_backend import builds_native_code
from .context import CheckContext
from .declared import declared_ids
from .finding import Finding

NEEDS_CONTEXT = True
LINKED = "linked"
LOADED_BY_NAME = "loaded by name"  # venv_scan.NeededLibrary.how

# Where a library must be declared so that pep725-ls' shell puts it on LD_LIBRARY_PATH.
RUNTIME_KEYS = ("host-requires", "dependencies", "optional-host-requires", "optional-dependencies", "dependency-groups")


def _anchor(doc: PyprojectDocument) -> tuple[int, int]:
    external = doc.external
    if external.headers:
        h = external.headers[0]
        return h.start, h.end
    if external.entries:
        kv = external.entries[0]
        return kv.key_start, kv.key_end
    for header in doc.tree.headers.kept():  # [project] is a table the checks read (needed_table)
        if header.path == ("project",):
            return header.start, header.end
    return 0, 0


def depurl_for_soname(soname: str, index: DataIndex) -> str | None:
    """The DepURL to declare for a needed library, with a version range when nixpkgs ships
    this soname only in an older series (``dep:generic/libxml2@<2.15`` for libxml2.so.2).

    Compiler runtimes (libstdc++.so.6, libgcc_s.so.1, libgfortran.so.5…) give the compiler's
    virtual DepURL: listed in ``dependencies`` it stands for the runtime library, which
    pep725-ls' shell takes from the compiler's ``lib`` output (docs/nixos.md).
    """
    providers = index.soname_providers(soname)
    if not providers:
        return None
    best = providers[0]
    mapping = index.nixpkgs(best.depurl_id)
    version = index.version_before_soname(mapping, best) if mapping is not None else None
    return f"{best.depurl_id}@{version}" if version else best.depurl_id


def depurl_for_needed(needed: NeededLibrary, index: DataIndex) -> str | None:
    """The DepURL of the first of the library's names the soname index knows: a library
    loaded by name may be tried under several (``find_library("cairo")`` → ``libcairo.so``,
    then ``libcairo.so.2``)."""
    for name in (needed.soname, *needed.candidates):
        depurl_id = depurl_for_soname(name, index)
        if depurl_id is not None:
            return depurl_id
    return None


def _how_needed(libs: list[NeededLibrary], venv_name: str) -> str:
    """``needed by F and 2 more``, ``loaded by name at run time by F:LINE``, or both."""
    parts = []
    for how, verb in ((LINKED, "needed by"), (LOADED_BY_NAME, "loaded by name at run time by")):
        files = sorted({f for lib in libs if lib.how == how for f in lib.needed_by})
        if files:
            parts.append(f"{verb} {files[0]}" + (f" and {len(files) - 1} more" if len(files) > 1 else ""))
    return "; ".join(parts) + f" in {venv_name}"


def _not_shipped(soname: str, index: DataIndex) -> str:
    others = index.soname_alternatives(soname)
    if not others:
        return "and no nixpkgs package is known to ship it"
    shown = ", ".join(f"{file} ({attr})" for file, attr in others[-3:])
    return f"and nixpkgs ships {shown}, not {soname}: rebuild against it, or get {soname} elsewhere"


def check(doc: PyprojectDocument, index: DataIndex, context: CheckContext) -> Iterator[Finding]:
    scan = context.venv
    if scan is None or not scan.missing:
        return
    declared = declared_ids(doc, index, RUNTIME_KEYS)
    by_depurl: dict[str, list] = {}
    unknown = []
    for needed in scan.missing:
        depurl_id = depurl_for_needed(needed, index)
        package_id = depurl_id.split("@", 1)[0] if depurl_id else None
        if depurl_id is None:
            unknown.append(needed)
        elif package_id not in declared and index.canonical_target(package_id) not in declared:
            by_depurl.setdefault(depurl_id, []).append(needed)
    start, end = _anchor(doc)
    libraries_first = ["host-requires", "dependencies"] if builds_native_code(doc) else ["dependencies", "host-requires"]
    for depurl_id, libs in by_depurl.items():
        sonames = ", ".join(lib.soname for lib in libs)
        files = sorted({f for lib in libs for f in lib.needed_by})
        # A compiler's runtime library is needed at run time, whoever built the code.
        keys = ["dependencies"] if depurl_id.startswith("dep:virtual/") else libraries_first
        fixes = tuple(
            Fix(f"Add {depurl_id} to [external].{key}", (), safe=False, preferred=i == 0,
                additions=(Addition(key, depurl_id),))
            for i, key in enumerate(keys)
        )
        yield Finding(
            "venv-missing-library",
            f"{sonames} ({_how_needed(libs, scan.venv.name)}) comes from outside the virtualenv: declare `{depurl_id}`",
            start, end, fixes,
            {"depurls": [depurl_id], "sonames": [lib.soname for lib in libs], "files": files},
        )
    for needed in unknown:
        yield Finding(
            "venv-missing-library",
            f"{needed.soname} ({_how_needed([needed], scan.venv.name)}) comes from outside the virtualenv, "
            + _not_shipped(needed.soname, index),
            start, end, (), {"sonames": [needed.soname], "files": list(needed.needed_by)},
        )
