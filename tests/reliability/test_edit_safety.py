"""Edit safety, as properties: every quick-fix, fix-all, add-missing and ``check --fix``
result parses with tomllib (when the input did), keeps every byte outside its span, is
idempotent, and touches no file but the one named.

tests/test_edits.py covers fix-all on generated ``[external]`` tables and
tests/test_missing_deps.py random add-missing sequences; this adds every individual
quick-fix, add-missing from real findings, the CLI on disk, and the LSP edits' targets.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from lsp_wire import LspProcess, TextModel, server_env
from pep725_ls import cli
from pep725_ls.checks import run_checks
from pep725_ls.data_index import default_index
from pep725_ls.document import PyprojectDocument
from pep725_ls.edits import apply
from pep725_ls.external_edits import add_to_external
from pep725_ls.safe_fixes import fix_all, fix_all_edit
from test_edits import REAL_SHAPED as EDITS_REAL_SHAPED, pyprojects
from test_missing_deps import valid_pyprojects

WORKSPACES = Path(__file__).parent.parent / "workspaces"
GALLERY = sorted(p.read_text("utf-8") for p in (WORKSPACES / "style-gallery").glob("*/pyproject.toml"))
CORE = sorted(p.read_text("utf-8") for p in (WORKSPACES / "core").glob("*/pyproject.toml"))
MISSING = sorted(p.read_text("utf-8") for p in (WORKSPACES / "missing").glob("*/pyproject.toml"))
REAL = [(WORKSPACES / "reliability" / "real-shaped.toml").read_text("utf-8")] + GALLERY + CORE + MISSING + EDITS_REAL_SHAPED
ADDING = ("missing-external-dependency", "missing-build-tool", "venv-missing-library")

documents = st.one_of(pyprojects(), valid_pyprojects(), st.sampled_from(REAL))


def parses(text: str) -> bool:
    try:
        tomllib.loads(text)
        return True
    except tomllib.TOMLDecodeError:
        return False


def assert_outside_unchanged(before: str, after: str, start: int, end: int) -> None:
    assert after[:start] == before[:start]
    assert after[len(after) - (len(before) - end):] == before[end:]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_every_quick_fix(text):
    index = default_index()
    valid = parses(text)
    for finding in run_checks(PyprojectDocument(text), index):
        for fix in finding.fixes:
            if fix.additions:
                edit = add_to_external(text, list(fix.additions))
                if edit is None:
                    continue
                edits = [edit]
            else:
                edits = list(fix.edits)
            new = apply(text, edits)
            if valid or fix.additions:
                assert parses(new), (finding.code, fix.title, new)
            start, end = min(e.start for e in edits), max(e.end for e in edits)
            assert_outside_unchanged(text, new, start, end)
            if fix.additions:  # adding twice adds nothing
                assert add_to_external(new, list(fix.additions)) is None


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_fix_all_and_add_missing_are_minimal_and_idempotent(text):
    index = default_index()
    edit = fix_all_edit(text, index)
    fixed = apply(text, [edit]) if edit else text
    assert fixed == fix_all(text, index)
    if parses(text):
        assert parses(fixed)
    if edit:
        assert_outside_unchanged(text, fixed, edit.start, edit.end)
    assert fix_all_edit(fixed, index) is None  # idempotent
    additions = [a for f in run_checks(PyprojectDocument(fixed), index) if f.code in ADDING and f.fixes
                 for a in f.fixes[0].additions]
    if additions:
        add = add_to_external(fixed, additions)
        if add is not None:
            added = apply(fixed, [add])
            assert parses(added)
            assert_outside_unchanged(fixed, added, add.start, add.end)
            assert add_to_external(added, additions) is None


def snapshot(root: Path) -> dict[str, tuple]:
    out = {}
    for path in sorted(root.rglob("*")):
        st_ = path.lstat()
        out[str(path.relative_to(root))] = (st_.st_mode, st_.st_size, st_.st_mtime_ns,
                                            path.read_bytes() if path.is_file() and not path.is_symlink() else None)
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=documents, bom=st.booleans(), crlf=st.booleans())
def test_check_fix_touches_only_the_named_file(tmp_path_factory, text, bom, crlf):
    root = tmp_path_factory.mktemp("fix")
    if crlf:
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    project = root / "project"
    project.mkdir()
    target = project / "pyproject.toml"
    target.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    (project / "other.toml").write_text(text)  # the same text in a file not named
    (root / "pyproject.toml").write_text(text)  # and in the parent folder
    (project / "link.toml").symlink_to(target)
    before = snapshot(root)
    cwd = os.getcwd()
    os.chdir(project)
    try:
        status = cli.main(["check", "--fix", "--format", "json", "pyproject.toml"])
    finally:
        os.chdir(cwd)
    assert status in (0, 1)
    after = snapshot(root)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert changed <= {"project/pyproject.toml", "project"}, changed  # (the folder's mtime: atomic rename)
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") == bom
    new = raw.decode("utf-8").removeprefix("\ufeff")
    if parses(text):
        assert parses(new)
    if crlf:
        assert "\n" not in new.replace("\r\n", "")
    assert fix_all(new, default_index()) == new  # a second run changes nothing
    assert not list(project.glob(".*.tmp"))


@pytest.mark.out_of_process
def test_lsp_edits_name_only_the_document_and_parse(tmp_path):
    """Over LSP, every action of every kind, on every real-shaped file: edits only for the
    document asked about (or a new shell.nix / flake.nix beside it, created without
    overwriting), nothing written by the server itself, and a result that parses."""
    caps = {"textDocument": {"diagnostic": {}, "codeAction": {
        "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}},
        "resolveSupport": {"properties": ["edit"]}}},
        "workspace": {"workspaceEdit": {"documentChanges": True, "resourceOperations": ["create", "rename", "delete"]}}}
    checked = 0
    with LspProcess(env=server_env()) as server:
        server.initialize(tmp_path, caps)
        for n, text in enumerate(REAL):
            folder = tmp_path / f"p{n}"
            folder.mkdir()
            uri = (folder / "pyproject.toml").as_uri()
            model = TextModel(text)
            server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": text}})
            whole = {"start": {"line": 0, "character": 0}, "end": model.end_position()}
            answer = server.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": whole,
                                                                "context": {"diagnostics": []}})
            assert "error" not in answer, answer
            for action in answer["result"] or []:
                if "edit" not in action:
                    action = server.request("codeAction/resolve", action)["result"]
                created = set()
                for change in (action.get("edit") or {}).get("documentChanges") or []:
                    if "kind" in change:  # only "create shell.nix/flake.nix beside it, never overwrite"
                        assert change["kind"] == "create" and change["uri"] in {
                            (folder / name).as_uri() for name in ("shell.nix", "flake.nix")}, change
                        assert not (change.get("options") or {}).get("overwrite"), change
                        created.add(change["uri"])
                        continue
                    if change["textDocument"]["uri"] in created:
                        continue
                    assert change["textDocument"]["uri"] == uri, change
                    new = model.text
                    for e in sorted(change["edits"], key=lambda e: (e["range"]["start"]["line"], e["range"]["start"]["character"]), reverse=True):
                        new = new[: model.offset(e["range"]["start"])] + e["newText"] + new[model.offset(e["range"]["end"]):]
                    if parses(text) or action.get("kind") == "source.addMissing.pep725":
                        assert parses(new), (action["title"], new)
                    checked += 1
                assert not (action.get("edit") or {}).get("changes") or set(action["edit"]["changes"]) == {uri}
            server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        assert server.shutdown() == 0
    assert checked >= 30
    assert sorted(p.name for p in tmp_path.rglob("*")) == sorted(f"p{n}" for n in range(len(REAL)))  # nothing written
