"""A small JSON-RPC client of our own for the reliability tests: the real server over stdio.

pytest-lsp's client checks and converts every message, which is what the feature tests
want; these tests want the opposite — raw bytes in, raw JSON out, server-to-client
requests answered like an editor would, and every byte the server wrote kept for the
verdict. Positions are computed here from LSP's own rules (line breaks ``\\n``, ``\\r\\n``,
``\\r`` only), independently of the server's code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

SERVER = [sys.executable, "-m", "pep725_ls"]
ENCODINGS = {"utf-8": ("utf-8", 1), "utf-16": ("utf-16-le", 2), "utf-32": ("utf-32-le", 4)}


def server_env(**extra: str) -> dict[str, str]:
    """The environment of a server under test: no virtualenv of the test run leaks in."""
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONSTARTUP")}
    env.update(extra)
    return env


def frame(message: dict | bytes) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class ServerDied(AssertionError):
    pass


class LspProcess:
    """The server as a child process; a thread reads its stdout into messages."""

    def __init__(self, argv=None, env=None, cwd=None, settings: dict | None = None, preexec_fn=None) -> None:
        self.stderr_file = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            argv or SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.stderr_file,
            env=env or server_env(), cwd=cwd, preexec_fn=preexec_fn,
        )
        self.settings = settings or {}
        self.responses: dict = {}
        self.notifications: list[dict] = []
        self.server_requests: list[dict] = []
        self.raw_errors: list[str] = []  # framing problems in what the server wrote
        self._cond = threading.Condition()
        self._next_id = 0
        self._write_lock = threading.Lock()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    # -- wire --------------------------------------------------------------------------
    def _read_loop(self) -> None:
        out = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = out.readline()
                if not line:
                    with self._cond:
                        self._cond.notify_all()
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii", "replace").partition(":")
                headers[name.strip().lower()] = value.strip()
            try:
                length = int(headers["content-length"])
            except (KeyError, ValueError):
                self.raw_errors.append(f"bad header block from server: {headers!r}")
                continue
            body = out.read(length)
            try:
                message = json.loads(body)
            except ValueError as exc:
                self.raw_errors.append(f"invalid JSON from server: {exc}")
                continue
            self._dispatch(message)

    def _dispatch(self, message: dict) -> None:
        if "method" in message and "id" in message:
            self.server_requests.append(message)
            self.send({"jsonrpc": "2.0", "id": message["id"], "result": self._answer(message)})
            return
        with self._cond:
            if "method" in message:
                self.notifications.append(message)
            else:
                self.responses[message.get("id")] = message
            self._cond.notify_all()

    def _answer(self, request: dict):
        """What an editor answers to the server's own requests."""
        if request["method"] == "workspace/configuration":
            return [self.settings for _ in request.get("params", {}).get("items", [])]
        return None  # client/registerCapability, window/workDoneProgress/create, refreshes

    def send_bytes(self, data: bytes) -> None:
        with self._write_lock:
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (BrokenPipeError, ValueError) as exc:
                raise ServerDied(f"cannot write to the server: {exc}\n{self.stderr()}") from exc

    def send(self, message: dict) -> None:
        self.send_bytes(frame(message))

    # -- requests ----------------------------------------------------------------------
    def request_nowait(self, method: str, params=None) -> int:
        self._next_id += 1
        message = {"jsonrpc": "2.0", "id": self._next_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return self._next_id

    def wait(self, request_id, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while request_id not in self.responses:
                if self.proc.poll() is not None and not self._reader.is_alive():
                    raise ServerDied(f"server exited ({self.proc.returncode}) before answering {request_id}\n{self.stderr()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no answer to request {request_id} within {timeout} s")
                self._cond.wait(min(left, 0.5))
            return self.responses.pop(request_id)

    def request(self, method: str, params=None, timeout: float = 30) -> dict:
        return self.wait(self.request_nowait(method, params), timeout)

    def notify(self, method: str, params=None) -> None:
        message = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def wait_for_notification(self, predicate, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for n in self.notifications:
                    if predicate(n):
                        return n
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("timed out waiting for a notification; got: "
                                         + ", ".join(n.get("method", "?") for n in self.notifications[-20:]))
                self._cond.wait(min(left, 0.5))

    def messages(self) -> list[str]:
        """Every window/showMessage and window/logMessage text so far."""
        return [n["params"]["message"] for n in list(self.notifications)
                if n.get("method") in ("window/showMessage", "window/logMessage")]

    # -- session -----------------------------------------------------------------------
    def initialize(self, root: Path, capabilities: dict | None = None, options: dict | None = None) -> dict:
        result = self.request("initialize", {
            "processId": os.getpid(), "rootUri": root.as_uri(), "capabilities": capabilities or {},
            "initializationOptions": options,
        })
        assert "result" in result, result
        self.notify("initialized", {})
        return result["result"]

    def shutdown(self, timeout: float = 20) -> int:
        """shutdown + exit; the exit code of the server."""
        try:
            answer = self.request("shutdown", None, timeout)
            assert "error" not in answer, answer
            self.notify("exit")
        finally:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("server did not exit after shutdown/exit")

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stderr(self) -> str:
        self.stderr_file.seek(0)
        return self.stderr_file.read().decode("utf-8", "replace")

    def __enter__(self) -> "LspProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.kill()
        self.stderr_file.close()


# -- positions, by LSP's rules ------------------------------------------------------------
def line_starts(text: str) -> list[int]:
    starts = [0]
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\r":
            i += 2 if text.startswith("\r\n", i) else 1
            starts.append(i)
            continue
        if ch == "\n":
            starts.append(i + 1)
        i += 1
    return starts


class TextModel:
    """The client's copy of a document, with LSP positions in one encoding."""

    def __init__(self, text: str, encoding: str = "utf-16") -> None:
        self.encoding = encoding
        self.set(text)

    def set(self, text: str) -> None:
        self.text = text
        self.starts = line_starts(text)

    def _units(self, s: str) -> int:
        codec, unit = ENCODINGS[self.encoding]
        return len(s) if s.isascii() else len(s.encode(codec, "surrogatepass")) // unit

    def position(self, offset: int) -> dict:
        import bisect

        line = bisect.bisect_right(self.starts, offset) - 1
        return {"line": line, "character": self._units(self.text[self.starts[line]:offset])}

    def line_content_end(self, line: int) -> int:
        if line + 1 < len(self.starts):
            end = self.starts[line + 1]
            return end - 2 if self.text.startswith("\r\n", end - 2) and end - 2 >= self.starts[line] else end - 1
        return len(self.text)

    def offset(self, position: dict) -> int:
        """LSP semantics: a line past the end is the end; a column past the line is its end."""
        line, character = position["line"], position["character"]
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.starts[line], self.line_content_end(line)
        units = 0
        for i in range(start, end):
            if units >= character:
                return i
            units += self._units(self.text[i])
        return end

    def valid_offset(self, offset: int) -> int:
        """``offset`` moved off the middle of a \\r\\n (no position points there)."""
        if 0 < offset < len(self.text) and self.text[offset - 1] == "\r" and self.text[offset] == "\n":
            return offset - 1
        return offset

    def apply(self, start: int, end: int, new_text: str) -> dict:
        """Replace ``text[start:end]``; the LSP change event that says so."""
        change = {"range": {"start": self.position(start), "end": self.position(end)}, "text": new_text}
        self.set(self.text[:start] + new_text + self.text[end:])
        return change

    def end_position(self) -> dict:
        return self.position(len(self.text))
