"""The "Generate shell.nix from [external]" action end to end: a CreateFile edit where the
client can apply one (VS Code), else a command; never overwrites without asking."""

from __future__ import annotations

import shutil

import pytest
from lsprotocol import types as lsp

from conftest import WORKSPACES, Session
from test_nix_environment import expected_shell

pytestmark = pytest.mark.asyncio
FOLDER = WORKSPACES / "nix-shell"
KIND = "source.generateShellNix.pep725"


def answer_requests(client, title: str | None):
    client.asked = []

    @client.feature(lsp.WINDOW_SHOW_MESSAGE_REQUEST)
    def show_message_request(params: lsp.ShowMessageRequestParams):
        client.asked.append(params.message)
        return lsp.MessageActionItem(title=title) if title else None


async def generate_action(s: Session) -> lsp.CodeAction:
    await s.diagnostics()
    actions = await s.code_actions(lsp.Range(lsp.Position(0, 0), lsp.Position(0, 0)), only=[KIND])
    assert [a.kind for a in actions] == [KIND], (actions, s.uri)
    return actions[0]


async def test_generate_creates_shell_nix(client, tmp_path):
    shutil.copy(FOLDER / "pyproject.toml", tmp_path / "pyproject.toml")
    expected = expected_shell()  # the reviewed file, not shell_nix() itself
    s = Session(client, tmp_path / "pyproject.toml").open()
    action = await generate_action(s)
    if action.edit is not None:  # VS Code: documentChanges with resource operations
        create, edit = action.edit.document_changes
        assert isinstance(create, lsp.CreateFile) and create.uri == (tmp_path / "shell.nix").as_uri()
        assert create.options.overwrite is False
        assert edit.edits[0].new_text == expected
    else:  # Neovim: no documentChanges, so the server writes the new file itself
        assert action.command.command == "pep725.generateShellNix"
        answer_requests(client, None)
        await client.workspace_execute_command_async(
            lsp.ExecuteCommandParams(command=action.command.command, arguments=action.command.arguments))
        assert (tmp_path / "shell.nix").read_text() == expected
        assert client.asked == []


@pytest.mark.parametrize("answer", [None, "Cancel", "Replace"])
async def test_existing_shell_nix_needs_confirmation(client, tmp_path, answer):
    shutil.copy(FOLDER / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "shell.nix").write_text("# mine\n")
    answer_requests(client, answer)
    s = Session(client, tmp_path / "pyproject.toml").open()
    action = await generate_action(s)
    assert action.edit is None and "replaces the existing one" in action.title
    client.applied = []

    @client.feature(lsp.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: lsp.ApplyWorkspaceEditParams):
        client.applied.append(params.edit)
        return lsp.ApplyWorkspaceEditResult(applied=True)

    await client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=action.command.command, arguments=action.command.arguments))
    assert len(client.asked) == 1 and "shell.nix exists" in client.asked[0]
    replaced = bool(client.applied) or (tmp_path / "shell.nix").read_text() != "# mine\n"
    assert replaced == (answer == "Replace")
    if client.applied:
        create = client.applied[0].document_changes[0]
        assert create.options.overwrite is True
