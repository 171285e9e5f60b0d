"""Malformed protocol input, at the byte level, against the real process: the server
answers with JSON-RPC errors where the protocol has one, drops what cannot be framed,
and in every case stays alive and answers the next well-formed request."""

from __future__ import annotations

import json
import os

import pytest

from lsp_wire import SERVER, LspProcess, frame, server_env

HOVER_NOWHERE = {"textDocument": {"uri": "file:///nonexistent/pyproject.toml"}, "position": {"line": 0, "character": 0}}


@pytest.fixture
def server(tmp_path):
    with LspProcess(env=server_env()) as proc:
        yield proc
        assert proc.proc.poll() in (None, 0), proc.stderr()  # running, or ended by shutdown/exit


def still_serving(server: LspProcess, tmp_path) -> None:
    """A well-formed request on a real document is answered normally."""
    uri = (tmp_path / "pyproject.toml").as_uri()
    server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "toml", "version": 1,
                                                           "text": '[external]\nhost-requires = ["dep:generic/zlib"]\n'}})
    answer = server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 1, "character": 22}})
    assert "result" in answer and "dep:generic/zlib" in answer["result"]["contents"]["value"], answer


def test_requests_before_initialize_get_an_error_and_initialize_still_works(server, tmp_path):
    answer = server.request("textDocument/hover", HOVER_NOWHERE, timeout=10)
    assert answer["error"]["code"] == -32601 and "textDocument/hover" in answer["error"]["message"]
    server.initialize(tmp_path, {})
    still_serving(server, tmp_path)
    assert server.shutdown() == 0


def test_unknown_methods(server, tmp_path):
    server.initialize(tmp_path, {})
    answer = server.request("pep725/noSuchMethod", {"x": 1})
    assert answer["error"]["code"] == -32601  # MethodNotFound
    server.notify("pep725/noSuchNotification", {})
    server.notify("$/noSuchProtocolNotification", {})
    still_serving(server, tmp_path)
    assert server.shutdown() == 0


def test_request_with_params_of_the_wrong_shape_gets_invalid_params(server, tmp_path):
    """pygls logged and dropped such a request, leaving the client waiting (fixed)."""
    server.initialize(tmp_path, {})
    for params in [{"textDocument": 42}, {"position": "here"}, [1, 2]]:
        answer = server.request("textDocument/hover", params)
        assert answer["error"]["code"] == -32602, answer  # InvalidParams
    still_serving(server, tmp_path)
    assert server.shutdown() == 0


def test_request_for_a_document_never_opened_is_answered_without_error(server, tmp_path):
    """pygls reads unopened documents from disk; a missing file was an internal error (fixed)."""
    server.initialize(tmp_path, {})
    for method, params in [("textDocument/hover", HOVER_NOWHERE), ("textDocument/completion", HOVER_NOWHERE),
                           ("textDocument/documentLink", {"textDocument": HOVER_NOWHERE["textDocument"]})]:
        answer = server.request(method, params)
        assert "error" not in answer, answer
    assert server.shutdown() == 0
    assert "Traceback" not in server.stderr()


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a regression must not take the machine with it


def test_requests_for_unopened_fifo_device_folder_or_huge_file_never_hang_or_read_them(tmp_path):
    """A request may name a file never opened. pygls read it on the event loop: a FIFO hung
    the server for good, /dev/zero grew it without bound, a huge file was read whole (fixed:
    file_reads.py reads regular files up to 8 MiB, non-blocking)."""
    start = '[external]\nhost-requires = ["dep:generic/zlib"]\n'
    (tmp_path / "fifo").mkdir()
    os.mkfifo(tmp_path / "fifo" / "pyproject.toml")
    (tmp_path / "folder" / "pyproject.toml").mkdir(parents=True)
    huge = tmp_path / "huge" / "pyproject.toml"
    huge.parent.mkdir()
    with open(huge, "wb") as f:  # sparse: 64 MiB on paper, a few bytes on disk
        f.write(start.encode())
        f.truncate(64 << 20)
    small = tmp_path / "small" / "pyproject.toml"
    small.parent.mkdir()
    small.write_text(start)
    hover_at = {"line": 1, "character": 22}
    with LspProcess(env=server_env(), preexec_fn=_limit_memory) as proc:
        proc.initialize(tmp_path, {})
        for uri in [(tmp_path / "fifo" / "pyproject.toml").as_uri(), "file:///dev/zero", (tmp_path / "folder" / "pyproject.toml").as_uri(),
                    huge.as_uri()]:
            for method, params in [("textDocument/hover", {"position": hover_at}), ("textDocument/completion", {"position": hover_at}),
                                   ("textDocument/documentLink", {}), ("textDocument/inlayHint", {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}}}),
                                   ("textDocument/codeAction", {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}}, "context": {"diagnostics": []}})]:
                answer = proc.request(method, {"textDocument": {"uri": uri}, **params}, timeout=10)
                assert "error" not in answer or answer["error"]["code"] == -32601, (uri, method, answer)  # -32601: feature not offered
                assert not answer.get("result"), (uri, method, answer)  # nothing read, nothing said
        # a regular file of sane size is still read, as before
        answer = proc.request("textDocument/hover", {"textDocument": {"uri": small.as_uri()}, "position": hover_at}, timeout=10)
        assert "dep:generic/zlib" in answer["result"]["contents"]["value"], answer
        assert proc.shutdown() == 0


@pytest.mark.parametrize("body", [
    b'{"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover", "params": {',  # cut short
    b"\xff\xfe not even utf-8",
    b"[1, 2, 3]",
    b'"a string"',
    b"null",
    b'{"jsonrpc": "2.0", "id": 98}',  # a response to nothing
    b'{"id": 97, "method": "textDocument/hover"}',  # no jsonrpc member
    b'{"jsonrpc": "1.0", "id": 96, "method": "shutdown"}',
    b"{}",
])
def test_invalid_json_bodies_are_dropped(server, tmp_path, body):
    server.initialize(tmp_path, {})
    server.send_bytes(frame(body))
    still_serving(server, tmp_path)
    assert server.shutdown() == 0


@pytest.mark.parametrize("header", [
    b"Content-Length: abc\r\n\r\n",
    b"Content-Length: -5\r\n\r\n",
    b"Content-Length: 99999999999999999999\r\n\r\n",
    b"Content-Length: 1073741824\r\n\r\n",  # 1 GiB announced
    b"X-Other: 1\r\n\r\n",  # no Content-Length at all
    b"content-length: 2\r\n\r\n{}",  # wrong case: not recognised
    b"Content-Length: 2\n\n{}",  # bare LF
    b"\r\n\r\n\r\n",
    b"Content-Length: 10\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{\"a\": 1}  ",
])
def test_bad_framing_loses_at_most_the_next_message(server, tmp_path, header):
    """A header the server cannot use desynchronises the stream until the next header line
    it recognises; a stream protocol cannot do better. It must never die or hang."""
    server.initialize(tmp_path, {})
    server.send_bytes(header + b"\r\n")
    # one sacrificial message may be swallowed into the broken frame
    server.send({"jsonrpc": "2.0", "method": "$/sacrificial"})
    server.send_bytes(b"\r\n")
    still_serving(server, tmp_path)
    assert server.shutdown() == 0


def test_content_length_too_short_then_recovery(server, tmp_path):
    server.initialize(tmp_path, {})
    shutdown = json.dumps({"jsonrpc": "2.0", "id": 500, "method": "shutdown"}).encode()
    server.send_bytes(b"Content-Length: 5\r\n\r\n" + shutdown + b"\r\n")  # 5 bytes of JSON, the rest junk headers
    still_serving(server, tmp_path)
    assert 500 not in server.responses  # the cut-off shutdown was not executed
    assert server.shutdown() == 0


def test_content_length_too_long_waits_for_the_bytes(server, tmp_path):
    """A frame that announces more than it sends swallows what follows (nothing else is
    possible); the server keeps reading and serves the next complete frame."""
    server.initialize(tmp_path, {})
    body = json.dumps({"jsonrpc": "2.0", "method": "$/x"}).encode()
    server.send_bytes(b"Content-Length: %d\r\n\r\n" % (len(body) + 40) + body)
    server.send_bytes(b" " * 40)  # the missing bytes arrive late
    still_serving(server, tmp_path)
    assert server.shutdown() == 0


def test_cancel_request(server, tmp_path):
    server.initialize(tmp_path, {})
    uri = (tmp_path / "pyproject.toml").as_uri()
    server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "toml", "version": 1,
                                                           "text": '[external]\nhost-requires = ["dep:generic/zlib"]\n' * 200}})
    server.notify("$/cancelRequest", {"id": 123456})  # unknown id: ignored
    server.notify("$/cancelRequest", {"id": "not-an-id-we-sent"})
    ids = [server.request_nowait("textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 400, "character": 0}},
        "context": {"diagnostics": []}}) for _ in range(5)]
    for request_id in ids:
        server.notify("$/cancelRequest", {"id": request_id})
    for request_id in ids:  # every request is answered: with its result or RequestCancelled
        answer = server.wait(request_id)
        assert "result" in answer or answer["error"]["code"] in (-32800, -32603), answer
    still_serving(server, tmp_path)
    assert server.shutdown() == 0


def test_exit_without_shutdown_and_stdin_closed(tmp_path):
    with LspProcess(env=server_env()) as server:
        server.initialize(tmp_path, {})
        server.notify("exit")
        assert server.proc.wait(20) in (0, 1)
    with LspProcess(env=server_env()) as server:
        server.initialize(tmp_path, {})
        server.proc.stdin.close()  # the editor went away
        assert server.proc.wait(20) == 0
        assert "Traceback" not in server.stderr()


def test_a_header_line_of_megabytes_is_dropped(server, tmp_path):
    """stdin is read by the event loop with a bounded line buffer (stdio_transport.py)."""
    server.initialize(tmp_path, {})
    server.send_bytes(b"X-Junk: " + b"x" * (3 * 1024 * 1024) + b"\r\n\r\n")
    still_serving(server, tmp_path)
    assert server.shutdown() == 0


def test_stdin_closed_in_the_middle_of_a_body(tmp_path):
    with LspProcess(env=server_env()) as server:
        server.initialize(tmp_path, {})
        server.send_bytes(b"Content-Length: 500\r\n\r\n" + b'{"jsonrpc": "2.0", "id": 7, ')
        server.proc.stdin.close()
        assert server.proc.wait(20) == 0
        assert "Traceback" not in server.stderr()


def test_stdin_from_a_regular_file(tmp_path):
    """A file cannot be watched by the event loop; the server reads it through threads."""
    import subprocess

    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None,
                                                                       "capabilities": {}}},
        {"jsonrpc": "2.0", "method": "initialized", "params": {}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    script = tmp_path / "session.jsonrpc"
    script.write_bytes(b"".join(frame(json.dumps(m).encode()) for m in messages))
    with open(script, "rb") as stdin:
        done = subprocess.run(SERVER, stdin=stdin, capture_output=True, env=server_env(), timeout=60)
    assert done.returncode == 0, done.stderr.decode()
    assert b'"id": 1' in done.stdout and b'"capabilities"' in done.stdout
    assert b'"id": 2' in done.stdout


def test_exit_without_shutdown_exits_with_code_1(tmp_path):
    """LSP: "exit" ends the process with 0 after a shutdown request, 1 without one (was 0)."""
    with LspProcess(env=server_env()) as proc:
        proc.initialize(tmp_path, {})
        still_serving(proc, tmp_path)
        proc.notify("exit")
        assert proc.proc.wait(20) == 1, proc.stderr()


def test_requests_after_shutdown_get_invalid_request(server, tmp_path):
    """LSP: after shutdown, requests get InvalidRequest (pygls dropped them: the client waited for ever)."""
    server.initialize(tmp_path, {})
    still_serving(server, tmp_path)
    assert "error" not in server.request("shutdown")
    for method, params in [("textDocument/hover", HOVER_NOWHERE), ("shutdown", None), ("pep725/noSuchMethod", {})]:
        answer = server.request(method, params, timeout=10)
        assert answer["error"]["code"] == -32600, answer  # InvalidRequest
    server.notify("exit")
    assert server.proc.wait(20) == 0, server.stderr()
