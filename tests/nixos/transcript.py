"""Print a real transcript of one NixOS-view case, as a user would see it (for docs/nixos.md).

    .venv/bin/python tests/nixos/transcript.py psycopg2 --route cli

Runs the same steps as test_nixos_cure.py in a fresh folder, printing each command and its
output; commands marked "in the NixOS view" run there. Needs what the tests need (root).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import harness  # noqa: E402
from cure_flow import fix_with_editor  # noqa: E402
from test_nixos_cure import CASES, PROJECTS  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=sorted(CASES))
    parser.add_argument("--route", choices=["cli", "editor"], default="cli")
    args = parser.parse_args()
    case = CASES[args.case]
    top = Path(tempfile.mkdtemp(prefix="pep725-transcript-"))
    project = top / "app"
    project.mkdir()
    shutil.copy(PROJECTS / case.name / "pyproject.toml", project / "pyproject.toml")
    view, fake = harness.view(), harness.fake_nixpkgs_dir()
    venv = harness.make_venv(project, harness.wheel(case.name, case.version, case.from_source))
    path = f"{Path(sys.executable).parent}:/usr/bin:/bin"

    def show(command: str, r: subprocess.CompletedProcess, where: str = "") -> None:
        print(f"$ {command}{where}")
        err = "\n".join(line for line in r.stderr.splitlines() if "build-users-group" not in line)
        out = (r.stdout.rstrip() + "\n" + err).replace(str(top) + "/", "").strip()
        if out:
            print(out)

    def host(command: str) -> subprocess.CompletedProcess:
        r = subprocess.run(command, shell=True, cwd=project, capture_output=True, text=True,
                           env={**os.environ, "PATH": path})
        show(command, r)
        return r

    def in_view(command: str) -> None:
        show(command, view.run(["/bin/sh", "-c", command], cwd=project), "    # in the NixOS view")

    how = "built from source against Debian's libraries" if case.from_source else "the manylinux wheel from PyPI"
    print(f"# .venv holds {case.name} {case.version}, {how}")
    in_view(f".venv/bin/python -c '{case.check}'")
    host("pep725-ls check --venv .venv")
    if args.route == "cli":
        host("pep725-ls check --venv .venv --fix")
    else:
        print('# in the editor: source action "Add all missing external dependencies"')
        asyncio.run(fix_with_editor(project / "pyproject.toml"))
    host("cat pyproject.toml")
    host("pep725-ls nix shell -o shell.nix && cat shell.nix")
    r = host(f"nix-instantiate --eval --json shell.nix --arg pkgs 'import {fake} {{}}' -A LD_LIBRARY_PATH")
    if r.returncode != 0:
        return 1
    needs = harness.needed_from_system(venv, view.glibc_sonames)
    harness.populate_store({f"lib/{soname}": p for soname, p in needs.items()}, view)
    in_view(f"LD_LIBRARY_PATH={r.stdout.strip()} .venv/bin/python -c '{case.check}'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
