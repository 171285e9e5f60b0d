"""Printed commands never run text from the pyproject.toml (issue 17, H2).

``install-command`` and ``nix install-command`` print lines meant to be piped to ``sh``.
Their output for a pyproject.toml full of hostile specifiers (line breaks, command
substitutions, quotes, escape sequences, in every part of a DepURL) is run for real by
``sh``, for every PEP 804 ecosystem, with the package managers replaced by stubs that log
their argv. No injected command may run, and the hostile text may only reach a package
manager as part of one argument, never as arguments of its own.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pep725_ls.data_index import default_index

PAYLOADS = ["\ntouch {m}/nl\n", "\rtouch {m}/cr\n", "$(touch {m}/subst)", "`touch {m}/tick`",
            "'; touch {m}/quote; '", '"; touch {m}/dquote; "', "\u2028touch {m}/ls\n", "\x1b[2K\ntouch {m}/esc\n",
            " ; touch {m}/space", "&& touch {m}/and"]
# Where a payload goes: the name, a version, a qualifier, a subpath, a marker, after a legacy form.
SHAPES = ["dep:generic/x{p}", "dep:generic/zlib@>=1.2{p}", "dep:generic/zlib@>={p}", "dep:generic/openssl?a={p}",
          "dep:generic/openssl#{p}", 'dep:generic/zlib; sys_platform == "linux{p}"', "pkg:generic/zlib{p}", "{p}",
          "dep:virtual/compiler/c{p}"]


def hostile_pyproject(folder: Path, markers: Path) -> Path:
    specs = [shape.format(p=payload.format(m=markers)) for shape in SHAPES for payload in PAYLOADS]
    body = ",\n  ".join(json.dumps(s) for s in specs)  # JSON string escapes are TOML's too
    path = folder / "pyproject.toml"
    path.write_text(f'[project]\nname = "victim\\n$(touch {markers}/name)"\n\n'
                    f"[external]\nbuild-requires = [\n  {body}\n]\nhost-requires = [\n  {body}\n]\n")
    return path


def stub_path(folder: Path, log: Path) -> str:
    """A PATH where every package manager the mappings name logs its argv instead."""
    stubs = folder / "stubs"
    stubs.mkdir()
    names = {"sudo", "nix-shell", "nix"}
    index = default_index()
    for eco in index.ecosystems():
        for manager in index.package_managers(eco):
            argv = ((manager.get("commands") or {}).get("install") or {}).get("command") or []
            if argv:
                names.add(argv[0])
    for name in names:
        stub = stubs / name
        stub.write_text(f"#!{sys.executable}\nimport json, sys\n"
                        f"open({str(log)!r}, 'a').write(json.dumps(sys.argv) + '\\n')\n")
        stub.chmod(0o755)
    return f"{stubs}{os.pathsep}{os.environ['PATH']}"


def commands_for(args: list[str], cwd: Path) -> str:
    result = subprocess.run([sys.executable, "-m", "pep725_ls", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


ECOSYSTEMS = sorted(e for e in default_index().ecosystems() if default_index().package_managers(e))


@pytest.mark.parametrize("args", [["install-command", "--ecosystem", e] for e in ECOSYSTEMS] + [["nix", "install-command"]],
                         ids=lambda a: a[-1])
def test_printed_commands_run_no_user_text(tmp_path, args):
    markers = tmp_path / "markers"
    markers.mkdir()
    hostile_pyproject(tmp_path, markers)
    log = tmp_path / "argv.log"
    output = commands_for(args, tmp_path)
    for line in output.splitlines():  # one line per command or comment: nothing split a line
        assert line.startswith("#") or not line.startswith((" ", "\t")), line
        assert line.isprintable(), repr(line)
    run = subprocess.run(["sh", "-e"], input=output, cwd=tmp_path, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "PATH": stub_path(tmp_path, log)})
    assert run.returncode == 0, (run.stderr, output)
    assert sorted(p.name for p in markers.iterdir()) == []
    commands = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    assert len(commands) == sum(1 for line in output.splitlines() if line and not line.startswith("#"))
    for argv in commands:
        for word in argv[1:]:
            # a payload reaches a package manager only inside one argument, never as its own words
            assert word.strip() not in {";", "&&", "touch", "|"} and not word.startswith(str(markers)), (argv, output)


def test_nix_shell_comments_stay_comments(tmp_path):
    """shell.nix carries the specifiers it could not map as comments: still one line each."""
    markers = tmp_path / "markers"
    markers.mkdir()
    hostile_pyproject(tmp_path, markers)
    text = commands_for(["nix", "shell"], tmp_path)
    for line in text.splitlines():
        assert line.isprintable(), repr(line)
        stripped = line.strip()
        # every line is generated code or a comment; no payload starts a line of its own
        assert not stripped.startswith(("touch", "$(", "`", "'", '"; ')), line
