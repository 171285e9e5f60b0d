"""textDocument/codeAction (+ resolve): the quick-fixes findings carry, and fix-all.

Quick-fixes come from the findings of the current version, so an action never applies
an edit computed for older text. "Fix all" is computed lazily in codeAction/resolve
when the client supports it.
"""

from __future__ import annotations

from lsprotocol import types as lsp

import asyncio

from .. import lsp_conversions
from ..edits import Fix, TextEdit
from ..external_edits import Addition, add_to_external, preferred_additions
from ..safe_fixes import fix_all_edit
from ..document import BIG_DOCUMENT_CHARS
from . import nix_shell

FIX_ALL_KIND = "source.fixAll.pep725"
ADD_MISSING_KIND = "source.addMissing.pep725"
KINDS = [lsp.CodeActionKind.QuickFix, lsp.CodeActionKind.SourceFixAll, FIX_ALL_KIND, ADD_MISSING_KIND, nix_shell.KIND]


def _wanted(only: list[str] | None, kind: str) -> bool:
    if not only:
        return True
    return any(kind == k or kind.startswith(k + ".") for k in only)


def _workspace_edit(ls, uri: str, version: int | None, edits: list[lsp.TextEdit]) -> lsp.WorkspaceEdit:
    caps = ls.client_capabilities.workspace
    if caps and caps.workspace_edit and caps.workspace_edit.document_changes:
        return lsp.WorkspaceEdit(
            document_changes=[
                lsp.TextDocumentEdit(
                    text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version),
                    edits=edits,
                )
            ]
        )
    return lsp.WorkspaceEdit(changes={uri: edits})


def _supports_resolve(ls) -> bool:
    td = ls.client_capabilities.text_document
    ca = td.code_action if td else None
    return bool(ca and ca.resolve_support and "edit" in ca.resolve_support.properties)


WAIT_S = 1.0  # a normal document's first analysis, data loading included, takes ~0.3 s; 1.5 s
# left too little margin under the 2 s bound of tests/reliability/test_hostile_repository.py


async def code_actions(ls, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    if not ls.settings.code_actions_enable:
        return None
    uri = params.text_document.uri
    # Editors ask at every cursor move: answer within WAIT_S, with what needs no findings
    # when they are not ready yet (a hostile document's took seconds); the editor asks
    # again when the diagnostics arrive.
    deadline = asyncio.get_running_loop().time() + WAIT_S
    analysis = await ls.ready_analysis(uri)
    if analysis is None:  # a big document still being parsed: nothing yet, rather than a freeze
        return []
    findings: list | None
    try:
        left = max(0.05, deadline - asyncio.get_running_loop().time())
        analysis, findings = await asyncio.wait_for(asyncio.shield(asyncio.ensure_future(ls.current_findings(uri))), left)
    except asyncio.TimeoutError:
        findings = None
    doc = analysis.doc
    only = params.context.only
    start = lsp_conversions.offset_of(doc, params.range.start)
    end = lsp_conversions.offset_of(doc, params.range.end)
    actions: list[lsp.CodeAction] = []

    if _wanted(only, lsp.CodeActionKind.QuickFix):
        for finding in findings or ():
            if finding.end < start or finding.start > end or not finding.fixes:
                continue
            diag = lsp_conversions.diagnostic(doc, finding, ls.settings)
            for i, fix in enumerate(finding.fixes):
                actions.append(await _action(ls, uri, analysis.version, doc, fix, diag, preferred=fix.preferred and i == 0))

    additions = preferred_additions(findings or ())
    if additions and _wanted(only, ADD_MISSING_KIND):
        action = lsp.CodeAction(
            title=f"Add all missing external dependencies ({len({a.specifier for a in additions})})",
            kind=ADD_MISSING_KIND,
            data={"uri": uri, "version": analysis.version, "additions": [_encode(a) for a in additions]},
        )
        actions.append(action if _supports_resolve(ls) else await resolve(ls, action))

    # (a big document's tomllib pass takes seconds: offered once something else made it)
    big_unread = len(doc.text) >= BIG_DOCUMENT_CHARS and "parsed" not in doc.__dict__
    if _wanted(only, nix_shell.KIND) and (only or not params.context.diagnostics) and not big_unread:
        shell = nix_shell.action(ls, uri, analysis, lazy=_supports_resolve(ls))
        if shell is not None:
            actions.append(shell)

    fixable = [f for f in findings or () if any(x.safe for x in f.fixes)]
    # findings not ready: fix-all is still offered when it can be computed on resolve
    unknown = findings is None and _supports_resolve(ls)
    if fixable or unknown:
        for kind in (FIX_ALL_KIND, lsp.CodeActionKind.SourceFixAll):
            if only and _wanted(only, kind) or (not only and kind == FIX_ALL_KIND):
                action = lsp.CodeAction(
                    title=f"Fix all safe pep725-ls problems ({len(fixable)})" if fixable else "Fix all safe pep725-ls problems",
                    kind=kind,
                    data={"uri": uri, "version": analysis.version},
                )
                if not _supports_resolve(ls):
                    action = await resolve(ls, action)
                actions.append(action)
                break
    return actions


def _encode(a: Addition) -> list:
    return [a.key, a.specifier, a.group]


async def _action(ls, uri, version, doc, fix: Fix, diag, preferred: bool) -> lsp.CodeAction:
    action = lsp.CodeAction(
        title=fix.title,
        kind=fix.kind,
        diagnostics=[diag] if diag else None,
        is_preferred=preferred or None,
    )
    if fix.additions:
        # The edit needs tomlkit: compute it only for the action the user picks.
        action.data = {"uri": uri, "version": version, "additions": [_encode(a) for a in fix.additions]}
        return action if _supports_resolve(ls) else await resolve(ls, action)
    edits = [lsp_conversions.text_edit(doc, e) for e in fix.edits]
    action.edit = _workspace_edit(ls, uri, version, edits)
    return action


async def resolve(ls, action: lsp.CodeAction) -> lsp.CodeAction:
    """Compute the edit of a fix-all or add-DepURLs action, on the current text."""
    data = action.data if isinstance(action.data, dict) else {}
    uri = data.get("uri")
    if not uri or action.edit is not None or uri not in ls.workspace.text_documents:
        return action
    if data.get("generate") == "shell.nix":
        action.edit = nix_shell.resolve_edit(ls, uri)
        return action
    analysis = ls.analysis(uri)
    text = analysis.doc.text
    edit: TextEdit | None
    if "additions" in data:
        try:
            additions = [Addition(k, spec, g) for k, spec, g in data["additions"]]
        except (TypeError, ValueError):
            return action
        edit = await asyncio.to_thread(add_to_external, text, additions)
    else:
        edit = await asyncio.to_thread(fix_all_edit, text, ls.index)
    edits = [lsp_conversions.text_edit(analysis.doc, edit)] if edit else []
    action.edit = _workspace_edit(ls, uri, analysis.version, edits)
    return action


def register(server) -> None:
    nix_shell.register(server)
    server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=KINDS, resolve_provider=True),
    )(code_actions)
    server.feature(lsp.CODE_ACTION_RESOLVE)(resolve)
