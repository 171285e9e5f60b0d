"""textDocument/completion: keys of [external], and DepURLs part by part.

Inside a requirement string the part under the cursor decides what is offered:
``dep:`` → types (``generic/``, ``virtual/``…) → virtual namespaces → names (from the
data index) → version operators after ``@`` → marker variables after ``;``. Every item
carries a textEdit over exactly the part being typed, so nothing is duplicated, whether
or not the string is closed yet.

Lists are as small as the client allows (LSP 3.17): when it takes a list-wide
``itemDefaults.editRange``, items that replace exactly that range carry no edit of their
own; when it resolves ``documentation`` lazily, name items carry only what the list shows
and ``completionItem/resolve`` adds the documentation of the one item the user looks at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lsprotocol import types as lsp

from .. import depurl, lsp_conversions
from ..document import (
    EXTERNAL_KEYS,
    GROUPS_KEY,
    OPTIONAL_KEYS,
    CursorAtKey,
    CursorInArray,
    CursorInString,
    PyprojectDocument,
)
from ..data_index import DataIndex

TRIGGER_CHARACTERS = ['"', "'", ":", "/", "@", ";"]
# A list is for choosing: past 50 names the user types another letter, and the list says it
# is incomplete, so the client asks again. (100 cost twice the time of every name request.)
MAX_ITEMS = 50

_KEY_DOCS = {
    "build-requires": "Tools that run on the build machine: compilers, code generators, build tools.",
    "host-requires": "Libraries built for the target machine and linked against (headers + libraries).",
    "dependencies": "Needed at run time only (becomes `Requires-External-Dep` in core metadata).",
    "optional-build-requires": "Table: extra/feature name → array of build requirements.",
    "optional-host-requires": "Table: extra/feature name → array of host requirements.",
    "optional-dependencies": "Table: extra name → array of runtime dependencies (`Provides-External-Extra`).",
    "dependency-groups": "PEP 735-style groups: name → array of specifiers or `{include-group = \"…\"}`.",
}
_COMMON_TYPES = ("generic", "virtual", "pypi", "github", "bitbucket", "conda", "cargo", "npm")
_OPERATORS = [(">=", "at least"), ("<", "below"), ("==", "exactly"), (">", "above"), ("<=", "at most")]
_MARKERS = [
    ("sys_platform", "'linux', 'darwin', 'win32'…"),
    ("platform_system", "'Linux', 'Darwin', 'Windows'…"),
    ("platform_machine", "'x86_64', 'aarch64', 'arm64'…"),
    ("os_name", "'posix' or 'nt'"),
    ("implementation_name", "'cpython', 'pypy'…"),
    ("platform_python_implementation", "'CPython', 'PyPy'…"),
    ("python_version", "'3.12'…"),
    ("python_full_version", "'3.12.1'…"),
    ("platform_release", "kernel/OS release"),
    ("extra", "an extra's name"),
]
_PART_END = re.compile(r"[^/@?#;\s\"']*")


@dataclass(frozen=True, slots=True)
class ClientSupport:
    """The client's completion capabilities that make lists smaller."""

    default_edit_range: bool = False  # completionList.itemDefaults has "editRange"
    lazy_documentation: bool = False  # completionItem.resolveSupport.properties has "documentation"
    lazy_detail: bool = False  # ... and "detail"

    @classmethod
    def of(cls, capabilities: lsp.ClientCapabilities | None) -> ClientSupport:
        completion = capabilities and capabilities.text_document and capabilities.text_document.completion
        if not completion:
            return cls()
        defaults = completion.completion_list and completion.completion_list.item_defaults or []
        item = completion.completion_item
        resolvable = item and item.resolve_support and item.resolve_support.properties or []
        return cls("editRange" in defaults, "documentation" in resolvable, "detail" in resolvable)


def complete(doc: PyprojectDocument, offset: int, index: DataIndex,
             support: ClientSupport = ClientSupport()) -> lsp.CompletionList | None:
    cursor = doc.cursor(offset)
    if isinstance(cursor, CursorAtKey):
        return _complete_key(doc, cursor)
    if isinstance(cursor, CursorInString):
        return _complete_in_string(doc, cursor, index, support)
    if isinstance(cursor, CursorInArray):
        return _complete_in_array(doc, cursor, offset, index)
    return None


def _item(label, new_text, doc, start, end, kind, detail=None, documentation=None, sort=None, filter_text=None,
          text_range=None):
    # ``text_range``: the LSP range of start..end when the caller has it (one per list, not per item)
    return lsp.CompletionItem(
        label=label,
        kind=kind,
        detail=detail,
        documentation=lsp.MarkupContent(lsp.MarkupKind.Markdown, documentation) if documentation else None,
        sort_text=sort,
        filter_text=filter_text,
        text_edit=lsp.TextEdit(range=text_range or lsp_conversions.lsp_range(doc, start, end), new_text=new_text),
    )


def _complete_key(doc: PyprojectDocument, cursor: CursorAtKey) -> lsp.CompletionList | None:
    if cursor.table == ("external",) and "." not in cursor.prefix:
        lead = ""
    elif cursor.table == () and cursor.prefix.startswith("external."):
        lead = "external."
    else:
        return None
    start = cursor.start
    present = {kv.path[1] for kv in doc.external.entries if len(kv.path) > 1 and kv.has_equals}
    items = []
    for i, key in enumerate(EXTERNAL_KEYS):
        if key in present:
            continue
        table_like = key in OPTIONAL_KEYS or key == GROUPS_KEY
        items.append(
            _item(key, key, doc, start, cursor.end, lsp.CompletionItemKind.Property,
                  detail="table of arrays" if table_like else "array of DepURLs",
                  documentation=_KEY_DOCS[key], sort=f"{i:02d}", filter_text=lead + key if lead else None)
        )
    return lsp.CompletionList(is_incomplete=False, items=items)


def _complete_in_string(doc, cursor: CursorInString, index: DataIndex, support: ClientSupport
                        ) -> lsp.CompletionList | None:
    string = cursor.string
    raw = doc.text[string.content_start : string.content_end]
    at = cursor.offset_in_string
    before = raw[:at]
    base = string.content_start
    part_end = base + at + _PART_END.match(raw, at).end() - at

    if ";" in before:
        return _complete_marker(doc, before, base, part_end)
    lead = len(before) - len(before.lstrip())
    body = before[lead:]
    scheme_end = body.find(":")
    if scheme_end < 0:
        # still typing the scheme: offer "dep:<type>/" for common types
        start = base + lead
        return _complete_types(doc, start, part_end, support, with_scheme=True)
    scheme = body[: scheme_end + 1]
    if scheme not in ("dep:",):
        return None
    rest = body[scheme_end + 1 :]
    if "@" in rest:
        return _complete_version(doc, rest, base + at, part_end)
    if "?" in rest or "#" in rest:
        return None
    segments = rest.split("/")
    seg_start = base + at - len(segments[-1])
    if len(segments) == 1:
        return _complete_types(doc, seg_start, part_end, support, with_scheme=False)
    type_ = segments[0].lower()
    if type_ == depurl.VIRTUAL:
        if len(segments) == 2:
            items = [
                _item(f"{ns}/", f"{ns}/", doc, seg_start, part_end, lsp.CompletionItemKind.Module,
                      detail=f"dep:virtual/{ns}/", sort=f"{i}")
                for i, ns in enumerate(depurl.VIRTUAL_NAMESPACES)
            ]
            return lsp.CompletionList(is_incomplete=False, items=items)
        if len(segments) == 3:
            return _complete_names(doc, index, support, "virtual", segments[1], segments[2], seg_start, part_end)
        return None
    namespace = "/".join(segments[1:-1]) or None
    return _complete_names(doc, index, support, type_, namespace, segments[-1], seg_start, part_end)


def _shared_range_list(doc, start: int, end: int, items: list[lsp.CompletionItem], support: ClientSupport,
                       is_incomplete: bool = False) -> lsp.CompletionList:
    """A list whose items all replace ``start..end`` with their label: the range is said once."""
    text_range = lsp_conversions.lsp_range(doc, start, end)
    if support.default_edit_range:
        return lsp.CompletionList(is_incomplete=is_incomplete, items=items,
                                  item_defaults=lsp.CompletionItemDefaults(edit_range=text_range))
    for item in items:
        item.text_edit = lsp.TextEdit(range=text_range, new_text=item.label)
    return lsp.CompletionList(is_incomplete=is_incomplete, items=items)


def _complete_types(doc, start: int, end: int, support: ClientSupport, with_scheme: bool) -> lsp.CompletionList:
    ordered = list(_COMMON_TYPES) + sorted(t for t in depurl.KNOWN_TYPES if t not in _COMMON_TYPES)
    items = [
        lsp.CompletionItem(label=f"dep:{type_}/" if with_scheme else f"{type_}/", kind=lsp.CompletionItemKind.Module,
                           detail=depurl.KNOWN_TYPES[type_], sort_text=f"{i:03d}")
        for i, type_ in enumerate(ordered)
    ]
    return _shared_range_list(doc, start, end, items, support)


def _complete_names(doc, index: DataIndex, support: ClientSupport, type_: str, namespace: str | None, prefix: str,
                    start: int, end: int):
    found, cut = index.complete_name_ids(type_, namespace, prefix, limit=MAX_ITEMS)
    items = []
    for i, (name, depurl_id, rank) in enumerate(found):
        if support.lazy_detail and support.lazy_documentation:
            # what the list shows; completionItem/resolve adds the rest for the item in view
            item = lsp.CompletionItem(label=name, kind=lsp.CompletionItemKind.Value, sort_text=f"{i:04d}",
                                      data=[name, depurl_id, rank])
        else:
            c = index.candidate(name, depurl_id, rank)
            item = lsp.CompletionItem(label=name, kind=lsp.CompletionItemKind.Value, detail=c.detail,
                                      sort_text=f"{i:04d}")
            if support.lazy_documentation:
                item.data = [name, depurl_id, rank]
            else:
                item.documentation = _name_documentation(c)
        items.append(item)
    return _shared_range_list(doc, start, end, items, support, is_incomplete=cut)


def _name_documentation(candidate) -> lsp.MarkupContent:
    text = f"**{candidate.depurl_id}**\n\n{candidate.documentation}".strip()
    return lsp.MarkupContent(lsp.MarkupKind.Markdown, text)


def resolve(item: lsp.CompletionItem, index: DataIndex) -> lsp.CompletionItem:
    """Add the detail and documentation a name item was sent without (others come back as sent)."""
    data = item.data
    if (isinstance(data, list) and len(data) == 3
            and isinstance(data[0], str) and isinstance(data[1], str) and isinstance(data[2], int)):
        candidate = index.candidate(*data)
        if item.detail is None:
            item.detail = candidate.detail
        if item.documentation is None:
            item.documentation = _name_documentation(candidate)
    return item


def _complete_version(doc, rest: str, cursor: int, end: int) -> lsp.CompletionList | None:
    version = rest.split("@", 1)[1]
    clause = version.split(",")[-1]
    if clause.strip():
        return None
    items = [
        _item(op, op, doc, cursor, cursor, lsp.CompletionItemKind.Operator, detail=what, sort=f"{i}")
        for i, (op, what) in enumerate(_OPERATORS)
    ]
    return lsp.CompletionList(is_incomplete=False, items=items)


def _complete_marker(doc, before: str, base: int, end: int) -> lsp.CompletionList | None:
    marker = before.split(";", 1)[1]
    m = re.search(r"([A-Za-z_]*)$", marker)
    word = m.group(1)
    preceding = marker[: len(marker) - len(word)].rstrip()
    if preceding and not preceding.endswith(("and", "or", "(")):
        return None
    start = base + len(before) - len(word)
    items = [
        _item(name, name, doc, start, end, lsp.CompletionItemKind.Variable, detail=what, sort=f"{i:02d}")
        for i, (name, what) in enumerate(_MARKERS)
    ]
    return lsp.CompletionList(is_incomplete=False, items=items)


def _complete_in_array(doc, cursor: CursorInArray, offset: int, index: DataIndex) -> lsp.CompletionList | None:
    """Between elements: offer whole quoted DepURLs from the registry."""
    quote = '"'
    for _, s in cursor.requirement_list.strings:
        quote = s.quote[:1]
        break
    word = re.search(r"[A-Za-z0-9_:/.-]*$", doc.text[max(0, offset - 200) : offset]).group()
    start = offset - len(word)
    items = []
    ids = ["dep:virtual/compiler/c", "dep:virtual/compiler/cxx"] + [i for i in index.canonical_ids() if "?" not in i]
    seen: set[str] = set()
    for i, depurl_id in enumerate(ids):
        if depurl_id in seen:
            continue
        seen.add(depurl_id)
        entry = index.lookup(depurl_id)
        items.append(
            _item(depurl_id, f"{quote}{depurl_id}{quote}", doc, start, offset, lsp.CompletionItemKind.Value,
                  detail="PEP 804 registry", documentation=entry.description if entry else None, sort=f"{i:04d}",
                  filter_text=depurl_id)
        )
    return lsp.CompletionList(is_incomplete=False, items=items[:MAX_ITEMS])


def register(server) -> None:
    @server.feature(
        lsp.TEXT_DOCUMENT_COMPLETION,
        lsp.CompletionOptions(trigger_characters=TRIGGER_CHARACTERS, resolve_provider=True),
    )
    def completion(ls, params: lsp.CompletionParams):
        if not ls.settings.completion_enable:
            return None
        analysis = yield from ls.ready(params.text_document.uri)
        if analysis is None:
            return None
        offset = lsp_conversions.offset_of(analysis.doc, params.position)
        return complete(analysis.doc, offset, ls.index, ls.completion_support or ClientSupport())

    @server.feature(lsp.COMPLETION_ITEM_RESOLVE)
    def completion_resolve(ls, item: lsp.CompletionItem) -> lsp.CompletionItem:
        return resolve(item, ls.index)

    del completion, completion_resolve
