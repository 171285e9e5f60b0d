"""Native libraries that the project's Python dependencies need, but [external] lacks.

psycopg2 links against libpq, lxml against libxml2 and libxslt: a project that depends on
them needs those libraries at run time (``dependencies``), or to build against them when
they are build requirements (``host-requires``). Requirements are read from
``[project].dependencies``, ``[project].optional-dependencies``, ``[dependency-groups]``
and ``[build-system].requires``; names are compared PEP 503-normalised; a requirement's
marker is carried over to the DepURL; extras and groups land in the matching
``[external]`` table. The binary-wheel variants of a project (psycopg2-binary) get information, not a warning.
Each DepURL carries its kind (pypi_native_deps.py); the ``missingDependencies.install``
setting decides whether a wheel user is told only what the wheels need, or everything.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..data_index import DataIndex
from ..document import PyprojectDocument
from ..edits import Fix
from ..external_edits import Addition
from ..pypi_native_deps import BUILD, HOST, OPTIONAL, RUNTIME
from ..tolerant_toml import ArrayNode, StringNode
from .build_backend import reported_by_build_tool
from .context import CheckContext
from .declared import declared_ids, short_name
from .finding import Finding


@dataclass(frozen=True, slots=True)
class PythonRequirement:
    """One requirement string of the file and where it sits."""

    string: StringNode
    requirement: Requirement
    section: str  # "project", "optional", "group", "build-system"
    group: str | None = None


@lru_cache(maxsize=2048)  # the same strings come back at every version of the file
def _requirement(text: str) -> Requirement | None:
    """The parsed PEP 508 requirement (shared: never modify it), or None if it is not one."""
    try:
        return Requirement(text)
    except InvalidRequirement:
        return None


def python_requirements(doc: PyprojectDocument) -> Iterator[PythonRequirement]:
    for kv in doc.entries:
        path = kv.path
        if path == ("project", "dependencies"):
            where = ("project", None)
        elif len(path) == 3 and path[:2] == ("project", "optional-dependencies"):
            where = ("optional", path[2])
        elif len(path) == 2 and path[0] == "dependency-groups":
            where = ("group", path[1])
        elif path == ("build-system", "requires"):
            where = ("build-system", None)
        else:
            continue
        if not isinstance(kv.value, ArrayNode):
            continue
        for item in kv.value.items:
            if not isinstance(item, StringNode) or not item.terminated:
                continue
            requirement = _requirement(item.value)
            if requirement is None:
                continue
            yield PythonRequirement(item, requirement, where[0], where[1])


def _targets(req: PythonRequirement) -> list[tuple[str, str | None]]:
    """Where the DepURLs go, best first: (key, group)."""
    if req.section == "optional":
        return [("optional-dependencies", req.group), ("optional-host-requires", req.group)]
    if req.section == "group":
        return [("dependency-groups", req.group)]
    if req.section == "build-system":
        return [("host-requires", None), ("dependencies", None)]
    return [("dependencies", None), ("host-requires", None)]


NEEDS_CONTEXT = True
# where a build-kind DepURL goes when the fix targets a run-time or host table
_BUILD_KEY = {"dependencies": "build-requires", "host-requires": "build-requires",
              "optional-dependencies": "optional-build-requires", "optional-host-requires": "optional-build-requires"}

_KIND_WORDS = {HOST: "links against", RUNTIME: "loads at run time", BUILD: "builds with", OPTIONAL: "can use"}


def _fix(ids: list[str], kinds: dict[str, str], key: str, group: str | None, marker: str, preferred: bool) -> Fix:
    """Add the DepURLs to ``key`` (build-kind ones to the matching build table), one title."""
    by_key: dict[str, list[str]] = {}
    for d in ids:
        by_key.setdefault(_BUILD_KEY.get(key, key) if kinds[d] == BUILD else key, []).append(d)
    where = " and ".join(f"{', '.join(ds)} to [external].{k}{'.' + group if group else ''}" for k, ds in by_key.items())
    return Fix(f"Add {where}", (), safe=False, preferred=preferred,
               additions=tuple(Addition(k, d + marker, group) for k, ds in by_key.items() for d in ds))


def check(doc: PyprojectDocument, index: DataIndex, context: CheckContext) -> Iterator[Finding]:
    declared: set[str] | None = None
    for req in python_requirements(doc):
        native = index.pypi_native(req.requirement.name)
        if native is None:
            continue
        if native.binary_of:
            wanted = [(d, HOST) for d in native.host]
        else:
            wanted = native.needed(context.install, frozenset(req.requirement.extras))
        if req.section == "build-system":
            # maturin's Rust compiler is missing-build-tool's finding; one diagnostic, not two
            speaks_for = reported_by_build_tool(canonicalize_name(req.requirement.name))
            wanted = [(d, k) for d, k in wanted if d not in speaks_for]
        if not wanted:
            continue
        if declared is None:
            declared = declared_ids(doc, index)
        missing = [(d, k) for d, k in wanted if index.canonical_target(d) not in declared and d not in declared]
        if not missing:
            continue
        ids_only = [d for d, _ in missing]
        kinds = {d: k for d, k in missing}
        marker = f"; {req.requirement.marker}" if req.requirement.marker else ""
        ids = ", ".join(f"`{d}`" for d in ids_only)
        name = req.requirement.name
        fixes: list[Fix] = []
        for key, group in _targets(req):
            fix = _fix(ids_only, kinds, key, group, marker, preferred=not fixes)
            # build-kind DepURLs go to the build table whichever table is the target
            if all(fix.additions != other.additions for other in fixes):
                fixes.append(fix)
        fixes = tuple(fixes)
        data = {"depurls": ids_only, "project": native.project, "kinds": kinds, "install": context.install}
        evidence = {d: e for d in ids_only if (e := native.evidence_for(d))}
        if evidence:
            data["evidence"] = evidence
        if native.binary_of:
            names = ", ".join(short_name(d) for d in ids_only)
            yield Finding(
                "bundled-native-library",
                f"{name} is the binary-wheel build of {native.binary_of} and bundles {names}; "
                f"declare {ids} only if you build {native.binary_of} from source",
                req.string.start, req.string.end, fixes, data,
            )
            continue
        parts = []
        for kind in (RUNTIME, HOST, BUILD, OPTIONAL):
            these = [short_name(d) for d, k in missing if k == kind]
            if these:
                parts.append(f"{_KIND_WORDS[kind]} {', '.join(these)} ({kind})")
        how = ("its wheels expect these from the system" if context.install == "wheels" and native.has_wheel
               else "a source build needs these")
        bundled = [short_name(d) for d, k in missing if k == HOST and d in native.bundled]
        note = f"; its wheels bundle {', '.join(bundled)}" if bundled else ""
        yield Finding(
            "missing-external-dependency",
            f"{name} {'; '.join(parts)}: declare {ids} in [external] ({how}{note})",
            req.string.start, req.string.end, fixes, data,
        )
