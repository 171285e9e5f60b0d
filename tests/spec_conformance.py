"""Disagreement classes of the differential tests, each a property of the input string.

A disagreement is a specifier that pep725-ls rejects and the other side accepts, or the
reverse. Each class says which side rejects and holds a predicate on the input alone,
written here from the spec texts (not by calling pep725-ls): a class can never absorb an
input because pep725-ls happened to say something about it. docs/spec-conformance.md
documents every class (spec sentence, who is right) with its counts; the tests compare.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, Specifier
from packaging.version import InvalidVersion, Version

DOC = Path(__file__).parents[1] / "docs/spec-conformance.md"
PURL_TYPES_DIR = Path(__file__).parents[1] / "server/pep725_ls/data/purl-types"
PEP725_LS, OTHER = "pep725-ls", "other"
_WSP = " \t"


@dataclass(frozen=True)
class Pieces:
    """The components of a specifier as a plain reading of the grammar finds them."""

    text: str
    depurl: str  # without the marker and the PEP 508 wsp around it
    marker: str | None
    scheme: str
    type: str
    segments: list[str]  # namespace segments and the name, as written
    version: str | None
    qualifiers: str | None
    subpath: str | None


def pieces(text: str) -> Pieces:
    depurl, sep, marker = text.partition(";")
    depurl = depurl.strip(_WSP)
    scheme, _, rest = depurl.partition(":")
    rest = rest.lstrip("/")
    rest, hash_, subpath = rest.partition("#")
    rest, q, qualifiers = rest.partition("?")
    at = rest.rfind("@")
    version = None
    if at >= 0 and "/" not in rest[at + 1 :]:
        rest, version = rest[:at], rest[at + 1 :]
    type_, _, path = rest.partition("/")
    return Pieces(text, depurl, marker if sep else None, scheme, type_, path.split("/") if path else [],
                  version, qualifiers if q else None, subpath if hash_ else None)


def _types() -> dict[str, dict]:
    return {d["type"]: d for d in (json.loads(p.read_text()) for p in PURL_TYPES_DIR.glob("*-definition.json"))}


PURL_TYPES = _types()


# -- predicates ---------------------------------------------------------------------------

def _control(p: Pieces) -> bool:
    marker = (p.marker or "").strip(_WSP)
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in p.depurl + marker)


def _inner_space(p: Pieces) -> bool:
    return any(c.isspace() for c in p.depurl)


def _non_ascii(p: Pieces) -> bool:
    return any(ord(c) > 127 for c in p.depurl)


def _leading_wsp(p: Pieces) -> bool:
    return p.text[:1] in (" ", "\t") and p.text.strip(_WSP) != ""


def _bad_marker(p: Pieces) -> bool:
    if p.marker is None:
        return False
    try:
        Marker(p.marker.strip(_WSP))
    except InvalidMarker:
        return True
    return False


def _clause_ok(clause: str) -> bool:
    m = re.fullmatch(r"\s*(>=|<=|==|>|<)?\s*(.*?)\s*", clause)
    op, version = m.group(1), m.group(2)
    try:
        Specifier(op + version) if op else Version(version)
    except (InvalidSpecifier, InvalidVersion):
        return False
    return True


def _version_not_pep440(p: Pieces) -> bool:
    """PEP 725: "a PEP 440 single version or range"; each clause a specifier (local only with ==)."""
    if not p.version:
        return False
    decoded = unquote(p.version)
    if re.search(r"~=|!=|===|\*", decoded):
        return False  # a forbidden operator: both sides reject it
    return not all(_clause_ok(c) for c in decoded.split(","))


def _empty_version(p: Pieces) -> bool:
    return p.version == ""


def _empty_segment(p: Pieces) -> bool:
    """An empty namespace segment ('//') or an empty name (a trailing '/')."""
    return "" in p.segments


def _bad_subpath(p: Pieces) -> bool:
    if p.subpath is None:
        return False
    segments = p.subpath.strip("/").split("/")
    return any(s in ("", ".", "..") or "/" in unquote(s) for s in segments)


def _qualifier_pairs(p: Pieces) -> list[tuple[str, str, bool]]:
    return [(k, v, bool(eq)) for k, eq, v in (pair.partition("=") for pair in (p.qualifiers or "").split("&"))]


def _qualifier_key_case(p: Pieces) -> bool:
    return any(k != k.lower() for k, _, _ in _qualifier_pairs(p)) if p.qualifiers else False


def _qualifier_empty(p: Pieces) -> bool:
    """'?' with nothing after it, 'key=' with no value, or '=value' with no key."""
    if p.qualifiers is None:
        return False
    return p.qualifiers == "" or any(eq and (not k or not v) for k, v, eq in _qualifier_pairs(p))


def _qualifier_malformed(p: Pieces) -> bool:
    if not p.qualifiers:
        return False
    return any(not eq or not re.fullmatch(r"[A-Za-z][A-Za-z0-9._-]*", k) for k, _, eq in _qualifier_pairs(p))


def _qualifier_duplicate(p: Pieces) -> bool:
    keys = [k.lower() for k, _, _ in _qualifier_pairs(p)] if p.qualifiers else []
    return len(keys) != len(set(keys))


def _bad_percent(p: Pieces) -> bool:
    if re.search(r"%(?![0-9A-Fa-f]{2})", p.depurl):
        return True
    return any("/" in unquote(s) for s in p.segments)


def _type_charset(p: Pieces) -> bool:
    return p.scheme == "dep" and not re.fullmatch(r"[A-Za-z][A-Za-z0-9.-]*", p.type)


def _virtual_case(p: Pieces) -> bool:
    return p.type.lower() == "virtual" and any(s != s.lower() for s in p.segments)


def _at_inside_segment(p: Pieces) -> bool:
    """A literal '@' in a namespace or name other than an npm-style scope's first character."""
    return any("@" in (s[1:] if i < len(p.segments) - 1 else s) for i, s in enumerate(p.segments))


def _type_definition_field(p: Pieces) -> bool:
    """The purl type definition's fields say no: namespace requirement, permitted_characters
    of name or version, a required qualifier."""
    d = PURL_TYPES.get(p.type.lower())
    if d is None or not p.segments:
        return False
    has_namespace = len(p.segments) > 1
    requirement = (d.get("namespace_definition") or {}).get("requirement")
    if (requirement == "required" and not has_namespace) or (requirement == "prohibited" and has_namespace):
        return True
    name_chars = (d.get("name_definition") or {}).get("permitted_characters")
    if name_chars and not re.search(name_chars, unquote(p.segments[-1])):
        return True
    version_chars = (d.get("version_definition") or {}).get("permitted_characters")
    if version_chars and p.version and not all(
        re.search(version_chars, c.strip().lstrip("<>=!~").strip()) for c in unquote(p.version).split(",")
    ):
        return True
    keys = {k for k, _, _ in _qualifier_pairs(p)} if p.qualifiers else set()
    return any(q.get("requirement") == "required" and q["key"] not in keys for q in d.get("qualifiers_definition") or ())


def _prose_type_rule(p: Pieces) -> bool:
    """The type definition states a rule for the name only in prose ("shall"), no field."""
    d = PURL_TYPES.get(p.type.lower()) or {}
    return "shall" in ((d.get("name_definition") or {}).get("note") or "")


@dataclass(frozen=True)
class DisagreementClass:
    id: str
    rejected_by: str  # PEP725_LS: pep725-ls rejects, the other side accepts; OTHER: the reverse
    holds: Callable[[Pieces], bool]


# Order matters only where one input has several properties: the first class that holds
# (for the side that rejects) takes the input.
CLASSES = [
    DisagreementClass("control-character", PEP725_LS, _control),
    DisagreementClass("inner-whitespace", PEP725_LS, _inner_space),
    DisagreementClass("non-ascii", PEP725_LS, _non_ascii),
    DisagreementClass("invalid-marker", PEP725_LS, _bad_marker),
    DisagreementClass("version-not-pep440", PEP725_LS, _version_not_pep440),
    DisagreementClass("empty-version", PEP725_LS, _empty_version),
    DisagreementClass("percent-escape", PEP725_LS, _bad_percent),
    DisagreementClass("empty-path-segment", PEP725_LS, _empty_segment),
    DisagreementClass("subpath-segment", PEP725_LS, _bad_subpath),
    DisagreementClass("qualifier-empty", PEP725_LS, _qualifier_empty),
    DisagreementClass("qualifier-key-case", PEP725_LS, _qualifier_key_case),
    DisagreementClass("qualifier-malformed", PEP725_LS, _qualifier_malformed),
    DisagreementClass("qualifier-duplicate-key", PEP725_LS, _qualifier_duplicate),
    DisagreementClass("type-charset", PEP725_LS, _type_charset),
    DisagreementClass("virtual-case", PEP725_LS, _virtual_case),
    DisagreementClass("at-inside-name", PEP725_LS, _at_inside_segment),
    DisagreementClass("type-definition-field", PEP725_LS, _type_definition_field),
    DisagreementClass("leading-whitespace", OTHER, _leading_wsp),
    DisagreementClass("type-definition-prose", OTHER, _prose_type_rule),
]


def classify(disagreements: list[tuple[str, bool]]) -> tuple[dict[str, list[str]], list[tuple[str, bool]]]:
    """``(text, pep725_ls_rejects)`` pairs -> (class id -> inputs, unclassified pairs)."""
    found: dict[str, list[str]] = {}
    unclassified = []
    for text, we_reject in disagreements:
        p = pieces(text)
        side = PEP725_LS if we_reject else OTHER
        match = next((c for c in CLASSES if c.rejected_by == side and c.holds(p)), None)
        if match is None:
            unclassified.append((text, we_reject))
        else:
            found.setdefault(match.id, []).append(text)
    return found, unclassified


def documented_counts(column: str) -> dict[str, int]:
    """Class id -> count from the table of docs/spec-conformance.md, for one column
    ("pyproject-external" or "purl-spec suite")."""
    lines = DOC.read_text("utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| class |"))
    columns = [c.strip() for c in lines[header].strip("|").split("|")]
    at = columns.index(column)
    counts = {}
    for line in lines[header + 2 :]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        m = re.fullmatch(r"`([a-z0-9-]+)`", cells[0])
        if m:
            counts[m.group(1)] = int(cells[at] or 0)
    return counts


def report(found: dict[str, list[str]], unclassified: list[tuple[str, bool]], documented: dict[str, int]) -> str:
    lines = [f"{len(unclassified)} undocumented disagreements (add a class to tests/spec_conformance.py and docs/spec-conformance.md, or fix pep725-ls):"]
    lines += [f"  {'pep725-ls' if r else 'other'} rejects {t!r}" for t, r in unclassified[:40]]
    measured = {k: len(v) for k, v in found.items()}
    for cid in sorted(set(measured) | {k for k, v in documented.items() if v}):
        if measured.get(cid, 0) != documented.get(cid, 0):
            lines.append(f"  class {cid}: measured {measured.get(cid, 0)}, documented {documented.get(cid, 0)}; e.g. {found.get(cid, [''])[:3]}")
    return "\n".join(lines)
