"""Security guarantees, against the real server and CLI:

- no network access at any time: a full session runs under a guard that records and
  refuses every Internet socket and name lookup (a ``sitecustomize`` on PYTHONPATH), and
  under ``strace -f -e trace=network`` (which also sees child processes and C code);
- nix is never asked to evaluate anything of the workspace: the fake nix-env records its
  arguments, folder and the expression it was given, the workspace's default.nix,
  shell.nix and flake.nix would leave a marker, and other nix tools on PATH too;
- the virtualenv scanner executes and imports nothing: the scanned venv holds a shared
  object whose constructor writes a marker, a sitecustomize.py, a usercustomize.py, a
  .pth file and packages shadowing the server's own dependencies, all writing markers;
- paths and values from settings are validated: hostile ones are reported, not fatal.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from elf_fixtures import CC, build_shared, make_venv
from real_tools import debian_tool
from lsp_wire import LspProcess, TextModel, server_env

NETGUARD = Path(__file__).parent.parent / "workspaces" / "reliability" / "netguard"
WORKSPACES = Path(__file__).parent.parent / "workspaces"
PYPROJECT = """[build-system]
requires = ["maturin>=1.5"]

[project]
name = "victim"
version = "1"
dependencies = ["psycopg2>=2.9", "lxml"]

[external]
host-requires = ["pkg:generic/zlib", "dep:generic/zlib", "dep:generic/opensll"]
"""
CAPS = {"window": {"workDoneProgress": True}, "workspace": {"workspaceEdit": {"documentChanges": True}, "configuration": True},
        "textDocument": {"diagnostic": {}, "codeAction": {"resolveSupport": {"properties": ["edit"]},
                                                          "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source"]}}}}}


def hostile_project(root: Path, markers: Path) -> Path:
    """A project whose every executable corner would leave a file in ``markers`` if run."""
    project = root / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT)
    touch = lambda name: f"open({str(markers / name)!r}, 'w').close()"  # noqa: E731
    for nix_file in ("default.nix", "shell.nix", "flake.nix"):
        # evaluating these would run the builtin, failing loudly, and we would see the call
        (project / nix_file).write_text(f'builtins.derivation {{ name = "x"; builder = "/bin/sh"; '
                                        f'args = ["-c" "touch {markers}/{nix_file}"]; system = builtins.currentSystem; }}\n')
    (project / "setup.py").write_text(f"{touch('setup.py')}\nfrom setuptools import setup, Extension\n"
                                      f"setup(ext_modules=[Extension('x', ['x.c'])])\n")
    if CC:
        venv = make_venv(project)
        site = next(venv.glob("lib/python*/site-packages"))
        build_shared(site / "evil" / "_ctor.cpython-311-x86_64-linux-gnu.so",
                     "#include <stdio.h>\n__attribute__((constructor)) static void run(void) {"
                     f' FILE *f = fopen("{markers}/so-constructor", "w"); if (f) fclose(f); }}\n'
                     "int evil(void) { return 1; }\n", "-Wl,--no-as-needed", "-l:libz.so.1")
        (site / "sitecustomize.py").write_text(touch("sitecustomize") + "\n")
        (site / "usercustomize.py").write_text(touch("usercustomize") + "\n")
        (site / "evil.pth").write_text(f"import os; {touch('pth')}\n")
        for shadow in ("elftools", "tomlkit", "packaging", "pygls", "lsprotocol", "platformdirs", "pep725_ls"):
            (site / shadow).mkdir(exist_ok=True)
            (site / shadow / "__init__.py").write_text(touch(f"import-{shadow}") + "\n")
    return project


def recording_nix_tools(root: Path, markers: Path) -> Path:
    """nix-env answers like the real one and records how it was called; the other nix
    tools only leave a marker."""
    bin_dir = root / "bin"
    bin_dir.mkdir()
    log = markers.parent / "nix-env.calls"
    script = bin_dir / "nix-env"
    script.write_text(f"""#!/bin/sh
{{ echo "cwd=$(pwd)"; for a in "$@"; do echo "arg=$a"; done; }} >> {log}
while [ $# -gt 0 ]; do if [ "$1" = "-f" ]; then echo "--- expression:" >> {log}; cat "$2" >> {log}; fi; shift; done
echo '{{"zlib": {{"name": "zlib-9.9", "pname": "zlib", "version": "9.9", "meta": {{}}}}}}'
""")
    for tool in ("nix", "nix-shell", "nix-build", "nix-instantiate", "nix-store"):
        (bin_dir / tool).write_text(f"#!/bin/sh\ntouch {markers}/{tool}\nexit 1\n")
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return bin_dir


def full_session(server: LspProcess, project: Path) -> int:
    """Every feature once, and a venv rescan; the number of requests answered."""
    uri = (project / "pyproject.toml").as_uri()
    model = TextModel(PYPROJECT)
    server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": PYPROJECT}})
    answered = 0
    for needle, delta in [("pkg:generic/zlib", 5), ("dep:generic/opensll", 14), ("dep:", 4), ("host-requires", 0)]:
        position = model.position(PYPROJECT.index(needle) + delta)
        for method in ("textDocument/hover", "textDocument/completion"):
            answer = server.request(method, {"textDocument": {"uri": uri}, "position": position})
            assert "error" not in answer, answer
            answered += 1
    whole = {"start": {"line": 0, "character": 0}, "end": model.end_position()}
    actions = server.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": []}})
    for action in actions["result"]:
        if "edit" not in action:
            assert "error" not in server.request("codeAction/resolve", action)
            answered += 1
    for method in ("textDocument/documentLink", "textDocument/diagnostic"):
        assert "error" not in server.request(method, {"textDocument": {"uri": uri}})
        answered += 1
    server.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
    assert "error" not in server.request("workspace/executeCommand", {"command": "pep725.rescanVirtualenv", "arguments": []}, 60)
    return answered + 2


def run_hostile_session(tmp_path: Path, argv=None, extra_env=None) -> tuple[LspProcess, Path, Path]:
    markers = tmp_path / "markers"
    markers.mkdir()
    project = hostile_project(tmp_path, markers)
    bin_dir = recording_nix_tools(tmp_path, markers)
    env = server_env(PATH=f"{bin_dir}{os.pathsep}/usr/bin:/bin", XDG_CACHE_HOME=str(tmp_path / "cache"),
                     HOME=str(tmp_path / "home"), **(extra_env or {}))
    env.pop("PEP725_LS_NIXPKGS", None)
    settings = {"nix": {"source": "nix-env", "timeout": 10}}
    server = LspProcess(argv=argv, env=env, cwd=str(project), settings=settings)
    server.initialize(project, CAPS, settings)
    full_session(server, project)
    deadline = time.monotonic() + 30
    while not (markers.parent / "nix-env.calls").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(0.5)
    assert server.shutdown() == 0
    assert "Traceback" not in server.stderr(), server.stderr()[-3000:]
    return server, project, markers


def assert_nothing_ran(project: Path, markers: Path) -> None:
    assert sorted(p.name for p in markers.iterdir()) == [], "workspace code ran"
    calls = (markers.parent / "nix-env.calls").read_text()
    assert f"cwd={project}" not in calls and str(project) not in calls, calls
    assert "import <nixpkgs>" in calls  # our own expression, over the user's nixpkgs only


def test_no_network_and_no_workspace_code_python_guard(tmp_path):
    log = tmp_path / "network.log"
    extra = {"PYTHONPATH": str(NETGUARD), "PEP725_NETGUARD_LOG": str(log)}
    server, project, markers = run_hostile_session(tmp_path, extra_env=extra)
    with server:
        pass
    assert Path(str(log) + ".loaded").exists(), "the network guard was not loaded"
    assert not log.exists(), log.read_text()
    assert_nothing_ran(project, markers)


def test_no_network_under_strace(tmp_path):
    strace, why = debian_tool("strace", "strace")  # installs it on a fresh CI machine
    if strace is None:
        pytest.skip(why)
    trace = tmp_path / "network.trace"
    argv = [strace, "-f", "-qq", "-e", "trace=network", "-o", str(trace), sys.executable, "-m", "pep725_ls"]
    server, project, markers = run_hostile_session(tmp_path, argv=argv)
    with server:
        pass
    calls = trace.read_text()
    assert "socketpair(AF_UNIX" in calls or "socket(AF_UNIX" in calls  # the trace saw the event loop
    internet = [line for line in calls.splitlines() if re.search(r"AF_INET6?\b|AF_NETLINK|AF_PACKET", line)]
    assert internet == [], internet
    assert_nothing_ran(project, markers)


@pytest.mark.skipif(CC is None, reason="no C compiler")
def test_check_cli_scans_the_hostile_venv_without_running_it(tmp_path):
    markers = tmp_path / "markers"
    markers.mkdir()
    project = hostile_project(tmp_path, markers)
    done = subprocess.run([sys.executable, "-m", "pep725_ls", "check", "--venv", str(project / ".venv"), "--fix",
                           str(project / "pyproject.toml")], capture_output=True, text=True, cwd=project,
                          env=server_env(), timeout=120)
    assert done.returncode == 1, done.stderr
    assert "notelf/truncated.so: damaged ELF file" in done.stderr  # the venv was scanned
    assert sorted(p.name for p in markers.iterdir()) == []


HOSTILE_SETTINGS = [
    {"venv": {"path": "a\x00b"}},
    {"venv": {"path": "x" * 5000}},
    {"venv": {"path": "../../../../../../etc"}},
    {"venv": {"path": "/etc/passwd"}},
    {"venv": {"path": "~root/../../proc/self"}},
    {"venv": {"path": 12}},
    {"nix": {"source": "nix-env; touch /tmp/pwned", "timeout": -1}},
    {"nix": {"source": "nix-env", "timeout": 10**9}},
    {"debounceMs": 10**12, "severity": {"toml-syntax": "fatal", "nope": "off"}, "unknown": {"a": 1}},
    ["not", "an", "object"],
    "a string",
]


@pytest.mark.parametrize("options", HOSTILE_SETTINGS, ids=lambda o: repr(o)[:40])
def test_hostile_settings_are_reported_not_fatal(tmp_path, options):
    markers = tmp_path / "markers"
    markers.mkdir()
    bin_dir = recording_nix_tools(tmp_path, markers)
    project = tmp_path / "project"
    project.mkdir()
    env = server_env(PATH=f"{bin_dir}{os.pathsep}/usr/bin:/bin", XDG_CACHE_HOME=str(tmp_path / "cache"))
    with LspProcess(env=env, settings=options if isinstance(options, dict) else {}) as server:
        server.initialize(project, CAPS, options)
        uri = (project / "pyproject.toml").as_uri()
        server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": PYPROJECT}})
        assert "error" not in server.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})
        server.notify("workspace/didChangeConfiguration", {"settings": {"pep725": options}})
        assert "error" not in server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": 9, "character": 22}})
        time.sleep(0.3)
        assert server.shutdown() == 0
        assert "Traceback" not in server.stderr(), server.stderr()[-3000:]
        problems = [m for m in server.messages() if "settings" in m]
        if options not in ({"venv": {"path": "a\x00b"}}, {"venv": {"path": "x" * 5000}},
                           {"venv": {"path": "../../../../../../etc"}}, {"venv": {"path": "/etc/passwd"}},
                           {"venv": {"path": "~root/../../proc/self"}}):
            assert problems, server.messages()
    assert not (markers / "pwned").exists() and not Path("/tmp/pwned").exists()
