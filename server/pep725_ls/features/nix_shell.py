"""The "Generate shell.nix from [external]" source action and its command.

Creates ``shell.nix`` next to the pyproject.toml through a workspace edit. It only ever
writes that one file, and asks before replacing one that exists.
"""

from __future__ import annotations

import os
from pathlib import Path

from lsprotocol import types as lsp
from pygls.uris import from_fs_path, to_fs_path

from ..file_writes import real_target, write_project_file
from ..nix_environment import shell_nix

KIND = "source.generateShellNix.pep725"
COMMAND = "pep725.generateShellNix"
TITLE = "Generate shell.nix from [external]"


def _target(uri: str) -> Path | None:
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return Path(path).with_name("shell.nix") if path else None


def _exists(target: Path) -> bool:
    """Also true for a dangling link: a planted one must not be "created" through."""
    return os.path.lexists(target)


def _refused(target: Path) -> bool:
    try:
        real_target(target)
    except OSError:
        return True
    return False


def _not_written(ls, exc: OSError) -> None:
    ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error,
                                                 message=f"pep725-ls: shell.nix not written: {exc}"))


def _supports_create(ls) -> bool:
    caps = ls.client_capabilities.workspace
    we = caps.workspace_edit if caps else None
    return bool(we and we.document_changes and we.resource_operations and lsp.ResourceOperationKind.Create in we.resource_operations)


def _create_edit(target: Path, text: str, overwrite: bool) -> lsp.WorkspaceEdit:
    uri = from_fs_path(str(target))
    return lsp.WorkspaceEdit(document_changes=[
        lsp.CreateFile(uri=uri, options=lsp.CreateFileOptions(overwrite=overwrite, ignore_if_exists=False)),
        lsp.TextDocumentEdit(
            text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
            edits=[lsp.TextEdit(range=lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)), new_text=text)],
        ),
    ])


def action(ls, uri: str, analysis, lazy: bool) -> lsp.CodeAction | None:
    """The source action, when the file has an [external] table and is valid TOML.

    With ``lazy`` the edit is left to ``resolve_edit`` (codeAction/resolve): editors ask for
    code actions at every cursor move, and the shell is only wanted when chosen.
    """
    target = _target(uri)
    data = analysis.doc.parsed
    if target is None or data is None or not isinstance(data.get("external"), dict) or _refused(target):
        return None
    if not _exists(target) and _supports_create(ls):
        if lazy:
            return lsp.CodeAction(title=TITLE, kind=KIND, data={"uri": uri, "generate": "shell.nix"})
        return lsp.CodeAction(title=TITLE, kind=KIND, edit=_create_edit(target, shell_nix(data, ls.index), overwrite=False))
    title = TITLE + (" (replaces the existing one, after asking)" if _exists(target) else "")
    return lsp.CodeAction(title=title, kind=KIND, command=lsp.Command(title=TITLE, command=COMMAND, arguments=[uri]))


def resolve_edit(ls, uri: str) -> lsp.WorkspaceEdit | None:
    target = _target(uri)
    data = ls.analysis(uri).doc.parsed
    if target is None or data is None or _exists(target) or _refused(target):
        return None
    return _create_edit(target, shell_nix(data, ls.index), overwrite=False)


def register(server) -> None:
    @server.command(COMMAND)
    async def generate(ls, args):
        uri = args[0] if isinstance(args, list) and args else args
        if not isinstance(uri, str) or uri not in ls.workspace.text_documents:
            return None
        target = _target(uri)
        data = ls.analysis(uri).doc.parsed
        if target is None or data is None:
            ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Warning,
                                   message="pep725-ls: fix the TOML errors in pyproject.toml first"))
            return None
        try:
            real_target(target)
        except OSError as exc:
            return _not_written(ls, exc)
        text = shell_nix(data, ls.index)
        exists = _exists(target)
        if exists:
            answer = await ls.window_show_message_request_async(lsp.ShowMessageRequestParams(
                type=lsp.MessageType.Warning,
                message=f"{target} exists. Replace it with one generated from [external]?",
                actions=[lsp.MessageActionItem(title="Replace"), lsp.MessageActionItem(title="Cancel")],
            ))
            if answer is None or answer.title != "Replace":
                return None
        if _supports_create(ls):
            result = await ls.workspace_apply_edit_async(lsp.ApplyWorkspaceEditParams(
                edit=_create_edit(target, text, overwrite=exists), label=TITLE))
            return result.applied if result else None
        try:
            write_project_file(target, text.encode("utf-8"))
        except OSError as exc:
            return _not_written(ls, exc)
        ls.window_show_document(lsp.ShowDocumentParams(uri=from_fs_path(str(target))))
        return True

    del generate
