"""Native libraries that the project's Python dependencies need, but [external] lacks.

psycopg2 links against libpq, lxml against libxml2 and libxslt: a project that depends on
them needs those libraries at run time (``dependencies``), or to build against them when
they are build requirements (``host-requires``). Requirements are read from
``[project].dependencies``, ``[project].optional-dependencies``, ``[dependency-groups]``
and ``[build-system].requires``; names are compared PEP 503-normalised; a requirement's
marker is carried over to the DepURL; extras and groups land in the matching
``[external]`` table. The binary-wheel variants of a project (psycopg2-binary) get information, not a warning.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from packaging.requirements import InvalidRequirement, Requirement

from ..data_index import DataIndex
from ..document import PyprojectDocument
from ..edits import Fix
from ..external_edits import Addition
from ..tolerant_toml import ArrayNode, StringNode
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


def check(doc: PyprojectDocument, index: DataIndex) -> Iterator[Finding]:
    declared: set[str] | None = None
    for req in python_requirements(doc):
        native = index.pypi_native(req.requirement.name)
        if native is None:
            continue
        wanted = list(dict.fromkeys(native.host + native.dependencies))
        if not wanted:
            continue
        if declared is None:
            declared = declared_ids(doc, index)
        missing = [d for d in wanted if index.canonical_target(d) not in declared and d not in declared]
        if not missing:
            continue
        marker = f"; {req.requirement.marker}" if req.requirement.marker else ""
        names = ", ".join(short_name(d) for d in missing)
        ids = ", ".join(f"`{d}`" for d in missing)
        name = req.requirement.name
        fixes = tuple(
            Fix(
                f"Add {', '.join(missing)} to [external].{key}{'.' + group if group else ''}",
                (),
                safe=False,
                preferred=i == 0,
                additions=tuple(Addition(key, d + marker, group) for d in missing),
            )
            for i, (key, group) in enumerate(_targets(req))
        )
        data = {"depurls": missing, "project": native.project}
        if native.binary_of:
            yield Finding(
                "bundled-native-library",
                f"{name} is the binary-wheel build of {native.binary_of} and bundles {names}; "
                f"declare {ids} only if you build {native.binary_of} from source",
                req.string.start, req.string.end, fixes, data,
            )
        else:
            bundled = " (its wheels bundle copies; source builds and NixOS need the system's)" if native.bundles else ""
            yield Finding(
                "missing-external-dependency",
                f"{name} links against {names}: declare {ids} in [external]{bundled}",
                req.string.start, req.string.end, fixes, data,
            )
