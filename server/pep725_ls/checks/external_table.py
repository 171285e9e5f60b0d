"""Checks of the ``[external]`` table's shape and of each specifier's DepURL syntax.

TOML syntax, the seven keys, value types (arrays of strings, tables of arrays, PEP 735
groups), malformed DepURLs, version operators, markers, legacy forms, duplicates and
compilers outside build-requires.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from packaging.utils import InvalidName, canonicalize_name

from ..data_index import DataIndex
from ..document import EXTERNAL_KEYS, GROUPS_KEY, OPTIONAL_KEYS, REQUIREMENT_KEYS, PyprojectDocument, RequirementList
from ..edits import Fix, TextEdit, remove_array_item, replace_string
from ..tolerant_toml import ArrayNode, InlineTableNode, KeyValue, StringNode
from .finding import Finding

_TABLE_KEYS = OPTIONAL_KEYS + (GROUPS_KEY,)


def check(doc: PyprojectDocument, index: DataIndex) -> Iterator[Finding]:
    problem = doc.syntax_problem
    if problem is not None:
        end = problem.offset
        while end < len(doc.text) and end - problem.offset < 40 and doc.text[end] not in " \t\r\n,]}":
            end += 1
        yield Finding("toml-syntax", f"TOML syntax error: {problem.message}", problem.offset, max(end, problem.offset + 1) if problem.offset < len(doc.text) else problem.offset)
    external = doc.external
    if not external.present:
        return
    yield from _check_headers(doc)
    yield from _check_entries(doc)
    # Grouped once: asking every list to scan every specifier was quadratic in big files.
    by_list: dict[int, list] = {}
    for listed in doc.specifiers:
        by_list.setdefault(id(listed.requirement_list), []).append(listed)
    groups = _group_names(doc)
    for lst in external.lists:
        yield from _check_list(doc, lst, by_list.get(id(lst), []), groups)
    yield from _check_dependency_groups(doc)


def string_span(string: StringNode, start: int, end: int) -> tuple[int, int]:
    """Document offsets of ``value[start:end]``; the whole content where escapes shift it."""
    raw_len = string.content_end - string.content_start
    if raw_len == len(string.value):
        return string.content_start + start, string.content_start + end
    return string.content_start, string.content_end


def _unknown_key(name: str, start: int, end: int) -> Finding:
    fixes: tuple[Fix, ...] = ()
    close = difflib.get_close_matches(name, EXTERNAL_KEYS, n=1, cutoff=0.6)
    message = f"'{name}' is not a key of [external]; PEP 725 defines {', '.join(EXTERNAL_KEYS)}"
    if close:
        message = f"'{name}' is not a key of [external]: did you mean '{close[0]}'?"
        fixes = (Fix(f"Rename to '{close[0]}'", (TextEdit(start, end, close[0]),)),)
    return Finding("unknown-key", message, start, end, fixes, {"replacement": close[0]} if close else {})


def _check_headers(doc: PyprojectDocument) -> Iterator[Finding]:
    for header in doc.external.headers:
        if len(header.key) < 2:
            continue
        key = header.key[1]
        if key.name not in EXTERNAL_KEYS:
            yield _unknown_key(key.name, key.start, key.end)
        elif key.name in REQUIREMENT_KEYS:
            yield Finding("wrong-type", f"'{key.name}' must be an array of strings, not a table", header.start, header.end)
        elif len(header.key) > 2:
            yield Finding("wrong-type", f"each group of '{key.name}' must be an array, not a table", header.key[2].start, header.end)
        elif header.is_array:
            yield Finding("wrong-type", f"'{key.name}' must be a table, not an array of tables", header.start, header.end)


def _segment_for(kv: KeyValue, depth: int):
    """The key segment of ``kv`` that names ``kv.path[depth]``, if this statement spells it."""
    i = depth - (len(kv.path) - len(kv.key))
    return kv.key[i] if 0 <= i < len(kv.key) else None


def _kind(node) -> str:
    if isinstance(node, ArrayNode):
        return "an array"
    if isinstance(node, InlineTableNode):
        return "a table"
    if isinstance(node, StringNode):
        return "a string"
    return f"'{node.raw}'"  # a scalar (a missing value is the TOML syntax error's business)


def _check_entries(doc: PyprojectDocument) -> Iterator[Finding]:
    for kv in doc.external.entries:
        if not kv.has_equals:
            continue  # a key still being typed: the TOML syntax error says enough
        path, value = kv.path, kv.value
        if len(path) == 1:
            if value is not None and not isinstance(value, InlineTableNode):
                yield Finding("wrong-type", f"'external' must be a table, not {_kind(value)}", kv.start, kv.end)
            continue
        key = path[1]
        if key not in EXTERNAL_KEYS:
            seg = _segment_for(kv, 1)
            if seg is not None:
                yield _unknown_key(key, seg.start, seg.end)
            continue
        if value is None:
            continue
        if key in REQUIREMENT_KEYS:
            if len(path) > 2:
                # Reported where the table is made: at this statement when it spells the
                # key (external.host-requires.a = 1), else at the header or the inline table.
                seg = _segment_for(kv, 2)
                if seg is not None and _segment_for(kv, 1) is not None:
                    yield Finding("wrong-type", f"'{key}' must be an array of strings, not a table", seg.start, kv.end)
            elif not isinstance(value, ArrayNode):
                yield Finding("wrong-type", f"'{key}' must be an array of strings, not {_kind(value)}", value.start, value.end)
            else:
                yield from _check_items(key, value, allow_include=False)
            continue
        # optional-* and dependency-groups: tables of arrays
        if len(path) == 2:
            if not isinstance(value, InlineTableNode):
                yield Finding("wrong-type", f"'{key}' must be a table mapping group names to arrays, not {_kind(value)}", value.start, value.end)
        elif len(path) == 3:
            if not isinstance(value, ArrayNode):
                yield Finding("wrong-type", f"group '{path[2]}' of '{key}' must be an array, not {_kind(value)}", value.start, value.end)
            else:
                yield from _check_items(key, value, allow_include=key == GROUPS_KEY)
        elif _segment_for(kv, 2) is not None:  # as above: once, where the table is made
            # the statement spells the group, so it spells the key under it too
            start = _segment_for(kv, 3).start
            yield Finding("wrong-type", f"group '{path[2]}' of '{key}' must be an array, not a table", start, kv.end)


def _check_items(key: str, array: ArrayNode, allow_include: bool) -> Iterator[Finding]:
    for item in array.items:
        if isinstance(item, StringNode):
            continue
        if allow_include and isinstance(item, InlineTableNode):
            keys = [e.path[-1] for e in item.entries]
            if keys != ["include-group"] or not isinstance(item.entries[0].value, StringNode):
                yield Finding("wrong-type", "a table in a dependency group must be {include-group = \"<group name>\"}", item.start, item.end)
            continue
        what = "strings or {include-group = ...} tables" if allow_include else "strings"
        yield Finding("wrong-type", f"'{key}' holds {what}, not {_kind(item)}", item.start, item.end)


def _group_names(doc: PyprojectDocument) -> set[str]:
    names = {lst.group for lst in doc.external.lists if lst.key == GROUPS_KEY and lst.group}
    return {_normalise_group(n) for n in names}


def _normalise_group(name: str) -> str:
    return canonicalize_name(name)


def _includes(lst: RequirementList) -> Iterator[StringNode]:
    """The ``{include-group = "…"}`` targets of one dependency group, in order."""
    for item in lst.array.items:
        if (
            isinstance(item, InlineTableNode)
            and len(item.entries) == 1
            and item.entries[0].path[-1] == "include-group"
            and isinstance(item.entries[0].value, StringNode)
        ):
            yield item.entries[0].value


def _check_dependency_groups(doc: PyprojectDocument) -> Iterator[Finding]:
    """Group names and includes as the dependency-groups spec (PEP 735) defines them.

    Names "must be valid non-normalized names"; tools "MUST normalize these names before
    comparisons" and "if duplicate names are detected after normalization, tools SHOULD
    emit an error"; an include may not form a cycle.
    """
    groups = [lst for lst in doc.external.lists if lst.key == GROUPS_KEY and lst.group is not None]
    first_spelling: dict[str, str] = {}
    edges: dict[str, list[tuple[str, StringNode]]] = {}
    for lst in groups:
        name = lst.group
        # a group is a statement of its own (or an inline table's entry): it spells its name
        seg = _segment_for(lst.entry, 2)
        start, end = seg.start, seg.end
        try:
            normalised = canonicalize_name(name, validate=True)
        except InvalidName:
            yield Finding(
                "invalid-group-name",
                f"'{name}' is not a valid group name: letters, digits, '.', '-' and '_', starting and ending with a letter or digit",
                start, end,
            )
            normalised = canonicalize_name(name)
        if normalised in first_spelling and first_spelling[normalised] != name:
            yield Finding(
                "duplicate-group-name",
                f"group '{name}' is the same group as '{first_spelling[normalised]}' (both normalise to '{normalised}')",
                start, end, data={"normalised": normalised, "first": first_spelling[normalised]},
            )
        first_spelling.setdefault(normalised, name)
        edges.setdefault(normalised, []).extend(
            (canonicalize_name(t.value), t) for t in _includes(lst) if t.value
        )
    for source, targets in edges.items():
        for target, string in targets:
            path = _include_path(edges, target, source)
            if path is None:
                continue
            shown = " → ".join(first_spelling[g] for g in [source, *path])  # a cycle has defined groups only
            yield Finding(
                "include-group-cycle",
                f"include-group '{string.value}' forms a cycle: {shown}",
                string.start, string.end, data={"cycle": [source, *path]},
            )


def _include_path(edges: dict[str, list[tuple[str, StringNode]]], start: str, goal: str) -> list[str] | None:
    """The shortest chain of includes from ``start`` to ``goal`` (both included), if any."""
    previous: dict[str, str | None] = {start: None}
    queue = [start]
    for node in queue:  # breadth first: the message shows the shortest cycle
        if node == goal:
            path = [node]
            while previous[path[-1]] is not None:
                path.append(previous[path[-1]])
            return path[::-1]
        for nxt, _ in edges.get(node, ()):
            if nxt not in previous:
                previous[nxt] = node
                queue.append(nxt)
    return None


def _check_list(doc: PyprojectDocument, lst: RequirementList, specifiers: list, groups: set[str]) -> Iterator[Finding]:
    seen: dict[str, int] = {}
    if lst.key == GROUPS_KEY:
        for target in _includes(lst):
            if target.value and _normalise_group(target.value) not in groups:
                yield Finding("unknown-include-group", f"include-group '{target.value}': no such group in [external.dependency-groups]", target.start, target.end)
    for listed in specifiers:
        index, string, spec = listed.index, listed.string, listed.spec
        for problem in spec.problems:
            start, end = string_span(string, problem.start, problem.end)
            fixes: tuple[Fix, ...] = ()
            data: dict = {}
            if problem.code == "legacy-depurl" and spec.legacy_replacement:
                fixes = (Fix(f"Migrate to {spec.legacy_replacement.strip()}", (replace_string(string, spec.legacy_replacement),)),)
                data = {"replacement": spec.legacy_replacement}
                start, end = string.content_start, string.content_end
            elif problem.replacement is not None:
                fixed = string.value[: problem.start] + problem.replacement + string.value[problem.end :]
                fixes = (Fix(f"Change to {fixed}", (replace_string(string, fixed),)),)
                data = {"replacement": fixed}
            yield Finding(problem.code, problem.message, start, max(end, start), fixes, data)
        key = " ".join(string.value.split())
        if key in seen:
            fix = Fix("Remove the duplicate", (remove_array_item(doc.text, lst.array, index),))
            yield Finding("duplicate-entry", f"'{string.value}' is already listed in '{_list_name(lst)}'", string.start, string.end, (fix,), {"first_index": seen[key]})
        else:
            seen[key] = index
        # In dependencies a compiler stands for its runtime library (libstdc++, libgfortran…),
        # as PEP 804 mappings' "run" packages do; in host-requires it is a misplaced tool.
        if spec.is_virtual and spec.namespace is not None and spec.namespace.text == "compiler" and lst.key in ("host-requires", "optional-host-requires"):
            yield Finding(
                "compiler-not-in-build-requires",
                f"compilers run on the build machine: '{spec.package_id}' belongs in build-requires "
                f"(or, for its runtime library, in dependencies), not {lst.key}",
                string.start,
                string.end,
            )


def _list_name(lst: RequirementList) -> str:
    return f"{lst.key}.{lst.group}" if lst.group else lst.key
