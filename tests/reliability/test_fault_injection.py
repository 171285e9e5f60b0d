"""Fault injection for everything outside the server process, against the real server:
nix (missing, slow, failing, garbage, wrong-shaped JSON, killed), the metadata cache
(corrupt, its folder unusable, the disk full) and the virtualenv (FIFO and socket named
.so, non-ELF .so, truncated ELF, broken symlink). Each fault must give a clear message —
window/showMessage, window/logMessage, or a line of the server log — while the server
keeps answering from its vendored data."""

from __future__ import annotations

import json
import os
import resource
import socket
import time
from pathlib import Path

import pytest

from elf_fixtures import make_venv, needs_cc
from lsp_wire import LspProcess, server_env

WORKSPACES = Path(__file__).parent.parent / "workspaces"
MAPPING = WORKSPACES / "nix" / "mapping" / "pyproject.toml"
FAKE_ZLIB = json.dumps({"zlib": {"name": "zlib-9.9", "pname": "zlib", "version": "9.9", "outputs": {"out": None}, "meta": {}}})
CAPS = {"window": {"showMessage": {}}, "textDocument": {"diagnostic": {}}}


def fake_nix_env(tmp_path: Path, body: str) -> Path:
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "nix-env"
    script.write_text("#!/bin/sh\n" + body + "\n")
    script.chmod(0o755)
    return bin_dir


def nix_env_for(tmp_path: Path, bin_dir: Path | None, cache_home: Path | None = None) -> dict[str, str]:
    path = f"{bin_dir}{os.pathsep}/usr/bin:/bin" if bin_dir else str(tmp_path / "no-nix-here")
    return server_env(PATH=path, XDG_CACHE_HOME=str(cache_home or tmp_path / "cache"),
                      PEP725_LS_NIXPKGS=str(WORKSPACES / "nix" / "fixture-nixpkgs.nix"))


def open_mapping(server: LspProcess) -> None:
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": MAPPING.as_uri(), "languageId": "toml", "version": 1, "text": MAPPING.read_text("utf-8")}})


def zlib_hover(server: LspProcess) -> str:
    text = MAPPING.read_text("utf-8")
    offset = text.index("dep:generic/zlib") + 5
    position = {"line": text.count("\n", 0, offset), "character": offset - (text.rfind("\n", 0, offset) + 1)}
    answer = server.request("textDocument/hover", {"textDocument": {"uri": MAPPING.as_uri()}, "position": position})
    assert "error" not in answer, answer
    return answer["result"]["contents"]["value"]


def wait_until(predicate, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def finish(server: LspProcess) -> str:
    assert server.shutdown() == 0
    err = server.stderr()
    assert "Traceback" not in err, err[-4000:]
    return err


NIX_FAULTS = {
    # name: (nix-env script body or None when nix is missing, timeout s, what the message says)
    "missing": (None, 5, "nix-env is not on PATH; using the vendored nixpkgs data"),
    "slow": ("exec sleep 300", 1, "nix-env did not answer within 1 s; using the vendored nixpkgs data"),
    "failing": ("echo 'error: file nixpkgs was not found in the Nix search path' >&2; exit 1", 10,
                "nix-env failed (error: file nixpkgs was not found in the Nix search path)"),
    "garbage-json": ("echo '{not json'", 10, "nix-env failed (Expecting property name enclosed in double quotes"),
    "binary-garbage": ("printf '\\377\\376\\000garbage'", 10, "nix-env failed ('utf-8' codec can't decode"),
    "json-list": ("echo '[1, 2, 3]'", 10, "nix-env answered JSON of an unexpected shape"),
    "json-wrong-fields": ("echo '{\"zlib\": {\"meta\": \"x\", \"outputs\": 5}}'", 10, "nix-env answered JSON of an unexpected shape"),
    "killed": ("kill -9 $$", 10, "fakebin/nix-env exited with -9); using the vendored nixpkgs data"),
    "empty-output": ("true", 10, "nix-env failed (Expecting value"),
}


@pytest.mark.parametrize("fault", list(NIX_FAULTS))
def test_nix_faults_fall_back_to_vendored_data(tmp_path, fault):
    body, timeout, expected = NIX_FAULTS[fault]
    bin_dir = fake_nix_env(tmp_path, body) if body is not None else None
    with LspProcess(env=nix_env_for(tmp_path, bin_dir)) as server:
        server.initialize(WORKSPACES, CAPS, {"nix": {"source": "nix-env", "timeout": timeout}})
        open_mapping(server)
        assert "nix-shell -p zlib" in zlib_hover(server)  # answered while nix is being asked
        shown = server.wait_for_notification(
            lambda n: n.get("method") == "window/showMessage" and "nixpkgs data" in n["params"]["message"], 30)
        assert shown["params"]["type"] == 2  # Warning
        assert expected in shown["params"]["message"], shown
        hover = zlib_hover(server)
        assert "nix-shell -p zlib" in hover and "9.9" not in hover  # still the vendored data
        finish(server)
    assert not (tmp_path / "cache" / "pep725-ls" / "nixpkgs-meta.json").exists()


def _refresh_ok(server: LspProcess) -> None:
    wait_until(lambda: "9.9" in zlib_hover(server), 30)


def test_corrupt_cache_is_rebuilt(tmp_path):
    cache = tmp_path / "cache" / "pep725-ls" / "nixpkgs-meta.json"
    cache.parent.mkdir(parents=True)
    cache.write_bytes(b"\x00\xff{corrupt")
    bin_dir = fake_nix_env(tmp_path, f"cat <<'EOF'\n{FAKE_ZLIB}\nEOF")
    with LspProcess(env=nix_env_for(tmp_path, bin_dir)) as server:
        server.initialize(WORKSPACES, CAPS, {"nix": {"source": "nix-env", "timeout": 10}})
        open_mapping(server)
        _refresh_ok(server)
        err = finish(server)
    assert "is corrupt" in err and "rebuilding it" in err
    assert json.loads(cache.read_text())["attrs"]["zlib"]["version"] == "9.9"


def test_cache_folder_unusable(tmp_path):
    """XDG_CACHE_HOME is a regular file (root ignores permission bits, so this is how an
    unwritable cache folder looks to root): the refresh still applies, the log says why
    nothing was cached."""
    not_a_dir = tmp_path / "cache-is-a-file"
    not_a_dir.write_text("")
    bin_dir = fake_nix_env(tmp_path, f"cat <<'EOF'\n{FAKE_ZLIB}\nEOF")
    with LspProcess(env=nix_env_for(tmp_path, bin_dir, cache_home=not_a_dir)) as server:
        server.initialize(WORKSPACES, CAPS, {"nix": {"source": "nix-env", "timeout": 10}})
        open_mapping(server)
        _refresh_ok(server)
        err = finish(server)
    assert "cannot write nixpkgs cache" in err


def test_disk_full_while_writing_the_cache(tmp_path):
    """RLIMIT_FSIZE makes every write past 64 KiB fail with EFBIG, as a full disk would
    (Python ignores SIGXFSZ). The answer of the fake nix is ~1 MB, so the cache write
    fails half-way: no cache, no temporary file left behind, data still applied."""
    big = {f"attr{i}": {"name": f"attr{i}-1.0", "version": "1.0", "meta": {"description": "x" * 400}} for i in range(2500)}
    big["zlib"] = json.loads(FAKE_ZLIB)["zlib"]
    answer = tmp_path / "answer.json"
    answer.write_text(json.dumps(big))
    bin_dir = fake_nix_env(tmp_path, f"cat {answer}")

    def limit_file_size():
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    with LspProcess(env=nix_env_for(tmp_path, bin_dir), preexec_fn=limit_file_size) as server:
        server.initialize(WORKSPACES, CAPS, {"nix": {"source": "nix-env", "timeout": 20}})
        open_mapping(server)
        _refresh_ok(server)
        err = finish(server)
    assert "cannot write nixpkgs cache" in err and "File too large" in err
    folder = tmp_path / "cache" / "pep725-ls"
    assert not list(folder.glob("*nixpkgs-meta*")), list(folder.iterdir())


@needs_cc
def test_virtualenv_faults_are_reported_and_scanning_goes_on(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    venv = make_venv(project)  # non-ELF fake.so, truncated.so, dangling.so symlink
    site = next(venv.glob("lib/python*/site-packages"))
    os.mkfifo(site / "notelf" / "pipe.so")  # open() on it would block for ever
    sock = socket.socket(socket.AF_UNIX)
    here = os.getcwd()
    os.chdir(site / "notelf")  # a socket's path must be short: bind it relative
    try:
        sock.bind("socket.so")
    finally:
        os.chdir(here)
    (site / "notelf" / "empty.so").write_bytes(b"")
    (site / "notelf" / "elf-magic-only.so").write_bytes(b"\x7fELF")
    (site / "notelf" / "loop.so").symlink_to(site / "notelf" / "loop.so")
    text = '[project]\nname = "withvenv"\nversion = "1"\n'
    (project / "pyproject.toml").write_text(text)
    uri = (project / "pyproject.toml").as_uri()
    try:
        with LspProcess(env=server_env()) as server:
            server.initialize(project, CAPS)
            server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": text}})
            wait_until(lambda: sum("venv scan" in m for m in server.messages()) >= 5, 30)
            messages = "\n".join(server.messages())
            for fragment in ["notelf/truncated.so: damaged ELF file", "notelf/dangling.so: No such file or directory",
                             "notelf/pipe.so: not a regular file", "notelf/socket.so: not a regular file",
                             "notelf/elf-magic-only.so: damaged ELF file", "notelf/loop.so:"]:
                assert fragment in messages, messages
            items = server.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})["result"]["items"]
            assert [d["code"] for d in items] == ["venv-missing-library"] and "libz.so.1" in items[0]["message"]
            finish(server)
    finally:
        sock.close()
