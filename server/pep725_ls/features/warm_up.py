"""Warm-up: do, while the server is idle after start, what the first requests would pay for.

The first completion, hover, code action or completion resolve of a session took 8-26 ms
where the next ones took 1-4 ms: it loaded data tables (nixpkgs names and attributes) and
cattrs wrote the converters of its request and result types. Shortly after ``initialized``
the server does that work itself, in short steps with pauses between them (a request that
arrives meanwhile waits for one step at most), on a document of its own. Nothing here is
sent to the client; a step that fails is logged and skipped.
"""

from __future__ import annotations

import asyncio
import json
import logging

from lsprotocol import types as lsp
from pygls.protocol.json_rpc import JsonRPCResponseMessage

from .. import depurl
from ..document import PyprojectDocument
from . import completion, hover

log = logging.getLogger(__name__)

START_DELAY = 0.3  # s after initialized: the client's didOpen usually comes first
PAUSE = 0.02  # s between steps

_SAMPLE = '[external]\nhost-requires = ["dep:generic/lib", "pkg:generic/zlib"]\n'
_URI = "untitled:pep725-ls-warm-up/pyproject.toml"


def _steps(ls):
    protocol = ls.protocol
    converter = protocol._converter  # pygls's converter: the one its messages go through
    doc = PyprojectDocument(_SAMPLE)
    name_at = _SAMPLE.index("dep:generic/lib") + len("dep:generic/lib")
    where = {"textDocument": {"uri": _URI}, "position": converter.unstructure(doc.lines.offset_to_position(name_at))}

    def request(method: str, params: dict) -> None:
        protocol.structure_message({"jsonrpc": "2.0", "id": 0, "method": method, "params": params})

    def answer(result) -> None:  # as pygls sends a result
        json.dumps(JsonRPCResponseMessage(id=0, result=result, jsonrpc="2.0"), default=protocol._serialize_message)

    def names() -> None:
        support = ls.completion_support or completion.ClientSupport()
        request(lsp.TEXT_DOCUMENT_COMPLETION, where)
        answer(completion.complete(doc, name_at, ls.index, support))

    def resolve() -> None:
        item = lsp.CompletionItem(label="libpng", data=["libpng", "dep:generic/libpng", 2])
        request(lsp.COMPLETION_ITEM_RESOLVE, converter.unstructure(item))
        answer(completion.resolve(item, ls.index))

    def hovering() -> None:
        request(lsp.TEXT_DOCUMENT_HOVER, where)
        answer(hover.hover(doc, name_at - 1, ls.index))
        hover.hover_markdown(depurl.parse_effective("dep:generic/zlib"), ls.index)

    def code_actions() -> None:
        diagnostic = lsp.Diagnostic(lsp.Range(lsp.Position(1, 0), lsp.Position(1, 1)), "warm-up", code="x",
                                    source="pep725-ls")
        request(lsp.TEXT_DOCUMENT_CODE_ACTION, {
            **where, "range": converter.unstructure(diagnostic.range),
            "context": {"diagnostics": [converter.unstructure(diagnostic)], "triggerKind": 1}})
        edit = lsp.WorkspaceEdit(document_changes=[lsp.TextDocumentEdit(
            lsp.OptionalVersionedTextDocumentIdentifier(uri=_URI, version=1),
            [lsp.TextEdit(diagnostic.range, "x")])])
        action = lsp.CodeAction("warm-up", kind=lsp.CodeActionKind.QuickFix, diagnostics=[diagnostic], edit=edit,
                                is_preferred=True, data={"warm": "up"})
        answer([action])

    settings = ls.settings
    if settings.completion_enable:
        yield names
        yield resolve
    if settings.hover_enable:
        yield hovering
    if settings.code_actions_enable:
        yield code_actions


def prepare_converters(ls) -> None:
    """Have cattrs write the converters of completion and hover messages now (initialize).

    A first completion sent the moment the first diagnostics arrive came before the idle
    warm-up (START_DELAY) had run, and ~5 of its 5 ms went to cattrs generating the
    converters of CompletionParams, CompletionList and the types inside it. That needs no
    data, so it is done while the client waits for the server to start (~4 ms, once per
    process), not while the user waits for a completion list."""
    protocol = ls.protocol
    here = {"textDocument": {"uri": _URI}, "position": {"line": 0, "character": 0}}
    where = lsp.Range(lsp.Position(0, 0), lsp.Position(0, 1))
    settings = ls.settings
    steps = []
    if settings.completion_enable:
        item = lsp.CompletionItem(label="x", kind=lsp.CompletionItemKind.Value, detail="x", sort_text="0",
                                  documentation=lsp.MarkupContent(lsp.MarkupKind.Markdown, "x"),
                                  text_edit=lsp.TextEdit(where, "x"), data=["x", "dep:generic/x", 0])
        steps += [(lsp.TEXT_DOCUMENT_COMPLETION, here, lsp.CompletionList(
                      is_incomplete=True, items=[item], item_defaults=lsp.CompletionItemDefaults(edit_range=where))),
                  (lsp.COMPLETION_ITEM_RESOLVE, {"label": "x", "data": ["x", "dep:generic/x", 0]}, item)]
    if settings.hover_enable:
        steps.append((lsp.TEXT_DOCUMENT_HOVER, here, lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, "x"), where)))
    for method, params, result in steps:
        try:
            protocol.structure_message({"jsonrpc": "2.0", "id": 0, "method": method, "params": params})
            json.dumps(JsonRPCResponseMessage(id=0, result=result, jsonrpc="2.0"), default=protocol._serialize_message)
        except Exception:  # only a lost head start
            log.debug("preparing the converters of %s failed", method, exc_info=True)


async def warm_up(ls) -> None:
    await asyncio.sleep(START_DELAY)
    for step in _steps(ls):
        try:
            step()
        except Exception:  # only a lost head start; never the server's problem
            log.debug("warm-up step %s failed", step.__name__, exc_info=True)
        ls.freeze_long_lived()
        await asyncio.sleep(PAUSE)


def start(ls) -> None:
    ls.warm_up_task = asyncio.ensure_future(warm_up(ls))
