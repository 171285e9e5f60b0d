"""Checks of DepURLs against nixpkgs: no known attribute, and a version range nixpkgs misses.

Both are advisory. ``no-nixpkgs-mapping`` (information) says a Nix user will have to find
the package themselves; ``nixpkgs-version-mismatch`` (warning) says the version nixpkgs
ships does not satisfy the range asked for. Names pep725-ls does not know at all are left
to checks/names.py (unknown-name), so one entry gets one diagnostic.
"""

from __future__ import annotations

from collections.abc import Iterator

from .. import depurl
from ..data_index import DataIndex
from ..document import PyprojectDocument
from .finding import Finding

# pypi DepURLs are Python packages (python3Packages.*), not external libraries.
_SKIPPED_TYPES = ("pypi",)


def check(doc: PyprojectDocument, index: DataIndex) -> Iterator[Finding]:
    from .external_table import string_span

    for listed in doc.specifiers:
        string, spec = listed.string, listed.spec
        if spec.legacy_replacement:
            continue  # legacy-depurl is reported; check once it is migrated
        if spec.problems or spec.type is None or spec.name is None:
            continue
        if spec.type.text.lower() in _SKIPPED_TYPES:
            continue
        package_id = spec.package_id
        mapping = index.nixpkgs(spec.registry_id or package_id) or index.nixpkgs(package_id)
        start, end = string_span(string, spec.scheme.start if spec.scheme else spec.type.start, spec.name.end)
        if mapping is None or not mapping.present:
            if mapping is None and not (index.is_known(package_id) or index.lookup(spec.registry_id or "")):
                continue  # unknown-name covers it
            why = f": {mapping.exotic}" if mapping is not None and mapping.exotic else ""
            yield Finding(
                "no-nixpkgs-mapping",
                f"no nixpkgs attribute is known for '{package_id}'{why}",
                start, end, data={"depurl": package_id},
            )
            continue
        if spec.version is None or spec.is_virtual:
            continue  # virtual versions are standards (C99, LAPACK API), not package versions
        versions = [(a.attr, a.version) for a in mapping.attrs if a.present and a.version]
        verdicts = [depurl.version_satisfied_by(spec.version.text, v) for _, v in versions]
        if not verdicts or any(v is not False for v in verdicts):
            continue  # satisfied by one attribute, or not comparable (e.g. 2025-11-05)
        if index.attrs_for_version(mapping, spec.version.text) != mapping.install_attrs:
            continue  # another attribute of the package satisfies it (libxml2@<2.15: libxml2_13)
        vs, ve = string_span(string, spec.version.start, spec.version.end)
        shipped = ", ".join(f"{a} {v}" for a, v in versions)
        yield Finding(
            "nixpkgs-version-mismatch",
            f"nixpkgs ships {shipped}, which does not satisfy '{spec.version.text}'",
            vs, ve, data={"depurl": package_id, "nixpkgs": dict(versions)},
        )
