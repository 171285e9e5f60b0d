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
