"""The DepURL model of PEP 725: ``dep:type/namespace/name@version?qualifiers#subpath; marker``.

Parses one external dependency specifier into its parts, each with its span inside the
string, and says precisely which part is wrong. PURL component rules come from
packageurl-python; markers and versions from ``packaging``. The 2023 draft forms
``pkg:…`` and ``virtual:…`` are recognised as legacy, with their ``dep:`` equivalent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from packageurl import PackageURL, normalize_qualifiers, normalize_subpath
from packageurl.validate import DEFINITIONS_BY_TYPE
from packaging.markers import InvalidMarker, Marker
from packaging.version import InvalidVersion, Version

SCHEME = "dep:"
VIRTUAL = "virtual"
VIRTUAL_NAMESPACES = ("compiler", "interface")
# PURL types (packageurl-python's list) plus PEP 725's own "virtual".
KNOWN_TYPES: dict[str, str] = {VIRTUAL: "Virtual dependency (compiler or interface)"} | {
    name: definition.type_name for name, definition in DEFINITIONS_BY_TYPE.items()
}

_TYPE = re.compile(r"[A-Za-z.+-][A-Za-z0-9.+-]*")
_QUALIFIER_KEY = re.compile(r"[A-Za-z][A-Za-z0-9._-]*")
_ALLOWED_OPERATORS = (">=", "<=", "==", ">", "<")
_CLAUSE = re.compile(r"\s*(~=|===|!=|>=|<=|==|>|<|=)?\s*(\S*?)\s*")


@dataclass(frozen=True, slots=True)
class Part:
    """A component's text and its span ``start:end`` within the specifier string."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with a specifier. ``code`` is a diagnostic code of codes.py."""

    code: str
    message: str
    start: int
    end: int
    part: str


@dataclass(frozen=True, slots=True)
class ExternalSpecifier:
    """One parsed entry of an ``[external]`` list.

    ``type``/``namespace``/``name``/… are None where absent. ``legacy_replacement`` is the
    ``dep:`` spelling of a 2023-draft ``pkg:``/``virtual:`` string (marker kept).
    """

    text: str
    scheme: Part | None = None
    type: Part | None = None
    namespace: Part | None = None
    name: Part | None = None
    version: Part | None = None
    qualifiers: Part | None = None
    subpath: Part | None = None
    marker: Part | None = None
    problems: tuple[Problem, ...] = ()
    legacy_replacement: str | None = None

    @property
    def is_virtual(self) -> bool:
        return self.type is not None and self.type.text.lower() == VIRTUAL

    @property
    def is_valid(self) -> bool:
        return not self.problems

    @property
    def package_id(self) -> str | None:
        """``dep:type/namespace/name`` without version, qualifiers, subpath or marker."""
        if self.type is None or self.name is None:
            return None
        parts = [self.type.text.lower()]
        if self.namespace is not None and self.namespace.text:
            parts.append(self.namespace.text)
        parts.append(self.name.text)
        return SCHEME + "/".join(parts)

    @property
    def registry_id(self) -> str | None:
        """The id as the PEP 804 registry spells it: package id plus qualifiers."""
        base = self.package_id
        if base is None:
            return None
        if self.qualifiers is not None and self.qualifiers.text:
            return f"{base}?{self.qualifiers.text}"
        return base

    @property
    def depurl_span(self) -> tuple[int, int]:
        """The span of the DepURL without the marker and surrounding spaces."""
        end = self.marker.start - 1 if self.marker is not None else len(self.text)
        while end > 0 and self.text[end - 1] in " \t;":
            end -= 1
        start = len(self.text) - len(self.text.lstrip())
        return start, max(start, end)


@dataclass(slots=True)
class _Builder:
    text: str
    parts: dict[str, Part | None] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    legacy: str | None = None

    def problem(self, code: str, message: str, start: int, end: int, part: str) -> None:
        self.problems.append(Problem(code, message, start, max(end, start), part))

    def build(self) -> ExternalSpecifier:
        return ExternalSpecifier(
            self.text, **self.parts, problems=tuple(self.problems), legacy_replacement=self.legacy
        )


@lru_cache(maxsize=4096)  # the same strings are parsed again at every version of a file
def parse(text: str) -> ExternalSpecifier:
    """Parse and validate one specifier. Never raises. The result is immutable (and shared)."""
    b = _Builder(text)
    depurl_end = len(text)
    semicolon = text.find(";")
    if semicolon >= 0:
        depurl_end = semicolon
        _parse_marker(b, text, semicolon + 1)
    lead = len(text) - len(text.lstrip())
    body_end = depurl_end
    while body_end > lead and text[body_end - 1] in " \t":
        body_end -= 1
    body = text[lead:body_end]
    if not body:
        b.problem("invalid-depurl", "empty specifier: expected a DepURL such as dep:generic/zlib", 0, len(text), "scheme")
        return b.build()

    if body.startswith(SCHEME):
        b.parts["scheme"] = Part(SCHEME, lead, lead + len(SCHEME))
        _parse_after_scheme(b, lead + len(SCHEME), body_end)
        return b.build()

    legacy_prefix = _legacy_prefix(body)
    if legacy_prefix is not None:
        old, new = legacy_prefix
        b.parts["scheme"] = Part(old, lead, lead + len(old))
        replacement_body = new + body[len(old) :]
        b.legacy = text[:lead] + replacement_body + text[body_end:]
        b.problem(
            "legacy-depurl",
            f"'{old}' is the 2023 draft form; PEP 725 now writes '{replacement_body}'",
            lead,
            body_end,
            "scheme",
        )
        # Validate the rest as the dep: form would be, so real problems still show,
        # mapped back onto the legacy text.
        shift = lead + len(old) - len(new)
        sub = parse(replacement_body)
        for p in sub.problems:
            b.problem(p.code, p.message, max(lead, p.start + shift), max(lead, p.end + shift), p.part)
        for name in ("type", "namespace", "name", "version", "qualifiers", "subpath"):
            part = getattr(sub, name)
            if part is not None:
                b.parts[name] = Part(part.text, max(lead, part.start + shift), max(lead, part.end + shift))
        return b.build()

    colon = body.find(":")
    if 0 < colon < 16 and _TYPE.fullmatch(body[:colon]):
        b.problem(
            "invalid-depurl",
            f"unknown scheme '{body[:colon]}:'; a DepURL starts with 'dep:'",
            lead,
            lead + colon + 1,
            "scheme",
        )
    else:
        b.problem(
            "invalid-depurl",
            "not a DepURL: it must start with 'dep:' (e.g. dep:generic/zlib)",
            lead,
            body_end,
            "scheme",
        )
    return b.build()


def _legacy_prefix(body: str) -> tuple[str, str] | None:
    if body.startswith("pkg:"):
        return "pkg:", SCHEME
    if body.startswith("virtual:"):
        return "virtual:", SCHEME + "virtual/"
    return None


def _parse_marker(b: _Builder, text: str, start: int) -> None:
    raw = text[start:]
    lead = len(raw) - len(raw.lstrip())
    stripped = raw.strip()
    m_start = start + lead
    m_end = m_start + len(stripped)
    b.parts["marker"] = Part(stripped, m_start, m_end)
    if not stripped:
        b.problem("invalid-marker", "empty environment marker after ';'", start - 1, len(text), "marker")
        return
    try:
        Marker(stripped)
    except InvalidMarker as exc:
        reason = str(exc).splitlines()[0]
        b.problem("invalid-marker", f"invalid environment marker: {reason}", m_start, m_end, "marker")


def _parse_after_scheme(b: _Builder, start: int, end: int) -> None:
    text = b.text
    rest_end = end
    hash_at = text.find("#", start, end)
    if hash_at >= 0:
        b.parts["subpath"] = Part(text[hash_at + 1 : end], hash_at + 1, end)
        rest_end = hash_at
        _check_subpath(b, b.parts["subpath"])
    q_at = text.find("?", start, rest_end)
    if q_at >= 0:
        b.parts["qualifiers"] = Part(text[q_at + 1 : rest_end], q_at + 1, rest_end)
        _check_qualifiers(b, b.parts["qualifiers"])
        rest_end = q_at
    at = text.rfind("@", start, rest_end)
    if at >= 0:
        b.parts["version"] = Part(text[at + 1 : rest_end], at + 1, rest_end)
        _check_version(b, b.parts["version"])
        rest_end = at

    path = text[start:rest_end]
    if not path:
        b.problem("invalid-depurl", "missing type and name after 'dep:' (e.g. dep:generic/zlib)", start - 4, rest_end, "type")
        return
    segments: list[Part] = []
    pos = start
    for seg in path.split("/"):
        segments.append(Part(seg, pos, pos + len(seg)))
        pos += len(seg) + 1
    type_part = segments[0]
    b.parts["type"] = type_part
    if not type_part.text:
        b.problem("invalid-depurl", "missing type: expected e.g. 'generic' or 'virtual' after 'dep:'", start, start, "type")
    elif not _TYPE.fullmatch(type_part.text):
        b.problem("invalid-depurl", f"invalid type '{type_part.text}': a PURL type has only letters, digits, '.', '+', '-'", type_part.start, type_part.end, "type")
    elif type_part.text.lower() not in KNOWN_TYPES:
        b.problem("unknown-type", f"unknown type '{type_part.text}': not a PURL type nor 'virtual'", type_part.start, type_part.end, "type")

    if len(segments) < 2 or not segments[-1].text:
        where = segments[-1] if len(segments) > 1 else Part("", type_part.end, type_part.end)
        b.problem("invalid-depurl", f"missing name after 'dep:{path}'", where.start, where.end, "name")
        if len(segments) > 2:
            b.parts["namespace"] = _join(segments[1:-1])
        return
    name = segments[-1]
    b.parts["name"] = name
    if len(segments) > 2:
        namespace = _join(segments[1:-1])
        b.parts["namespace"] = namespace
        if any(not s.text for s in segments[1:-1]):
            b.problem("invalid-depurl", "empty namespace segment ('//')", namespace.start, namespace.end, "namespace")

    if type_part.text.lower() == VIRTUAL:
        _check_virtual(b, segments)
    else:
        try:
            PackageURL(type=type_part.text.lower(), namespace=b.parts.get("namespace") and b.parts["namespace"].text or None, name=name.text)
        except ValueError as exc:
            b.problem("invalid-depurl", f"invalid name: {exc}", name.start, name.end, "name")


def _join(segments: list[Part]) -> Part:
    return Part("/".join(s.text for s in segments), segments[0].start, segments[-1].end)


def _check_virtual(b: _Builder, segments: list[Part]) -> None:
    if len(segments) != 3:
        span = _join(segments[1:]) if len(segments) > 1 else segments[0]
        b.problem("invalid-depurl", "a virtual DepURL is dep:virtual/<compiler|interface>/<name>", span.start, span.end, "namespace")
        return
    namespace, name = segments[1], segments[2]
    if namespace.text.lower() not in VIRTUAL_NAMESPACES:
        b.problem(
            "unknown-name",
            f"unknown virtual namespace '{namespace.text}': expected 'compiler' or 'interface'",
            namespace.start,
            namespace.end,
            "namespace",
        )
    elif namespace.text != namespace.text.lower():
        b.problem("invalid-depurl", f"virtual namespace must be lowercase: '{namespace.text.lower()}'", namespace.start, namespace.end, "namespace")
    if name.text != name.text.lower():
        b.problem("invalid-depurl", f"virtual names are lowercase: '{name.text.lower()}'", name.start, name.end, "name")


def _check_version(b: _Builder, part: Part) -> None:
    if not part.text.strip():
        b.problem("invalid-depurl", "empty version after '@'", part.start - 1, part.end, "version")
        return
    pos = part.start
    for clause in part.text.split(","):
        c_start, c_end = pos, pos + len(clause)
        pos = c_end + 1
        m = _CLAUSE.fullmatch(clause)
        op, version = (m.group(1), m.group(2)) if m else (None, clause.strip())
        if op is not None and op not in _ALLOWED_OPERATORS:
            b.problem(
                "unsupported-version-operator",
                f"'{op}' is not allowed in a DepURL version; use >=, >, <, <= or == joined by ','",
                c_start,
                c_end,
                "version",
            )
            continue
        if not version:
            b.problem("invalid-depurl", f"missing version after '{op or ','}'", c_start, c_end, "version")
            continue
        if "*" in version:
            b.problem("unsupported-version-operator", "wildcards ('*') are not allowed in a DepURL version", c_start, c_end, "version")
            continue
        try:
            Version(version)
        except InvalidVersion:
            b.problem("invalid-depurl", f"invalid version '{version}' (PEP 440)", c_start, c_end, "version")


def _check_qualifiers(b: _Builder, part: Part) -> None:
    if not part.text:
        return
    for pair in part.text.split("&"):
        key, eq, value = pair.partition("=")
        if not eq or not _QUALIFIER_KEY.fullmatch(key) or not value:
            b.problem("invalid-depurl", f"invalid qualifier '{pair}': expected key=value with a key of letters, digits, '.', '-', '_'", part.start, part.end, "qualifiers")
            return
    try:
        normalize_qualifiers(part.text, encode=False)
    except ValueError as exc:
        b.problem("invalid-depurl", f"invalid qualifiers: {exc}", part.start, part.end, "qualifiers")


def _check_subpath(b: _Builder, part: Part) -> None:
    segments = part.text.strip("/").split("/")
    if not part.text.strip("/") or any(s in ("", ".", "..") for s in segments):
        b.problem("invalid-depurl", "invalid subpath: segments may not be empty, '.' or '..'", part.start, part.end, "subpath")
    else:
        normalize_subpath(part.text, encode=False)


def version_satisfied_by(version_range: str, version: str) -> bool | None:
    """Whether ``version`` satisfies a DepURL version (a range or a single version).

    None when either side cannot be read as PEP 440.
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    clauses = [c.strip() for c in version_range.split(",")]
    spec = ",".join(c if c[:1] in "<>=" else f"=={c}" for c in clauses)
    try:
        return Version(version) in SpecifierSet(spec)
    except (InvalidSpecifier, InvalidVersion):
        return None
