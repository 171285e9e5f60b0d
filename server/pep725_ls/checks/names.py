"""Checks of DepURL names against what is known: PEP 804 registry and curated mapping.

PEP 804 rejects strict registry checking, so an unknown name is a warning, never an
error, and only for ``generic`` and ``virtual`` DepURLs, whose names the registry governs.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import depurl
from ..data_index import KNOWN_MISSPELLINGS, DataIndex
from ..document import PyprojectDocument
from ..edits import Fix, replace_string
from .finding import Finding

_GOVERNED_TYPES = ("generic", "virtual")


def check(doc: PyprojectDocument, index: DataIndex) -> Iterator[Finding]:
    suggestions: dict[str, str | None] = {}  # index.suggest is a fuzzy search: once per name
    for listed in doc.specifiers:
        spec = listed.effective
        if spec.problems or spec.type is None:
            continue
        yield from _check_name(listed.string, listed.spec, spec, index, suggestions)


def _check_name(string, written: depurl.ExternalSpecifier, spec: depurl.ExternalSpecifier, index: DataIndex,
                suggestions: dict[str, str | None]) -> Iterator[Finding]:
    """``spec`` is what the string means (the ``dep:`` form of a legacy string) and names
    the package; ``written`` is the string as written, whose parts give the spans and edits
    (``virtual:compiler/cpp`` is 4 characters shorter than its ``dep:`` form)."""
    from .external_table import string_span

    package_id, registry_id = spec.package_id, spec.registry_id
    entry = index.lookup(registry_id) or index.lookup(package_id)
    start, end = string_span(string, written.type.start, written.name.end)
    if entry is None and not index.is_known(package_id) and spec.type.text.lower() in _GOVERNED_TYPES:
        if package_id not in suggestions:
            suggestions[package_id] = index.suggest(package_id)
        suggestion = suggestions[package_id]
        if suggestion:
            # on a legacy string this also writes the dep: form
            fixed = _replace_id(string.value, written, suggestion)
            safe = KNOWN_MISSPELLINGS.get(package_id) == suggestion
            yield Finding(
                "unknown-name",
                f"'{package_id}' is not in the PEP 804 registry: did you mean '{suggestion}'?",
                start, end,
                (Fix(f"Change to {suggestion}", (replace_string(string, fixed),), safe=safe),),
                {"replacement": fixed},
            )
        else:
            yield Finding("unknown-name", f"'{package_id}' is not in the PEP 804 registry (a tool may not know how to provide it)", start, end)
        return
    if entry is not None and not entry.is_canonical and entry.canonical_target:
        target = entry.canonical_target
        fixed = _replace_id(string.value, written, target, include_qualifiers=True)
        yield Finding(
            "non-canonical-name",
            f"'{entry.id}' is an alias of '{target}' in the PEP 804 registry",
            start, end,
            (Fix(f"Change to {target}", (replace_string(string, fixed),)),),
            {"replacement": fixed},
        )


def _replace_id(text: str, spec: depurl.ExternalSpecifier, new_id: str, include_qualifiers: bool = False) -> str:
    """``text`` with its ``dep:type/namespace/name`` replaced, version and marker kept."""
    start = spec.scheme.start
    end = spec.name.end
    if include_qualifiers and spec.qualifiers is not None:
        end = spec.qualifiers.end
        if spec.version is not None and spec.version.start > spec.name.end:
            # dep:x/name@ver?q : keep the version, drop the qualifiers the alias carried
            return text[:start] + new_id + "@" + spec.version.text + text[spec.qualifiers.end :]
    return text[:start] + new_id + text[end:]
