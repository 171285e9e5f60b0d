"""Which DepURLs a file already declares, and how to phrase what it should add."""

from __future__ import annotations

from ..data_index import DataIndex
from ..document import PyprojectDocument


def declared_ids(doc: PyprojectDocument, index: DataIndex, keys: tuple[str, ...] | None = None) -> set[str]:
    """Canonical package ids declared in the [external] lists of ``keys`` (default: any;
    legacy spellings count)."""
    found: set[str] = set()
    for listed in doc.specifiers:
        if keys is not None and listed.requirement_list.key not in keys:
            continue
        package_id = listed.effective.package_id
        if package_id:
            found.add(package_id)
            found.add(index.canonical_target(package_id))
    return found


def short_name(depurl_id: str) -> str:
    return depurl_id.rsplit("/", 1)[-1]
