"""All checks of a pyproject.toml, as plain findings with document offsets.

Each submodule checks one concern and yields Finding objects; ``run_checks`` runs them all.
The LSP layer (features/diagnostics.py) and the CLI turn findings into their own output.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

from ..data_index import DataIndex
from ..document import PyprojectDocument
from .context import CheckContext
from .finding import Finding
from . import build_backend, external_table, names, nixpkgs, python_dependencies, virtualenv_libraries

# Each module has ``check(doc, index) -> Iterable[Finding]``; those that need to know
# about the project around the file (setup.py, the virtualenv) take a third argument,
# the CheckContext, and say so with ``NEEDS_CONTEXT = True``. Order is the report order.
CHECKERS = [external_table, names, nixpkgs, python_dependencies, build_backend, virtualenv_libraries]


# A hostile 5 MB document gave 1.67 M findings: 63 s and 3.8 GB per analysis, and a list
# no editor can show. Past this many, one summary finding says how many were left out.
MAX_FINDINGS = 1000
TOO_MANY = "too-many-findings"
# Findings past the cap are counted, not kept, up to this many (counting 1.25 M of them
# took 40 s); then the summary says "at least". A count, not a time budget: the summary is
# the same on every run and machine.
MAX_COUNTED = 10_000


INTERNAL_ERROR = "internal-error"
log = logging.getLogger(__name__)


class AnalysisCancelled(Exception):
    """Raised by run_checks when ``cancelled()`` turns true (a newer version, shutdown)."""


def _isolated(checker, doc: PyprojectDocument, index: DataIndex, context: CheckContext) -> Iterator[Finding]:
    """One checker's findings; if it fails, what it found so far and one internal-error
    finding naming it, so a bug in one check never empties the others' diagnostics (in the
    editor and in the CLI alike)."""
    try:
        if getattr(checker, "NEEDS_CONTEXT", False):
            yield from checker.check(doc, index, context)
        else:
            yield from checker.check(doc, index)
    except AnalysisCancelled:
        raise
    except Exception as exc:
        name = checker.__name__.rpartition(".")[2]
        log.exception("the %s check failed", name)
        yield Finding(INTERNAL_ERROR, f"pep725-ls: the {name} check failed ({type(exc).__name__}: {exc}); "
                      "the other checks still ran. Please report this with the file.", 0, 0, data={"checker": name})


def run_checks(
    doc: PyprojectDocument,
    index: DataIndex,
    context: CheckContext | None = None,
    *,
    limit: int | None = MAX_FINDINGS,
    wanted: Callable[[Finding], bool] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Finding]:
    """Every finding, in report order; only the ``wanted`` ones, and at most ``limit`` of
    them plus one ``too-many-findings`` summary at the first one left out (its
    ``data["left_out"]`` says how many, ``data["exact"]`` whether all were counted).
    Checked between findings: ``cancelled``."""
    context = context or CheckContext()
    findings: list[Finding] = []
    left_out, first_left_out, exact = 0, None, True
    for checker in CHECKERS:
        if left_out >= MAX_COUNTED:
            exact = False
            break
        if cancelled is not None and cancelled():
            raise AnalysisCancelled
        for finding in _isolated(checker, doc, index, context):
            if cancelled is not None and cancelled():
                raise AnalysisCancelled
            if wanted is not None and not wanted(finding):
                continue
            if limit is None or len(findings) < limit:
                findings.append(finding)
            elif left_out < MAX_COUNTED:  # counted, not kept: the summary says how many
                left_out += 1
                first_left_out = first_left_out or finding
            else:
                exact = False
                break
    if first_left_out is not None:
        more = f"{left_out} more finding{'s' if left_out != 1 else ''}" if exact else f"At least {left_out} more findings"
        findings.append(Finding(
            TOO_MANY, f"{more} not shown: pep725-ls reports at most {limit} per document",
            first_left_out.start, first_left_out.end, data={"left_out": left_out, "exact": exact}))
    return findings


__all__ = ["AnalysisCancelled", "CheckContext", "Finding", "MAX_FINDINGS", "run_checks", "CHECKERS"]
