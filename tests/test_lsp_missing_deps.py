"""Missing external dependencies end to end: diagnostics, quick-fixes (resolved lazily),
"Add all missing external dependencies", and the background virtualenv scan."""

from __future__ import annotations

import asyncio
import shutil
import tomllib

import pytest
from lsprotocol import types as lsp

from conftest import WORKSPACES, Session, workspace_edits
from elf_fixtures import make_venv, needs_cc

pytestmark = pytest.mark.asyncio
MISSING = WORKSPACES / "missing"


async def wait_for_code(s: Session, code: str, timeout: float = 20) -> list[lsp.Diagnostic]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = [d for d in await s.diagnostics() if d.code == code]
        if found or asyncio.get_running_loop().time() > deadline:
            return found
        s.client.diagnostics.pop(s.uri, None)
        await asyncio.sleep(0.2)


async def quick_fix(s: Session, diag: lsp.Diagnostic, title_start: str) -> str:
    actions = await s.code_actions(diag.range, [diag], only=[lsp.CodeActionKind.QuickFix])
    chosen = [a for a in actions if a.title.startswith(title_start)]
    assert chosen, [a.title for a in actions]
    return s.apply(workspace_edits(chosen[0].edit, s.uri))


async def test_psycopg2_diagnostic_and_fix(client):
    s = Session(client, MISSING / "psycopg2/pyproject.toml").open()
    [diag] = [d for d in await s.diagnostics() if d.code == "missing-external-dependency"]
    assert diag.severity == lsp.DiagnosticSeverity.Warning
    assert "psycopg2 links against libpq" in diag.message
    new = await quick_fix(s, diag, "Add dep:generic/libpq to [external].dependencies")
    assert new.startswith(s.text)
    assert tomllib.loads(new)["external"]["dependencies"] == ["dep:generic/libpq"]
    await s.change(new)
    assert [d for d in await s.diagnostics() if d.code == "missing-external-dependency"] == []


async def test_maturin_rust_compiler(client):
    s = Session(client, MISSING / "maturin/pyproject.toml").open()
    [diag] = [d for d in await s.diagnostics() if d.code == "missing-build-tool"]
    new = await quick_fix(s, diag, "Add dep:virtual/compiler/rust")
    assert tomllib.loads(new)["external"]["build-requires"] == ["dep:virtual/compiler/rust"]


async def test_add_all_missing_source_action(client):
    text = (MISSING / "lxml/pyproject.toml").read_text().replace('"requests"', '"requests", "psycopg2"')
    s = Session(client, MISSING / "lxml/pyproject.toml", text=text).open()
    await s.diagnostics()
    everything = lsp.Range(lsp.Position(0, 0), lsp.Position(100, 0))
    [action] = await s.code_actions(everything, only=["source.addMissing.pep725"])
    assert action.title.startswith("Add all missing external dependencies")
    data = tomllib.loads(s.apply(workspace_edits(action.edit, s.uri)))["external"]
    assert data["build-requires"] == ["dep:virtual/compiler/c"]
    assert "dep:generic/libpq" in data["dependencies"]
    assert any(d.startswith("dep:generic/libxslt;") for d in data["dependencies"])


@needs_cc
async def test_virtualenv_shared_library(client, tmp_path):
    make_venv(tmp_path)
    shutil.copy(MISSING / "psycopg2/pyproject.toml", tmp_path / "pyproject.toml")
    s = Session(client, tmp_path / "pyproject.toml").open()
    found = await wait_for_code(s, "venv-missing-library")
    assert len(found) == 1, [d.message for d in await s.diagnostics()]
    assert "libz.so.1" in found[0].message and "dep:generic/zlib" in found[0].message
    new = await quick_fix(s, found[0], "Add dep:generic/zlib to [external].dependencies")
    assert tomllib.loads(new)["external"]["dependencies"] == ["dep:generic/zlib"]


async def test_add_dependency_edit_ends_within_the_document(client):
    """The edit appending [external] ends on the last line, not on the line after it (Neovim
    0.11 adds a line for such a range, and the file ends in a blank line)."""
    s = Session(client, MISSING / "psycopg2/pyproject.toml").open()
    assert s.text.endswith("\n")
    last_line = s.text.count("\n") - 1  # the editor's last line: the final line break ends it
    [diag] = [d for d in await s.diagnostics() if d.code == "missing-external-dependency"]
    actions = await s.code_actions(diag.range, [diag], only=[lsp.CodeActionKind.QuickFix])
    [action] = [a for a in actions if a.title.startswith("Add dep:generic/libpq to [external].dependencies")]
    edits = workspace_edits(action.edit, s.uri)
    assert edits
    for edit in edits:
        assert edit.range.start.line <= last_line and edit.range.end.line <= last_line, edit.range
    new = s.apply(edits)
    assert new.startswith(s.text) and new.endswith('"]\n') and not new.endswith("\n\n")
