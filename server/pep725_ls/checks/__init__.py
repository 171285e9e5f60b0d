"""All checks of a pyproject.toml, as plain findings with document offsets.

Each submodule checks one concern and yields Finding objects; ``run_checks`` runs them all.
The LSP layer (features/diagnostics.py) and the CLI turn findings into their own output.
"""

from __future__ import annotations

from ..data_index import DataIndex
from ..document import PyprojectDocument
from .context import CheckContext
from .finding import Finding
from . import build_backend, external_table, names, nixpkgs, python_dependencies, virtualenv_libraries

# Each module has ``check(doc, index) -> Iterable[Finding]``; those that need to know
# about the project around the file (setup.py, the virtualenv) take a third argument,
# the CheckContext, and say so with ``NEEDS_CONTEXT = True``. Order is the report order.
CHECKERS = [external_table, names, nixpkgs, python_dependencies, build_backend, virtualenv_libraries]


def run_checks(doc: PyprojectDocument, index: DataIndex, context: CheckContext | None = None) -> list[Finding]:
    context = context or CheckContext()
    findings: list[Finding] = []
    for checker in CHECKERS:
        if getattr(checker, "NEEDS_CONTEXT", False):
            findings.extend(checker.check(doc, index, context))
        else:
            findings.extend(checker.check(doc, index))
    return findings


__all__ = ["CheckContext", "Finding", "run_checks", "CHECKERS"]
