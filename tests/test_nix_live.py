"""nix_live.py against the real nix (Debian's nix-bin) on a fixture nixpkgs, plus failure modes:
a corrupt cache, nix missing, nix hanging (a fake nix-env that sleeps)."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from pep725_ls import nix_live
from pep725_ls.data_index import DataIndex
from real_tools import debian_tool

WORKSPACES = Path(__file__).parent / "workspaces"
FIXTURE_NIX = WORKSPACES / "nix" / "fixture-nixpkgs.nix"
MAPPING = WORKSPACES / "nix" / "mapping" / "pyproject.toml"


@pytest.fixture(scope="session")
def real_nix() -> str:
    path, reason = debian_tool("nix-env", "nix-bin")
    if path is None:
        pytest.skip(reason)
    return path


@pytest.fixture
def fixture_nixpkgs(monkeypatch):
    monkeypatch.setenv(nix_live.NIXPKGS_ENV, str(FIXTURE_NIX))


def _fake_nix_env(tmp_path: Path, body: str) -> Path:
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    script = bin_dir / "nix-env"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return bin_dir


# -- real nix ------------------------------------------------------------------------------
@pytest.mark.nix
def test_real_nix_env_reads_the_fixture(real_nix, fixture_nixpkgs, tmp_path):
    cache = tmp_path / "cache" / "nixpkgs-meta.json"
    result = nix_live.refresh(["zlib", "openssl", "libpq", "llvmPackages.openmp", "no-such-attr"], "nix-env", 60, cache)
    assert result.ok and not result.from_cache, result.message
    assert set(result.meta) == {"zlib", "openssl", "libpq"}  # missing attributes are skipped
    zlib = result.meta["zlib"]
    assert zlib["version"] == "1.3.1" and zlib["license"] == "Zlib" and zlib["homepage"] == "https://zlib.net"
    assert zlib["outputs"] == ["out", "dev", "static"]
    assert json.loads(cache.read_text())["attrs"]["libpq"]["version"] == "17.2"
    again = nix_live.refresh(["zlib"], "nix-env", 60, cache)
    assert again.ok and again.from_cache and again.meta["zlib"]["version"] == "1.3.1"


@pytest.mark.nix
def test_real_nix_search_reads_the_fixture(real_nix, fixture_nixpkgs, tmp_path):
    result = nix_live.refresh(["zlib", "openssl"], "nix-search", 60, tmp_path / "c.json")
    assert result.ok, result.message
    assert result.meta["openssl"]["version"] == "3.4.0"


@pytest.mark.nix
def test_live_metadata_overlays_the_index(real_nix, fixture_nixpkgs, tmp_path):
    result = nix_live.refresh(["zlib", "libpq"], "nix-env", 60, tmp_path / "c.json")
    index = DataIndex()
    index.set_live_metadata(result.meta, result.source)
    z = index.nixpkgs("dep:generic/zlib").primary
    assert z.live and z.version == "1.3.1" and z.description == "Lossless data-compression library"
    assert "libz.so.1" in z.sonames  # vendored facts the live query does not give are kept


# -- failure modes ----------------------------------------------------------------------------
def test_corrupt_cache_is_removed_and_rebuilt(tmp_path, monkeypatch, fixture_nixpkgs):
    cache = tmp_path / "nixpkgs-meta.json"
    cache.write_text("{not json")
    assert nix_live.read_cache(cache, "nix-env:x") is None
    assert not cache.exists()
    cache.write_text(json.dumps({"version": nix_live.CACHE_VERSION, "created": "soon", "attrs": []}))
    assert nix_live.read_cache(cache, "nix-env:x") is None and not cache.exists()
    # and a refresh rebuilds it (a fake nix-env answering like the real one)
    answer = json.dumps({"zlib": {"name": "zlib-9.9", "pname": "zlib", "version": "9.9", "outputs": {"out": None}, "meta": {}}})
    monkeypatch.setenv("PATH", f"{_fake_nix_env(tmp_path, f'cat <<EOF{chr(10)}{answer}{chr(10)}EOF')}{os.pathsep}{os.environ['PATH']}")
    cache.write_text("\x00garbage")
    result = nix_live.refresh(["zlib"], "nix-env", 10, cache)
    assert result.ok and not result.from_cache and result.meta["zlib"]["version"] == "9.9"
    assert json.loads(cache.read_text())["attrs"]["zlib"]["version"] == "9.9"


def test_stale_cache_or_other_source_is_not_used(tmp_path):
    cache = tmp_path / "c.json"
    nix_live.write_cache(cache, "nix-env:<nixpkgs>", {"zlib": {"version": "1"}})
    assert nix_live.read_cache(cache, "nix-env:<nixpkgs>") == {"zlib": {"version": "1"}}
    assert nix_live.read_cache(cache, "nix-search:<nixpkgs>") is None
    assert nix_live.read_cache(cache, "nix-env:<nixpkgs>", now=time.time() + 2 * nix_live.CACHE_TTL) is None


def test_nix_missing_falls_back(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = nix_live.refresh(["zlib"], "nix-env", 5, tmp_path / "c.json")
    assert not result.ok and "not on PATH" in result.message and "vendored" in result.message


def test_nix_hanging_times_out_and_is_killed(tmp_path, monkeypatch):
    pid_file = tmp_path / "sleeper.pid"
    bin_dir = _fake_nix_env(tmp_path, f"sleep 300 & echo $! > {pid_file}; wait")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    started = time.monotonic()
    result = nix_live.refresh(["zlib"], "nix-env", 0.5, tmp_path / "c.json")
    assert time.monotonic() - started < 10
    assert not result.ok and "did not answer within 0.5 s" in result.message
    sleeper = int(pid_file.read_text())
    time.sleep(0.2)
    assert not Path(f"/proc/{sleeper}").exists() or "Z" in Path(f"/proc/{sleeper}/stat").read_text().split()[2]


def test_nix_failing_falls_back(tmp_path, monkeypatch):
    bin_dir = _fake_nix_env(tmp_path, "echo 'error: file nixpkgs was not found in the Nix search path' >&2; exit 1")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = nix_live.refresh(["zlib"], "nix-env", 5, tmp_path / "c.json")
    assert not result.ok and "was not found in the Nix search path" in result.message


def test_pick_expression_never_reads_the_workspace():
    expr = nix_live.pick_expression(["zlib", "llvmPackages.openmp", "bad\"; builtins.exec"], "<nixpkgs>")
    assert "import <nixpkgs>" in expr and "builtins.exec" not in expr
    path_expr = nix_live.pick_expression(["zlib"], "/some/path with ${x}")
    assert '(/. + "/some/path with \\${x}")' in path_expr


# -- end to end: the server refreshes in the background, with $/progress -------------------------
def _env(tmp_path: Path, extra_path: Path | None = None) -> dict[str, str]:
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"), **{nix_live.NIXPKGS_ENV: str(FIXTURE_NIX)})
    if extra_path:
        env["PATH"] = f"{extra_path}{os.pathsep}{env['PATH']}"
    return env


async def _start(lsp_client: LanguageClient, options: dict) -> None:
    caps = client_capabilities("visual-studio-code")
    await lsp_client.initialize_session(lsp.InitializeParams(
        capabilities=caps, root_uri=WORKSPACES.as_uri(), initialization_options=options))


async def _hover_text(lsp_client: LanguageClient, needle: str) -> str:
    text = MAPPING.read_text("utf-8")
    offset = text.index(needle) + 5
    line = text.count("\n", 0, offset)
    char = offset - (text.rfind("\n", 0, offset) + 1)
    hover = await lsp_client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=MAPPING.as_uri()), position=lsp.Position(line, char)))
    return hover.contents.value


def _open(lsp_client: LanguageClient) -> None:
    lsp_client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=MAPPING.as_uri(), language_id="toml", version=1, text=MAPPING.read_text("utf-8"))))


async def _wait(predicate, timeout: float = 30) -> None:
    import asyncio

    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.05)


@pytest.mark.nix
@pytest.mark.asyncio
async def test_server_refreshes_from_real_nix_with_progress(real_nix, tmp_path):
    config = ClientServerConfig(server_command=[sys.executable, "-m", "pep725_ls"], server_env=_env(tmp_path))
    client = await config.start()
    try:
        await _start(client, {"nix": {"source": "nix-env", "timeout": 60}})
        _open(client)

        def ended():
            return any(isinstance(v, lsp.WorkDoneProgressEnd) for vs in client.progress_reports.values() for v in vs)

        await _wait(ended, 60)
        kinds = [type(v).__name__ for vs in client.progress_reports.values() for v in vs]
        assert kinds[0] == "WorkDoneProgressBegin" and kinds[-1] == "WorkDoneProgressEnd"
        text = await _hover_text(client, "dep:generic/zlib")
        assert "zlib`](https://search.nixos.org/packages?channel=unstable&query=zlib) 1.3.1" in text
        assert "Lossless data-compression library" in text
        assert (tmp_path / "cache" / "pep725-ls" / "nixpkgs-meta.json").exists()
    finally:
        await client.shutdown_session()
        await client.stop()


@pytest.mark.asyncio
async def test_server_falls_back_when_nix_hangs(tmp_path):
    bin_dir = _fake_nix_env(tmp_path, "exec sleep 300")
    config = ClientServerConfig(server_command=[sys.executable, "-m", "pep725_ls"], server_env=_env(tmp_path, bin_dir))
    client = await config.start()
    try:
        await _start(client, {"nix": {"source": "nix-env", "timeout": 1}})
        _open(client)
        # requests are answered while nix hangs
        text = await _hover_text(client, "dep:generic/zlib")
        assert "nix-shell -p zlib" in text
        await _wait(lambda: any("did not answer" in m.message for m in client.messages), 30)
        message = next(m for m in client.messages if "did not answer" in m.message)
        assert message.type == lsp.MessageType.Warning and "vendored" in message.message
    finally:
        await client.shutdown_session()
        await client.stop()


def test_live_metadata_stays_in_the_servers_own_index():
    """Issue 18: the live nix refresh used to change the process-wide default index."""
    from pep725_ls.data_index import default_index
    from pep725_ls.server import create_server

    server = create_server()
    assert server.index is not default_index()
    server.index.set_live_metadata({"zlib": {"version": "9.9"}}, "nix-env")
    assert server.index.nix_attr("zlib").version == "9.9"
    assert default_index().nix_attr("zlib").version != "9.9"
