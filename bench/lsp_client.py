"""A plain JSON-RPC client for language servers on stdio: Content-Length framing, no pygls.

The same client drives every server the benchmark compares, so differences in the
figures are the servers', not the clients'. A reader thread parses the server's output
and time-stamps each message as it arrives; requests from the server
(``client/registerCapability``, ``window/workDoneProgress/create``, …) are answered at
once with ``null``.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
from pathlib import Path

# What the benchmark's editor says it supports: push diagnostics (no
# textDocument.diagnostic, so servers publish), UTF-16 positions, no workspace/configuration.
# Completion as VS Code (1.9x) declares it: documentation, detail and additionalTextEdits
# may be resolved lazily (completionItem/resolve), and a list may give one editRange for all
# of its items (completionList.itemDefaults).
CLIENT_CAPABILITIES = {
    "general": {"positionEncodings": ["utf-16"]},
    "textDocument": {
        "synchronization": {"dynamicRegistration": False, "didSave": True},
        "completion": {
            "completionItem": {"snippetSupport": True, "documentationFormat": ["markdown", "plaintext"],
                               "insertReplaceSupport": True, "labelDetailsSupport": True,
                               "resolveSupport": {"properties": ["documentation", "detail", "additionalTextEdits"]}},
            "completionList": {"itemDefaults": ["commitCharacters", "editRange", "insertTextFormat",
                                                "insertTextMode", "data"]},
            "contextSupport": True,
        },
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "codeAction": {
            "codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
                "", "quickfix", "refactor", "source", "source.fixAll"]}},
            "isPreferredSupport": True,
            "dataSupport": True,
            "resolveSupport": {"properties": ["edit"]},
        },
        "publishDiagnostics": {"relatedInformation": True, "versionSupport": True,
                               "tagSupport": {"valueSet": [1, 2]}, "codeDescriptionSupport": True,
                               "dataSupport": True},
    },
    "workspace": {"applyEdit": True, "workspaceEdit": {"documentChanges": True}, "configuration": False,
                  "workspaceFolders": False},
    "window": {"workDoneProgress": False},
}


class ServerGone(RuntimeError):
    pass


class LspClient:
    """One server process. ``request`` returns (result message, seconds from send to receipt)."""

    def __init__(self, command: list[str], cwd: Path, stderr_path: Path | None = None,
                 env: dict[str, str] | None = None) -> None:
        self.t_spawn = time.perf_counter()
        self._stderr = open(stderr_path, "ab") if stderr_path else subprocess.DEVNULL
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
                                     cwd=cwd, env=env, bufsize=0)
        self._write_lock = threading.Lock()
        self._messages: queue.Queue[tuple[float, dict]] = queue.Queue()
        self._next_id = 0
        self._backlog: list[tuple[float, dict]] = []  # arrived, not yet waited for
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()

    # -- wire ------------------------------------------------------------------------------
    def _send(self, message: dict) -> float:
        body = json.dumps(message).encode()
        data = b"Content-Length: %d\r\n\r\n" % len(body) + body
        with self._write_lock:
            t = time.perf_counter()
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                raise ServerGone(str(exc)) from exc
        return t

    def _read_loop(self) -> None:
        out = self.proc.stdout
        try:
            while True:
                length = None
                while True:
                    line = out.readline()
                    if not line:
                        return
                    if line in (b"\r\n", b"\n"):
                        break
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                body = b""
                while length is not None and len(body) < length:
                    chunk = out.read(length - len(body))
                    if not chunk:
                        return
                    body += chunk
                t = time.perf_counter()
                message = json.loads(body)
                if "method" in message and "id" in message:  # a request from the server
                    self._send({"jsonrpc": "2.0", "id": message["id"], "result": None})
                self._messages.put((t, message))
        finally:
            self._messages.put((time.perf_counter(), {"_eof": True}))

    # -- API -------------------------------------------------------------------------------
    def notify(self, method: str, params: dict | None = None) -> float:
        return self._send({"jsonrpc": "2.0", "method": method, "params": params or {}})

    def send_request(self, method: str, params: dict | None) -> tuple[int, float]:
        self._next_id += 1
        t = self._send({"jsonrpc": "2.0", "id": self._next_id, "method": method, "params": params})
        return self._next_id, t

    def wait_for(self, predicate, timeout: float = 60.0) -> tuple[float, dict]:
        """The first message matching ``predicate``, and when it arrived; others are kept."""
        for i, (t, message) in enumerate(self._backlog):
            if predicate(message):
                del self._backlog[i]
                return t, message
        deadline = time.perf_counter() + timeout
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError("no matching message from the server")
            try:
                t, message = self._messages.get(timeout=left)
            except queue.Empty:
                raise TimeoutError("no matching message from the server") from None
            if message.get("_eof"):
                raise ServerGone(f"server exited (code {self.proc.poll()})")
            if predicate(message):
                return t, message
            self._backlog.append((t, message))

    def request(self, method: str, params: dict | None, timeout: float = 60.0) -> tuple[dict, float]:
        rid, t0 = self.send_request(method, params)
        t1, message = self.wait_for(lambda m: m.get("id") == rid and "method" not in m, timeout)
        if "error" in message:
            raise RuntimeError(f"{method} failed: {message['error']}")
        return message, t1 - t0

    def drain(self) -> None:
        """Drop whatever has arrived and not been waited for."""
        self._backlog.clear()
        while True:
            try:
                self._messages.get_nowait()
            except queue.Empty:
                return

    def peak_rss_kib(self) -> int:
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def cpu_seconds(self) -> float:
        """User + system CPU time the server process has used so far (all its threads)."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return 0.0

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.request("shutdown", None, timeout=10)
                self.notify("exit")
                self.proc.wait(10)
        except Exception:
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(10)
            if self._stderr is not subprocess.DEVNULL:
                self._stderr.close()


def server_env() -> dict[str, str]:
    """The environment for a server under test, as on a user's machine.

    No VIRTUAL_ENV, so no virtualenv is scanned; and Python may write bytecode: pip compiles
    it when it installs a package, but this development checkout is an editable install, and
    with PYTHONDONTWRITEBYTECODE set (as on the CI machines) every start would compile the
    server's own modules from source again (~85 ms of CPU no installed copy spends).
    """
    env = dict(os.environ)
    env.pop("VIRTUAL_ENV", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env
