"""The DepURL model of PEP 725: ``dep:type/namespace/name@version?qualifiers#subpath; marker``.

Parses one external dependency specifier into its parts, each with its span inside the
string, and says precisely which part is wrong. Component rules follow the purl
specification (ECMA-427, the vendored purl-spec type list in data/purl-types/); versions
are PEP 440 ``Specifier`` clauses and markers PEP 508 ``Marker`` objects from ``packaging``.
The 2023 draft forms ``pkg:…`` and ``virtual:…`` are recognised as legacy, with their
``dep:`` equivalent. docs/spec-conformance.md says where and why this differs from
packageurl-python and pyproject-external.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from packageurl import PackageURL
from packaging.markers import InvalidMarker, Marker
from packaging.specifiers import InvalidSpecifier, Specifier
from packaging.version import InvalidVersion, Version

SCHEME = "dep:"
VIRTUAL = "virtual"
VIRTUAL_NAMESPACES = ("compiler", "interface")


def _purl_type_definitions() -> dict[str, dict]:  # pragma: no mutate block
    """The purl-spec type definitions (vendored: packageurl-python lags the spec's list).

    Runs once, at import, before mutation testing can switch a mutant on (the pragma);
    test_purl_spec_suite.py checks what it loads."""
    folder = Path(__file__).parent / "data" / "purl-types"
    definitions = {}
    for path in sorted(folder.glob("*-definition.json")):
        definition = json.loads(path.read_text("utf-8"))
        definitions[definition["type"]] = definition
    return definitions


PURL_TYPES: dict[str, dict] = _purl_type_definitions()
# PURL types plus PEP 725's own "virtual": type -> what it is, for completion and hover.
KNOWN_TYPES: dict[str, str] = {VIRTUAL: "Virtual dependency (compiler or interface)"} | {
    name: d.get("type_name") or d.get("description") or name for name, d in PURL_TYPES.items()
}


def ids_fold_case(type_: str) -> bool:
    """Whether two ids of this purl type that differ only in case name one package: its
    definition says the name is not case sensitive, and the namespace is not either."""
    definition = PURL_TYPES.get(type_.lower(), {})
    name = (definition.get("name_definition") or {}).get("case_sensitive")
    namespace = (definition.get("namespace_definition") or {}).get("case_sensitive")
    return name is False and namespace is not True


# purl: "The package type shall be composed only of ASCII letters and numbers, period '.',
# and dash '-'." and "shall start with an ASCII letter."
_TYPE = re.compile(r"[A-Za-z][A-Za-z0-9.-]*")
# purl: "The key shall be composed only of lowercase ASCII letters and numbers, period
# '.', dash '-' and underscore '_'" and "shall start with an ASCII letter" (the purl-spec
# suite's required tests reject 'Platform=java').
_QUALIFIER_KEY = re.compile(r"[a-z][a-z0-9._-]*")
_ALLOWED_OPERATORS = (">=", "<=", "==", ">", "<")
_ORDERED_OPERATORS = (">=", "<=", ">", "<")
_CLAUSE = re.compile(r"\s*(~=|===|!=|>=|<=|==|>|<|=)?\s*(\S*?)\s*")
_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
# PEP 508: ``wsp = ' ' | '\t'`` may surround a specifier and its ';' -- nothing else.
_WSP = " \t"


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
    replacement: str | None = None  # the part as it should be written, when that is certain


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
        # percent-decoded, so 'dep:npm/%40babel/core' and 'dep:npm/@babel/core' are one id
        parts = [self.type.text.lower()]
        if self.namespace is not None and self.namespace.text:
            parts.append(unquote(self.namespace.text))
        parts.append(unquote(self.name.text))
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

    def problem(self, code: str, message: str, start: int, end: int, part: str, replacement: str | None = None) -> None:
        self.problems.append(Problem(code, message, start, max(end, start), part, replacement))

    def build(self) -> ExternalSpecifier:
        return ExternalSpecifier(
            self.text, **self.parts, problems=tuple(self.problems), legacy_replacement=self.legacy
        )


@lru_cache(maxsize=4096)  # the same strings are parsed again at every version of a file
def parse_effective(text: str) -> ExternalSpecifier:
    """What a specifier means: for a 2023-draft ``pkg:``/``virtual:`` string, its ``dep:``
    equivalent parsed; else the specifier itself. The one place legacy forms are converted."""
    spec = parse(text)
    return parse(spec.legacy_replacement) if spec.legacy_replacement else spec


@lru_cache(maxsize=4096)  # as parse_effective: each version of a file lists the same strings
def parse(text: str) -> ExternalSpecifier:
    """Parse and validate one specifier. Never raises. The result is immutable (and shared)."""
    b = _Builder(text)
    depurl_end = len(text)
    semicolon = text.find(";")
    if semicolon >= 0:
        depurl_end = semicolon
        _parse_marker(b, text, semicolon + 1)
    lead = _leading_wsp(text)
    body_end = depurl_end
    while body_end > lead and text[body_end - 1] in _WSP:
        body_end -= 1
    body = text[lead:body_end]
    if not body:
        b.problem("invalid-depurl", "empty specifier: expected a DepURL such as dep:generic/zlib", 0, len(text), "scheme")
        return b.build()

    if body.startswith(SCHEME):
        b.parts["scheme"] = Part(SCHEME, lead, lead + len(SCHEME))
        if _check_characters(b, lead, body_end):
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
            f"'{old}' is the 2023 draft form; PEP 725 now writes '{_shown(replacement_body)}'",
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

    if not body.isprintable() and body.strip().startswith((SCHEME, "pkg:", "virtual:")):
        _check_characters(b, lead, body_end)  # a pasted newline before 'dep:': say that
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


def _leading_wsp(text: str) -> int:
    i = 0
    while i < len(text) and text[i] in _WSP:
        i += 1
    return i


def _shown(text: str) -> str:
    """``text`` for a one-line message: control characters as ``\\n``/``\\x00`` escapes."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def _check_characters(b: _Builder, start: int, end: int) -> bool:
    """Report characters a DepURL cannot hold unencoded; False when parsing should stop.

    purl: "A PURL string is an ASCII URL string" and "Where the space ' ' is permitted, it
    shall be percent-encoded as '%20'". A control character (a newline pasted into the
    string) stops parsing: nothing after it is meant as part of this DepURL.
    """
    text = b.text
    for i in range(start, end):
        ch = text[i]
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            b.problem("invalid-depurl", f"control character '{_shown(ch)}' (U+{ord(ch):04X}) inside the DepURL", i, i + 1, "scheme")
            return False
    for i in range(start, end):
        ch = text[i]
        if ch in _WSP or ch.isspace():
            b.problem("invalid-depurl", "a space inside a DepURL must be percent-encoded as %20", i, i + 1, _part_at(b, i))
            return True
        if ord(ch) > 127:
            encoded = "".join(f"%{byte:02X}" for byte in ch.encode("utf-8", "surrogatepass"))
            b.problem("invalid-depurl", f"non-ASCII character {ch!r} must be percent-encoded ({encoded})", i, i + 1, _part_at(b, i))
            return True
        if ch == "%" and _PERCENT.match(text, i):
            b.problem("invalid-depurl", "'%' must start a percent-encoded %XX escape (write '%25' for '%')", i, i + 1, _part_at(b, i))
            return True
    return True


def _part_at(b: _Builder, i: int) -> str:
    """Which component offset ``i`` falls in, by the separators around it (for ``Problem.part``)."""
    text = b.text
    scheme_end = text.find(":")
    if i <= scheme_end:
        return "scheme"
    before = text[scheme_end + 1 : i]
    if "#" in before:
        return "subpath"
    if "?" in before:
        return "qualifiers"
    path = before.lstrip("/")
    if "/" not in path:
        return "type"
    last = path.rsplit("/", 1)[-1]
    if "@" in last:
        return "version"
    # a segment with another one after it (before the version, qualifiers, subpath) is the namespace
    rest = text[i:]
    for separator in "@?#":
        rest = rest.split(separator, 1)[0]
    return "namespace" if "/" in rest else "name"


def _legacy_prefix(body: str) -> tuple[str, str] | None:
    if body.startswith("pkg:"):
        return "pkg:", SCHEME
    if body.startswith("virtual:"):
        return "virtual:", SCHEME + "virtual/"
    return None


def _parse_marker(b: _Builder, text: str, start: int) -> None:
    raw = text[start:]
    lead = _leading_wsp(raw)
    stripped = raw.strip(_WSP)
    m_start = start + lead
    m_end = m_start + len(stripped)
    b.parts["marker"] = Part(stripped, m_start, m_end)
    if not stripped:
        b.problem("invalid-marker", "empty environment marker after ';'", start - 1, len(text), "marker")
        return
    for i, ch in enumerate(stripped):
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp") and ch not in _WSP:
            b.problem("invalid-marker", f"control character '{_shown(ch)}' (U+{ord(ch):04X}) in the environment marker", m_start + i, m_start + i + 1, "marker")
            return
    try:
        Marker(stripped)
    except InvalidMarker as exc:
        reason = str(exc).splitlines()[0]
        b.problem("invalid-marker", f"invalid environment marker: {reason}", m_start, m_end, "marker")


def _parse_after_scheme(b: _Builder, start: int, end: int) -> None:
    text = b.text
    # purl: parsers "should accept URLs where the scheme and colon ':' are followed by one
    # or more slash '/' characters, such as 'pkg://', and should ignore and remove" them.
    while start < end and text[start] == "/":
        start += 1
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
    # The version follows the last '@' of the last path segment. An '@' followed by more
    # segments is part of a namespace: npm scopes are written '@babel' (the purl-spec
    # suite accepts 'pkg:npm/@babel/core' as well as '%40babel').
    at = text.rfind("@", start, rest_end)
    if at >= 0 and "/" not in text[at + 1 : rest_end]:
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
    type_part = segments[0]  # not empty: the slashes after 'dep:' were skipped
    b.parts["type"] = type_part
    if not _TYPE.fullmatch(type_part.text):
        b.problem("invalid-depurl", f"invalid type '{type_part.text}': a purl type is ASCII letters, digits, '.' and '-', starting with a letter", type_part.start, type_part.end, "type")
    elif type_part.text.lower() not in KNOWN_TYPES:
        b.problem("unknown-type", f"unknown type '{type_part.text}': not a purl type nor 'virtual'", type_part.start, type_part.end, "type")

    if len(segments) < 2 or not segments[-1].text:
        where = segments[-1] if len(segments) > 1 else Part("", type_part.end, type_part.end)
        b.problem("invalid-depurl", f"missing name after 'dep:{path}'", where.start, where.end, "name")
        if len(segments) > 2:
            b.parts["namespace"] = _join(segments[1:-1])
        return
    name = segments[-1]
    b.parts["name"] = name
    namespace = None
    if len(segments) > 2:
        namespace = _join(segments[1:-1])
        b.parts["namespace"] = namespace
        if any(not s.text for s in segments[1:-1]):
            b.problem("invalid-depurl", "empty namespace segment ('//'): purl namespace segments shall not be empty", namespace.start, namespace.end, "namespace")
            return
    for seg, part in [(s, "namespace") for s in segments[1:-1]] + [(name, "name")]:
        if not _check_segment(b, seg, part):
            return

    if type_part.text.lower() == VIRTUAL:
        _check_virtual(b, segments)
    elif not _check_type_definition(b, type_part, namespace, name):
        return
    else:
        try:
            PackageURL(type=type_part.text.lower(), namespace=unquote(namespace.text) if namespace else None, name=unquote(name.text))
        except ValueError as exc:
            b.problem("invalid-depurl", f"invalid name: {exc}", name.start, name.end, "name")


def _check_type_definition(b: _Builder, type_part: Part, namespace: Part | None, name: Part) -> bool:
    """What the purl type definition states in its fields: the namespace "requirement"
    (required, optional, prohibited), ``permitted_characters`` of the name and version, and
    qualifiers with ``"requirement": "required"``. Rules written only in a ``note`` are not
    checked (docs/spec-conformance.md)."""
    type_ = type_part.text.lower()
    definition = PURL_TYPES.get(type_, {})
    ns_rule = definition.get("namespace_definition") or {}
    if ns_rule.get("requirement") == "required" and namespace is None:
        native = ns_rule.get("native_name")
        what = f" ({native})" if native else ""
        b.problem("invalid-depurl", f"a '{type_}' DepURL needs a namespace{what}: dep:{type_}/<namespace>/{name.text}", name.start, name.end, "namespace")
        return False
    if ns_rule.get("requirement") == "prohibited" and namespace is not None:
        b.problem("invalid-depurl", f"a '{type_}' DepURL has no namespace: purl prohibits one for this type", namespace.start, namespace.end, "namespace")
        return False
    permitted = (definition.get("name_definition") or {}).get("permitted_characters")
    if permitted and not re.search(permitted, unquote(name.text)):
        b.problem("invalid-depurl", f"a '{type_}' name must match {permitted} (purl type definition)", name.start, name.end, "name")
        return False
    version = b.parts.get("version")
    permitted = (definition.get("version_definition") or {}).get("permitted_characters")
    if permitted and version is not None and not any(p.part == "version" for p in b.problems):
        for clause in unquote(version.text).split(","):
            bare = clause.strip().lstrip("<>=!~").strip()
            if not re.search(permitted, bare):
                b.problem("invalid-depurl", f"a '{type_}' version must match {permitted} (purl type definition)", version.start, version.end, "version")
                return False
    qualifiers = b.parts.get("qualifiers")
    keys = {pair.partition("=")[0] for pair in qualifiers.text.split("&")} if qualifiers is not None else set()
    for rule in definition.get("qualifiers_definition") or ():
        if rule.get("requirement") == "required" and rule.get("key") not in keys:
            b.problem("invalid-depurl", f"a '{type_}' DepURL needs the qualifier '{rule['key']}' (purl type definition)", name.start, name.end, "qualifiers")
            return False
    return True


def _check_segment(b: _Builder, seg: Part, part: str) -> bool:
    """A namespace segment or the name: '@' only as an npm-style scope, no encoded '/'."""
    at = seg.text.find("@", 1 if part == "namespace" else 0)
    if at >= 0:
        b.problem("invalid-depurl", f"'@' inside a {part} must be percent-encoded as %40", seg.start + at, seg.start + at + 1, part)
        return False
    decoded = _decoded(seg.text)
    if decoded is None:
        b.problem("invalid-depurl", f"the {part} '{seg.text}' does not decode to UTF-8 text", seg.start, seg.end, part)
        return False
    if "/" in decoded:
        b.problem("invalid-depurl", f"a {part} segment shall not contain '/', even percent-encoded (%2F)", seg.start, seg.end, part)
        return False
    return True


def _decoded(text: str) -> str | None:
    try:
        return unquote(text, errors="strict")
    except UnicodeDecodeError:
        return None


def _join(segments: list[Part]) -> Part:
    return Part("/".join(s.text for s in segments), segments[0].start, segments[-1].end)


def _check_virtual(b: _Builder, segments: list[Part]) -> None:
    if len(segments) != 3:  # at least type and name: a missing name was reported before
        span = _join(segments[1:])
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
        b.problem("invalid-depurl", f"virtual namespace must be lowercase: '{namespace.text.lower()}'", namespace.start, namespace.end, "namespace",
                  namespace.text.lower())
    if name.text != name.text.lower():
        b.problem("invalid-depurl", f"virtual names are lowercase: '{name.text.lower()}'", name.start, name.end, "name",
                  name.text.lower())


def _check_version(b: _Builder, part: Part) -> None:
    """Each ','-separated clause is a PEP 440 ``Specifier`` (or a bare ``Version``).

    A ``Specifier`` rather than a ``Version`` per clause, so PEP 440's own rules hold:
    a local version (``+local``) only with ``==``, never with an ordered comparison.
    """
    if not part.text.strip():
        b.problem("invalid-depurl", "empty version after '@'", part.start - 1, part.end, "version")
        return
    text, spans_exact = part.text, True
    if "%" in text:  # purl versions are percent-encoded strings: judge the decoded text
        decoded = _decoded(text)
        if decoded is None:
            b.problem("invalid-depurl", "the version does not decode to UTF-8 text", part.start, part.end, "version")
            return
        text, spans_exact = decoded, decoded == text
    pos = part.start
    for clause in text.split(","):
        c_start, c_end = (pos, pos + len(clause)) if spans_exact else (part.start, part.end)
        pos += len(clause) + 1
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
            if op is None:
                Version(version)
            else:
                Specifier(op + version)
        except (InvalidVersion, InvalidSpecifier):
            if op in _ORDERED_OPERATORS and "+" in version and _is_version(version):
                message = f"a local version ('{_shown(version)}') is only allowed with '==' (PEP 440), not with '{op}'"
            else:
                message = f"invalid version '{_shown(version)}' (PEP 440)"
            b.problem("invalid-depurl", message, c_start, c_end, "version")


def _is_version(text: str) -> bool:
    try:
        Version(text)
    except InvalidVersion:
        return False
    return True


def _check_qualifiers(b: _Builder, part: Part) -> None:
    if not part.text:
        return
    seen: set[str] = set()
    for pair in part.text.split("&"):
        key, eq, value = pair.partition("=")
        if not eq or not _QUALIFIER_KEY.fullmatch(key) or not value:
            b.problem("invalid-depurl", f"invalid qualifier '{_shown(pair)}': expected key=value with a key of lowercase letters, digits, '.', '-', '_'", part.start, part.end, "qualifiers")
            return
        # purl: "Each key shall be unique among all the keys of the qualifiers component."
        if key.lower() in seen:
            b.problem("invalid-depurl", f"qualifier key '{key.lower()}' appears twice; purl qualifier keys are unique", part.start, part.end, "qualifiers")
            return
        seen.add(key.lower())
        if _decoded(value) is None:
            b.problem("invalid-depurl", f"qualifier '{key}' does not decode to UTF-8 text", part.start, part.end, "qualifiers")
            return


def _check_subpath(b: _Builder, part: Part) -> None:
    segments = part.text.strip("/").split("/")
    if not part.text.strip("/") or any(s in ("", ".", "..") for s in segments):
        b.problem("invalid-depurl", "invalid subpath: segments may not be empty, '.' or '..'", part.start, part.end, "subpath")
    elif any(_decoded(s) is None or "/" in (_decoded(s) or "") for s in segments):
        b.problem("invalid-depurl", "invalid subpath: a segment does not decode to UTF-8 text without '/'", part.start, part.end, "subpath")


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
