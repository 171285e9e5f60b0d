"""Which DepURLs a file already declares, and how to phrase what it should add."""

from __future__ import annotations

from .. import depurl
from ..data_index import DataIndex
from ..document import PyprojectDocument


def declared_ids(doc: PyprojectDocument, index: DataIndex) -> set[str]:
    """Canonical package ids declared in any [external] list (legacy spellings count)."""
    found: set[str] = set()
    for lst in doc.external.lists:
        for _, string in lst.strings:
            spec = depurl.parse(string.value)
            if spec.legacy_replacement:
                spec = depurl.parse(spec.legacy_replacement)
            if spec.package_id:
                found.add(spec.package_id)
                found.add(index.canonical_target(spec.package_id))
    return found


def short_name(depurl_id: str) -> str:
    return depurl_id.rsplit("/", 1)[-1]
