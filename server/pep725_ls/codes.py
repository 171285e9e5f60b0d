"""Every diagnostic code pep725-ls can report, with its default severity and docs anchor.

Codes are stable: users put them in settings (severity overrides) and in
``pep725-ls check --select/--ignore``. docs/diagnostics.md has one section per code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class Severity(IntEnum):
    """Same numbers as LSP's DiagnosticSeverity."""

    ERROR = 1
    WARNING = 2
    INFORMATION = 3
    HINT = 4

    @classmethod
    def parse(cls, name: str) -> "Severity | None":
        return {"error": cls.ERROR, "warning": cls.WARNING, "information": cls.INFORMATION,
                "info": cls.INFORMATION, "hint": cls.HINT}.get(name.lower())


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    severity: Severity
    summary: str

    def href(self, docs_url: str) -> str:
        """The link to this code's section of diagnostics.md published at ``docs_url``.

        pep725-ls has no published site of its own, so there is no default: a link is only
        shown when the user names where the docs are (the ``pep725.diagnostics.docsUrl``
        setting), never one that does not resolve. Each section's anchor is the code.
        """
        return f"{docs_url}#{self.code}"


_ALL = [
    Code("toml-syntax", Severity.ERROR, "The file is not valid TOML"),
    Code("unknown-key", Severity.ERROR, "A key in [external] that PEP 725 does not define"),
    Code("wrong-type", Severity.ERROR, "A value in [external] of the wrong type"),
    Code("invalid-depurl", Severity.ERROR, "A malformed DepURL"),
    Code("unsupported-version-operator", Severity.ERROR, "A version operator PEP 725 does not allow"),
    Code("invalid-marker", Severity.ERROR, "An invalid PEP 508 environment marker"),
    Code("legacy-depurl", Severity.ERROR, "The 2023 draft form pkg:/virtual:"),
    Code("duplicate-entry", Severity.WARNING, "The same specifier twice in one list"),
    Code("compiler-not-in-build-requires", Severity.HINT, "A compiler outside build-requires"),
    Code("unknown-type", Severity.WARNING, "A DepURL type that is neither a PURL type nor virtual"),
    Code("unknown-name", Severity.WARNING, "A name the PEP 804 registry does not know"),
    Code("non-canonical-name", Severity.INFORMATION, "A registry alias of a canonical DepURL"),
    Code("unknown-include-group", Severity.ERROR, "include-group names a group that does not exist"),
    Code("include-group-cycle", Severity.ERROR, "Dependency groups that include each other"),
    Code("duplicate-group-name", Severity.ERROR, "Two dependency groups whose names normalise alike"),
    Code("invalid-group-name", Severity.ERROR, "A dependency group name that is not a valid name"),
    # nixpkgs mapping
    Code("no-nixpkgs-mapping", Severity.INFORMATION, "No nixpkgs attribute is known for this DepURL"),
    Code("nixpkgs-version-mismatch", Severity.WARNING, "nixpkgs' version does not satisfy the range"),
    # missing external dependencies
    Code("missing-external-dependency", Severity.WARNING, "A Python dependency needs a native library not declared"),
    Code("bundled-native-library", Severity.INFORMATION, "A binary wheel bundles the native library"),
    Code("missing-build-tool", Severity.WARNING, "The build backend needs a compiler or tool not declared"),
    Code("venv-missing-library", Severity.WARNING, "A shared library the virtualenv needs is not declared"),
    # bounds
    Code("too-many-findings", Severity.WARNING, "More findings than pep725-ls reports per document"),
    Code("internal-error", Severity.WARNING, "One of pep725-ls' checks failed; the others still ran"),
]

CODES: dict[str, Code] = {c.code: c for c in _ALL}
