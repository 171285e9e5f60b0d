"""Quick-fixes end to end: apply the server's edit as the editor would, then check the file.

Every edit must leave valid TOML and change nothing outside its span.
"""

from __future__ import annotations

import tomllib

import pytest
from lsprotocol import types as lsp

from conftest import WORKSPACES, Session, workspace_edits

pytestmark = pytest.mark.asyncio


async def fix(s: Session, code: str, title_start: str, about: str = "") -> str:
    diagnostics = [d for d in await s.diagnostics() if d.code == code and about in d.message]
    assert diagnostics, f"no {code} diagnostic about {about!r}"
    diag = diagnostics[0]
    actions = await s.code_actions(diag.range, [diag], only=[lsp.CodeActionKind.QuickFix])
    chosen = [a for a in actions if a.title.startswith(title_start)]
    assert chosen, f"no action {title_start!r} in {[a.title for a in actions]}"
    assert chosen[0].kind == lsp.CodeActionKind.QuickFix
    return s.apply(workspace_edits(chosen[0].edit, s.uri))


def assert_only_span_changed(old: str, new: str, expected_old: str, expected_new: str) -> None:
    """``new`` is ``old`` with exactly one occurrence of ``expected_old`` replaced."""
    assert old.count(expected_old) >= 1
    candidates = {old[:i] + expected_new + old[i + len(expected_old):] for i in _find_all(old, expected_old)}
    assert new in candidates
    tomllib.loads(new)


def _find_all(text, needle):
    i = text.find(needle)
    while i >= 0:
        yield i
        i = text.find(needle, i + 1)


async def test_migrate_legacy_form(client):
    s = Session(client, WORKSPACES / "core/legacy-depurl/pyproject.toml").open()
    new = await fix(s, "legacy-depurl", "Migrate to dep:generic/zlib", about="dep:generic/zlib")
    assert_only_span_changed(s.text, new, '"pkg:generic/zlib"', '"dep:generic/zlib"')


async def test_fix_registry_typo(client):
    s = Session(client, WORKSPACES / "core/unknown-name/pyproject.toml").open()
    new = await fix(s, "unknown-name", "Change to dep:virtual/compiler/cxx", about="compiler/cpp")
    assert_only_span_changed(s.text, new, '"dep:virtual/compiler/cpp"', '"dep:virtual/compiler/cxx"')


async def test_remove_duplicate_removes_its_line(client):
    s = Session(client, WORKSPACES / "core/duplicate-entry/pyproject.toml").open()
    new = await fix(s, "duplicate-entry", "Remove the duplicate")
    assert_only_span_changed(s.text, new, '  "dep:generic/openssl",\n  "dep:generic/zlib",\n', '  "dep:generic/openssl",\n')
    assert tomllib.loads(new)["external"]["host-requires"] == ["dep:generic/zlib", "dep:generic/openssl"]


async def test_fix_all_migrates_the_whole_file(client):
    s = Session(client, WORKSPACES / "core/legacy-depurl/pyproject.toml").open()
    diagnostics = await s.diagnostics()
    everything = lsp.Range(lsp.Position(0, 0), lsp.Position(len(s.text.splitlines()) + 1, 0))
    actions = await s.code_actions(everything, diagnostics, only=["source.fixAll.pep725"])
    assert [a.kind for a in actions] == ["source.fixAll.pep725"]
    new = s.apply(workspace_edits(actions[0].edit, s.uri))
    data = tomllib.loads(new)
    assert data["external"]["build-requires"] == ["dep:virtual/compiler/c", "dep:generic/pkg-config"]
    assert data["external"]["host-requires"] == ["dep:generic/zlib", "dep:generic/openssl"]
    assert new.replace("dep:virtual/", "virtual:").replace("dep:", "pkg:") == s.text.replace("dep:", "pkg:")
    await s.change(new)
    assert await s.diagnostics() == []


async def test_fix_on_crlf_file_keeps_crlf(client):
    text = '[external]\r\nhost-requires = [\r\n  "pkg:generic/zlib",  # z\r\n  "dep:generic/zlib",\r\n]\r\n'
    s = Session(client, WORKSPACES / "core/clean/pyproject.toml", text=text).open()
    new = await fix(s, "legacy-depurl", "Migrate")
    assert new == text.replace("pkg:", "dep:", 1)
    await s.change(new)
    new2 = await fix(s, "duplicate-entry", "Remove")
    assert new2 == '[external]\r\nhost-requires = [\r\n  "dep:generic/zlib",  # z\r\n]\r\n'
