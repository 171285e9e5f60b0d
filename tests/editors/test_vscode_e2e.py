"""End to end in real VS Code (code-server 4.100.3 = VS Code 1.100.3) with the packaged .vsix.

A browser (playwright-core + Debian's chromium) uses the editor as a person would: Problems
panel, Ctrl+K Ctrl+I hover, Ctrl+Space completion, Ctrl+. quick fix, Ctrl+S. The steps are in
editors/vscode/e2e/drive.js; this test prepares the profile and workspace and checks the results.

Screenshots land in the test's tmp dir (printed); with PEP725_UPDATE_SCREENSHOTS=1, or when it is
missing, the Problems-panel-plus-hover one is copied to docs/images/vscode.png.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .installers import REPO, WORKSPACE, run

pytestmark = pytest.mark.editors

DOC_SCREENSHOT = REPO / "docs" / "images" / "vscode.png"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def position_of(text: str, needle: str) -> dict:
    """1-based line and column of the middle of the first `needle` in `text`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return {"line": number, "col": line.index(needle) + 1 + len(needle) // 2}
    raise AssertionError(f"{needle!r} not in the fixture")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(WORKSPACE, ws)
    return ws


BASE_SETTINGS = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "security.workspace.trust.enabled": False,
    "telemetry.telemetryLevel": "off",
    "extensions.autoCheckUpdates": False,
    "extensions.autoUpdate": False,
    "update.mode": "none",
    "files.autoSave": "off",
    "editor.hover.above": False,  # keep the hovered line and the squiggle above it visible
    "pep725.trace.server": "messages",
}


class CodeServer:
    """code-server with a fresh profile holding only our extension, started on loopback."""

    def __init__(self, tmp_path: Path, executable: Path, vsix: Path, settings: dict) -> None:
        self.tmp_path, self.executable = tmp_path, executable
        self.user, self.extensions = tmp_path / "user", tmp_path / "extensions"
        (self.user / "User").mkdir(parents=True)
        (self.user / "User" / "settings.json").write_text(json.dumps({**BASE_SETTINGS, **settings}, indent=2))
        run([str(executable), "--config", os.devnull, "--user-data-dir", str(self.user),
             "--extensions-dir", str(self.extensions), "--install-extension", str(vsix)], timeout=300)
        self.proc: subprocess.Popen | None = None

    def start(self, workspace: Path, env: dict | None = None) -> str:
        port = free_port()
        self.log_path = self.tmp_path / "code-server.log"
        with self.log_path.open("w") as log:
            self.proc = subprocess.Popen(
                [str(self.executable), "--bind-addr", f"127.0.0.1:{port}", "--auth", "none", "--disable-telemetry",
                 "--disable-update-check", "--disable-workspace-trust", "--disable-getting-started-override",
                 "--user-data-dir", str(self.user), "--extensions-dir", str(self.extensions),
                 "--config", os.devnull, str(workspace)],
                env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    return f"http://127.0.0.1:{port}/?folder={workspace}"
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"code-server did not come up:\n{self.log_path.read_text()[-4000:]}")
                time.sleep(0.3)

    def stop(self) -> None:
        if self.proc is None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)  # code-server, its extension host and pep725-ls
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def extension_output(self) -> str:
        """The 'pep725-ls' output channel, as code-server wrote it to the profile's logs."""
        logs = sorted((self.user / "logs").glob("**/*pep725-ls*.log"))
        return "\n".join(p.read_text(errors="replace") for p in logs)


@pytest.fixture
def code_server_factory(tmp_path: Path, code_server: Path, vsix: Path):
    started: list[CodeServer] = []

    def make(settings: dict) -> CodeServer:
        server = CodeServer(tmp_path, code_server, vsix, settings)
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


def drive(playwright_driver: Path, spec: dict, server: CodeServer) -> dict:
    proc = subprocess.run(
        ["node", str(playwright_driver)], cwd=playwright_driver.parent,
        env={**os.environ, "E2E_SPEC": json.dumps(spec)},
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600,
    )
    print(proc.stdout[-8000:], proc.stderr[-4000:], f"screenshots: {spec['shots']}", sep="\n")
    lines = [line for line in proc.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, f"drive.js printed no result (exit {proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
    result = json.loads(lines[-1][len("RESULT "):])
    assert result["ok"], f"{result.get('error')}\n--- extension output ---\n{server.extension_output()[-6000:]}"
    return result


def env_with_path(path: str) -> dict:
    # VSCODE_CLI=1: code-server takes the environment as given instead of asking a login shell
    # for one (whose PATH, with pyenv's shims or ~/.local/bin, would undo the one set here).
    return {**os.environ, "PATH": path, "VSCODE_CLI": "1"}


def path_with(tmp_path: Path, name: str, **programs: str) -> str:
    """A PATH of one folder holding only ``programs`` (name -> target), then /usr/bin:/bin
    unless ``name`` says "alone"; it never holds a pep725-ls."""
    folder = tmp_path / name
    folder.mkdir()
    for program, target in programs.items():
        (folder / program).symlink_to(target)
    path = str(folder) if name.endswith("alone") else f"{folder}:/usr/bin:/bin"
    assert shutil.which("pep725-ls", path=path) is None, "a pep725-ls is installed system-wide"
    return path


def test_vscode_end_to_end(tmp_path: Path, workspace: Path, code_server_factory,
                           playwright_driver: Path, chromium: Path) -> None:
    """The .vsix alone: no pep725-ls installed, no pep725.server.path; python3 on PATH (the
    interpreter the tests run on, without their venv) runs the server bundled in the .vsix."""
    python = Path(sys._base_executable).resolve()
    path = path_with(tmp_path, "bin", python3=str(python), node=shutil.which("node"))
    unbundled = subprocess.run([shutil.which("python3", path=path), "-I", "-c", "import pep725_ls"],
                               capture_output=True, text=True, timeout=60)
    assert unbundled.returncode != 0, "pep725_ls is importable by the python3 on PATH: not a test of the bundle"
    # The severity override also proves the settings reach the server.
    server = code_server_factory({"pep725.severity": {"legacy-depurl": "error"}})
    url = server.start(workspace, env=env_with_path(path))
    pyproject = workspace / "pyproject.toml"
    original = pyproject.read_text()
    shots = tmp_path / "screenshots"
    shots.mkdir()
    spec = {
        "url": url,
        "chromium": str(chromium),
        "file": str(pyproject),
        "shots": str(shots),
        "severity": "error",
        "problemText": "legacy-depurl",
        "hover": {**position_of(original, "dep:generic/openssl"), "expect": "OpenSSL is"},
        "legacy": position_of(original, "pkg:generic/zlib"),
        "complete": {**position_of(original, "dep:generic/openssl"),
                     "type": '"dep:generic/libp', "accept": "libpq", "expect": '"dep:generic/libpq"'},
        "quickfix": {"title": "Migrate to dep:generic/zlib", "expect": '"dep:generic/zlib"'},
        "hoverAfterFix": {"expect": "Compression"},
        "settingsChange": {"file": str(workspace / ".vscode" / "settings.json"),
                           "set": {"pep725.severity": {"legacy-depurl": "warning"}}, "severity": "warning"},
    }
    result = drive(playwright_driver, spec, server)

    assert "pep725-ls" in result["problem"] and "legacy-depurl" in result["problem"]
    assert result["problemIcon"] == "codicon-error"
    assert "dep:generic/openssl" in result["hover"] and "OpenSSL" in result["hover"]
    assert "libpq" in result["completion"]["offered"]
    assert "dep:generic/zlib" in result["hoverAfterFix"] and "compression" in result["hoverAfterFix"].lower()
    assert not result["notifications"], f"unexpected notifications: {result['notifications']}"

    saved = pyproject.read_text()
    assert '"dep:generic/zlib"' in saved and "pkg:generic/zlib" not in saved
    assert '"dep:generic/libpq"' in saved

    output = server.extension_output()
    assert "server ready: pep725-ls 0.1.0" in output
    started = re.search(r"\[client\] starting (\S+) -I (\S+) \(bundled server, run by python3 on PATH", output)
    assert started, output[:2000]
    assert started.group(1) == str(Path(path.split(":")[0]) / "python3")
    assert started.group(2).startswith(str(server.extensions))  # the launcher inside the installed .vsix

    if os.environ.get("PEP725_UPDATE_SCREENSHOTS") == "1" or not DOC_SCREENSHOT.exists():
        DOC_SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(result["screenshot"], DOC_SCREENSHOT)


@pytest.mark.parametrize(("settings", "expect"), [
    pytest.param({}, "needs Python 3.11 or newer", id="no-python"),
    pytest.param({"pep725.server.path": "/bin/false"}, "couldn't create connection to server", id="exits-at-once"),
])
def test_vscode_says_how_to_fix_a_broken_server(tmp_path: Path, workspace: Path, code_server_factory,
                                                playwright_driver: Path, chromium: Path,
                                                settings: dict, expect: str) -> None:
    server = code_server_factory(settings)
    # No Python extension, and a PATH with neither pep725-ls nor python3 (node only, which
    # code-server itself needs).
    path = path_with(tmp_path, "node-alone", node=shutil.which("node"))
    assert shutil.which("python3", path=path) is None
    url = server.start(workspace, env=env_with_path(path))
    shots = tmp_path / "screenshots"
    shots.mkdir()
    spec = {"url": url, "chromium": str(chromium), "file": str(workspace / "pyproject.toml"), "shots": str(shots),
            "scenario": "missing-server", "notificationText": expect}
    result = drive(playwright_driver, spec, server)
    if settings == {}:
        assert "pep725.server.path" in result["notification"]
        assert "python3 on PATH: none" in result["notification"]
        assert "'pep725-ls' is not on PATH either" in result["notification"]
    # Started once, not restarted in a loop (the client's default would try five times).
    assert server.extension_output().count("Sending request 'initialize") <= 1


def older_python() -> tuple[Path, str] | None:
    """A real Python older than 3.11 on this machine (pyenv's, or python3.x on PATH), and its version."""
    pyenv = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv") / "versions"
    candidates = sorted(pyenv.glob("3.*/bin/python3")) + [
        Path(p) for p in (shutil.which(f"python3.{minor}") for minor in range(6, 11)) if p]
    for candidate in candidates:
        r = subprocess.run([candidate, "-I", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                           capture_output=True, text=True, timeout=30)
        version = r.stdout.strip()
        if r.returncode == 0 and tuple(map(int, version.split("."))) < (3, 11):
            return candidate, version
    return None


def test_vscode_names_a_python_too_old_for_the_bundled_server(tmp_path: Path, workspace: Path, code_server_factory,
                                                             playwright_driver: Path, chromium: Path) -> None:
    found = older_python()
    if found is None:
        pytest.skip("no Python older than 3.11 on this machine (pyenv's or python3.x on PATH)")
    python, version = found
    server = code_server_factory({})
    path = path_with(tmp_path, "old-python-alone", python3=str(python), node=shutil.which("node"))
    url = server.start(workspace, env=env_with_path(path))
    shots = tmp_path / "screenshots"
    shots.mkdir()
    spec = {"url": url, "chromium": str(chromium), "file": str(workspace / "pyproject.toml"), "shots": str(shots),
            "scenario": "missing-server", "notificationText": "needs Python 3.11 or newer"}
    result = drive(playwright_driver, spec, server)
    assert f"python3 on PATH: {tmp_path / 'old-python-alone' / 'python3'} is Python {version}" in result["notification"]
    assert "Sending request 'initialize" not in server.extension_output()
