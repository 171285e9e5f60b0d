"""Apply every safe fix to a whole file: the engine of "fix all" and ``check --fix``.

Fixes are applied in rounds, re-analysing between rounds, so fixes whose edits would
overlap (two duplicates side by side) are still all applied, each on a fresh parse.
"""

from __future__ import annotations

from collections.abc import Callable

from .checks import Finding, run_checks
from .data_index import DataIndex
from .document import PyprojectDocument
from .edits import TextEdit, apply, minimal_edit

MAX_ROUNDS = 20


def fix_all(text: str, index: DataIndex, wanted: Callable[[Finding], bool] = lambda f: True) -> str:
    """``text`` with every safe fix of the wanted findings applied.

    A fix is only kept if the result still parses as TOML whenever the input did.
    """
    was_valid = PyprojectDocument(text).parsed is not None
    for _ in range(MAX_ROUNDS):
        doc = PyprojectDocument(text)
        chosen: list[TextEdit] = []
        for finding in run_checks(doc, index, limit=None):  # fix every one, not the first 1,000
            if not wanted(finding):
                continue
            for fix in finding.fixes:
                if not fix.safe:
                    continue
                if all(_disjoint(e, c) for e in fix.edits for c in chosen):
                    chosen.extend(fix.edits)
                break
        if not chosen:
            return text
        new_text = apply(text, chosen)
        if was_valid and PyprojectDocument(new_text).parsed is None:
            return text  # never trade a valid file for a broken one
        text = new_text
    return text


def fix_all_edit(text: str, index: DataIndex) -> TextEdit | None:
    return minimal_edit(text, fix_all(text, index))


def _disjoint(a: TextEdit, b: TextEdit) -> bool:
    return a.end < b.start or b.end < a.start
