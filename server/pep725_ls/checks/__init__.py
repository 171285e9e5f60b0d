"""All checks of a pyproject.toml, as plain findings with document offsets.

Each submodule checks one concern and yields Finding objects; ``run_checks`` runs them all.
The LSP layer (features/diagnostics.py) and the CLI turn findings into their own output.
"""

from __future__ import annotations

from ..data_index import DataIndex
from ..document import PyprojectDocument
from .finding import Finding
from . import external_table, names

# Each module has ``check(doc, index) -> Iterable[Finding]``. Order is the report order.
CHECKERS = [external_table, names]


def run_checks(doc: PyprojectDocument, index: DataIndex) -> list[Finding]:
    findings: list[Finding] = []
    for checker in CHECKERS:
        findings.extend(checker.check(doc, index))
    return findings


__all__ = ["Finding", "run_checks", "CHECKERS"]
