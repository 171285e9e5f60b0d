"""Which DepURLs a file already declares, and how to phrase what it should add."""

from __future__ import annotations

from ..data_index import DataIndex
from ..document import PyprojectDocument


def declared_ids(doc: PyprojectDocument, index: DataIndex, keys: tuple[str, ...] | None = None) -> set[str]:
    """Package ids declared in the [external] lists of ``keys`` (default: any), with the
    canonical DepURL each alias stands for."""
    found = doc.declared_ids(keys)
    return found | {index.canonical_target(package_id) for package_id in found}


def short_name(depurl_id: str) -> str:
    return depurl_id.rsplit("/", 1)[-1]
