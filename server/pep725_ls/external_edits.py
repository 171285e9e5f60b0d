"""Add DepURLs to ``[external]`` in the file's own style, as one minimal text edit.

tomlkit makes the change (it keeps comments, indentation, trailing commas, line endings
and quoting of what is there); we turn its output into the smallest edit of the original
text, and refuse anything that would not parse afterwards.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass

import tomlkit
from tomlkit.container import OutOfOrderTableProxy
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Array, InlineTable, String, Table

from . import depurl
from .document import EXTERNAL_KEYS, PyprojectDocument
from .edits import TextEdit, minimal_edit


@dataclass(frozen=True, slots=True)
class Addition:
    """Add ``specifier`` to ``[external].<key>`` (or to group ``group`` of a table key)."""

    key: str
    specifier: str
    group: str | None = None

    @property
    def where(self) -> str:
        return f"{self.key}.{self.group}" if self.group else self.key


def _identity(specifier: str) -> str | None:
    return depurl.parse_effective(specifier).package_id


def _literal_style(array: Array) -> bool:
    strings = [item for item in array if isinstance(item, String)]
    return bool(strings) and all(s.as_string().startswith("'") for s in strings)


def _target_array(external, addition: Addition) -> Array | None:
    """The array to append to, created (empty) if missing; None if the shape is wrong."""
    if addition.group is None:
        if addition.key not in external:
            external[addition.key] = tomlkit.array()
        target = external[addition.key]
        return target if isinstance(target, Array) else None
    if addition.key not in external:
        table = tomlkit.table() if isinstance(external, Table) and not _is_super_only(external) else tomlkit.inline_table()
        external[addition.key] = table
    groups = external[addition.key]
    if not isinstance(groups, (Table, InlineTable)):
        return None
    if addition.group not in groups:
        groups[addition.group] = tomlkit.array()
    target = groups[addition.group]
    return target if isinstance(target, Array) else None


def _is_super_only(table: Table) -> bool:
    return table.is_super_table() if hasattr(table, "is_super_table") else False


# Findings whose first fix adds a DepURL the project evidently needs.
ADDING_CODES = ("missing-external-dependency", "missing-build-tool", "venv-missing-library")


def preferred_additions(findings, codes: tuple[str, ...] = ADDING_CODES) -> list[Addition]:
    """The additions of each finding's preferred (first) fix, for "add all missing".

    When two findings add the same DepURL under different keys (psycopg2's row says
    host-requires, the venv scan says dependencies), the build-side key comes first: a
    host requirement is linked at build time and loaded at run time, so it covers both.
    """
    found = [a for f in findings if f.code in codes and f.fixes for a in f.fixes[0].additions]
    order = {k: i for i, k in enumerate(EXTERNAL_KEYS)}
    found.sort(key=lambda a: order.get(a.key, len(order)))
    # The same package from two findings: one addition, at the best key, keeping a version
    # range if either has one (the venv scan's libxml2@<2.15 picks the attribute that ships
    # libxml2.so.2; the PyPI row's bare libxml2 would not).
    versioned: dict[str, str] = {}
    for a in found:
        spec = depurl.parse(a.specifier)
        if spec.package_id and spec.version is not None:
            versioned.setdefault(spec.package_id, a.specifier)
    out: list[Addition] = []
    seen: set[tuple[str | None, str | None]] = set()
    for a in found:
        package_id = depurl.parse(a.specifier).package_id
        if (package_id, a.group) in seen:
            continue
        seen.add((package_id, a.group))
        out.append(Addition(a.key, versioned.get(package_id, a.specifier), a.group) if package_id else a)
    return out


def add_to_external(text: str, additions: list[Addition]) -> TextEdit | None:
    """One edit adding every addition not declared yet; None when there is nothing to add
    or the file cannot be edited safely (not valid TOML, or a value of the wrong type)."""
    try:
        tomllib.loads(text)  # refuse what is not valid TOML
        doc = tomlkit.parse(text)
    except (tomllib.TOMLDecodeError, TOMLKitError, RecursionError):
        return None
    declared = PyprojectDocument(text).declared_ids()
    todo: list[Addition] = []
    for addition in additions:
        pid = _identity(addition.specifier)
        if pid is None or pid in declared:
            continue
        declared.add(pid)
        todo.append(addition)
    if not todo:
        return None
    try:
        if "external" not in doc:
            if text.strip() and not text.endswith(("\n\n", "\r\n\r\n")):
                doc.add(tomlkit.nl())
            doc.add("external", tomlkit.table())
        external = doc["external"]
        # dotted keys (external.x = …) come back as an OutOfOrderTableProxy
        if not isinstance(external, (Table, InlineTable, OutOfOrderTableProxy)) or isinstance(external, AoT):
            return None
        for addition in todo:
            array = _target_array(external, addition)
            if array is None:
                return None
            item = tomlkit.string(addition.specifier, literal=_literal_style(array) and "'" not in addition.specifier)
            array.append(item)
        new_text = tomlkit.dumps(doc)
    except (TOMLKitError, TypeError, ValueError, KeyError):
        return None
    if "\r\n" in text and "\n" not in text.replace("\r\n", ""):
        new_text = new_text.replace("\r\n", "\n").replace("\n", "\r\n")  # tomlkit adds bare \n
    try:
        new_data = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        return None
    edit = minimal_edit(text, new_text, whole_lines=True)
    return _keep_inline_table_spacing(text, edit, new_data) if edit else None


def _keep_inline_table_spacing(text: str, edit: TextEdit, new_data: dict) -> TextEdit:
    """tomlkit writes ``…]}`` when it extends ``{ a = […] }``: keep the file's ``] }``."""
    old = text[edit.start : edit.end]
    if "] }" not in old or "]}" in old or "]}" not in edit.new_text:
        return edit
    spaced = TextEdit(edit.start, edit.end, edit.new_text.replace("]}", "] }"))
    try:  # only if it changes nothing but spacing
        if tomllib.loads(text[: edit.start] + spaced.new_text + text[edit.end :]) == new_data:
            return spaced
    except tomllib.TOMLDecodeError:
        pass
    return edit
