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
from .build_backend import builds_native_code
from .context import CheckContext
from .declared import declared_ids
from .finding import Finding

NEEDS_CONTEXT = True

# Runtime libraries of compilers: what the virtual compiler DepURLs stand for at run time.
COMPILER_RUNTIMES = {
    "libstdc++.so.6": "dep:virtual/compiler/cxx",
    "libgcc_s.so.1": "dep:virtual/compiler/c",
    "libgfortran.so.5": "dep:virtual/compiler/fortran",
    "libgfortran.so.4": "dep:virtual/compiler/fortran",
    "libgfortran.so.3": "dep:virtual/compiler/fortran",
    "libquadmath.so.0": "dep:virtual/compiler/fortran",
    "libgomp.so.1": "dep:virtual/interface/openmp",
}


def _anchor(doc: PyprojectDocument) -> tuple[int, int]:
    external = doc.external
    if external.headers:
        h = external.headers[0]
        return h.start, h.end
    if external.entries:
        kv = external.entries[0]
        return kv.key_start, kv.key_end
    for header in doc.tree.headers:
        if header.path == ("project",):
            return header.start, header.end
    return 0, 0


def depurl_for_soname(soname: str, index: DataIndex) -> str | None:
    if soname in COMPILER_RUNTIMES:
        return COMPILER_RUNTIMES[soname]
    candidates = index.soname_depurls(soname)
    return candidates[0] if candidates else None


def check(doc: PyprojectDocument, index: DataIndex, context: CheckContext) -> Iterator[Finding]:
    scan = context.venv
    if scan is None or not scan.missing:
        return
    declared = declared_ids(doc, index)
    by_depurl: dict[str, list] = {}
    unknown = []
    for needed in scan.missing:
        depurl_id = depurl_for_soname(needed.soname, index)
        if depurl_id is None:
            unknown.append(needed)
        elif depurl_id not in declared and index.canonical_target(depurl_id) not in declared:
            by_depurl.setdefault(depurl_id, []).append(needed)
    start, end = _anchor(doc)
    primary = ["host-requires", "dependencies"] if builds_native_code(doc) else ["dependencies", "host-requires"]
    for depurl_id, libs in by_depurl.items():
        sonames = ", ".join(lib.soname for lib in libs)
        files = sorted({f for lib in libs for f in lib.needed_by})
        users = files[0] + (f" and {len(files) - 1} more" if len(files) > 1 else "")
        fixes = tuple(
            Fix(f"Add {depurl_id} to [external].{key}", (), safe=False, preferred=i == 0,
                additions=(Addition(key, depurl_id),))
            for i, key in enumerate(primary)
        )
        yield Finding(
            "venv-missing-library",
            f"{sonames} (needed by {users} in {scan.venv.name}) comes from outside the virtualenv: declare `{depurl_id}`",
            start, end, fixes,
            {"depurls": [depurl_id], "sonames": [lib.soname for lib in libs], "files": files},
        )
    for needed in unknown:
        yield Finding(
            "venv-missing-library",
            f"{needed.soname} (needed by {needed.needed_by[0]}) comes from outside the virtualenv, "
            "and no DepURL is known for it",
            start, end, (), {"sonames": [needed.soname], "files": list(needed.needed_by)},
        )
