"""What the NixOS-view tests share: the view, the fake nixpkgs and its store, real wheels
from PyPI (cached under ~/.cache/pep725-ls-tests/), virtualenvs, and what a virtualenv
needs from the system (read here with pyelftools and ldd, not with pep725-ls's scanner).

Built once per test session (functools.cache): the view takes ~7 s, the fake nixpkgs ~2 s.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import fake_nixpkgs
from nixos_view import SYSTEM_LIB_DIR, Closures, NixosView, elf_dynamic, host_resolution, is_elf, why_not_available
from real_tools import debian_tool

CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pep725-ls-tests"
# Evaluate offline, with no daemon and no store writes: the fake nixpkgs builds nothing.
NIX_OPTIONS = ["--option", "substituters", "", "--option", "build-users-group", ""]


@functools.cache
def _session_dir() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="pep725-nixos-view-"))
    # The view's bind mounts live only in the namespaces of the commands run there, which
    # have ended by the time the tests exit.
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@functools.cache
def _view() -> NixosView | str:
    why = why_not_available()
    if why is None and shutil.which("patchelf") is None:
        _, why = debian_tool("patchelf", "patchelf")
    return why or NixosView(_session_dir() / "view", sys.executable)


def view() -> NixosView:
    """The NixOS view, or pytest.skip with the reason it cannot exist here."""
    if os.geteuid() == 0 and shutil.which("patchelf") is None:
        debian_tool("patchelf", "patchelf")
    built = _view()
    if isinstance(built, str):
        pytest.skip(built)
    return built


def nix_instantiate() -> str:
    path, why = debian_tool("nix-instantiate", "nix-bin")
    if path is None:
        pytest.skip(why)
    return path


@functools.cache
def fake_nixpkgs_dir() -> Path:
    root = _session_dir() / "fake"
    return fake_nixpkgs.generate(root / "nixpkgs", root / "store")


def nix_eval(expr: str) -> object:
    """The JSON value of a Nix expression (written to a file: some exceed the argument limit)."""
    with tempfile.NamedTemporaryFile("w", suffix=".nix", dir=_session_dir()) as f:
        f.write(expr)
        f.flush()
        r = subprocess.run([nix_instantiate(), *NIX_OPTIONS, "--eval", "--strict", "--json", f.name],
                           capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def nix_eval_file(path: Path, attr: str) -> object:
    """``nix-instantiate --eval FILE --arg pkgs 'import FAKE {}' -A ATTR``, as a user would."""
    r = subprocess.run([nix_instantiate(), *NIX_OPTIONS, "--eval", "--strict", "--json", str(path),
                        "--arg", "pkgs", f"import {fake_nixpkgs_dir()} {{}}", "-A", attr],
                       capture_output=True, text=True, cwd=path.parent, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


# --- what a virtualenv needs from the system ---------------------------------------------

def needed_from_system(venv: Path, glibc: set[str]) -> dict[str, Path]:
    """soname → Debian file, for every library that an ELF file of ``venv`` needs directly
    and that this machine's loader finds in the folder the view hides."""
    needs: dict[str, Path] = {}
    hidden = SYSTEM_LIB_DIR.resolve()
    for path in sorted(venv.rglob("*.so*")):
        if not path.is_file() or path.is_symlink() or not is_elf(path):
            continue
        direct, _ = elf_dynamic(path)
        resolved = host_resolution(path)
        for soname in direct:
            if soname in glibc or soname not in resolved:
                continue
            real = resolved[soname].resolve()
            if real.is_relative_to(hidden):
                needs[soname] = real
    return needs


# --- the fake store --------------------------------------------------------------------------

def output_paths(keys: list[tuple[str, str]]) -> dict[tuple[str, str], Path]:
    """(attribute path, output) → its folder in the fake store, evaluated by nix."""
    if not keys:
        return {}
    items = " ".join(f"{fake_nixpkgs.nix_attr_path(a)}.{fake_nixpkgs.nix_string(o)}.outPath" for a, o in keys)
    paths = nix_eval(f"let pkgs = import {fake_nixpkgs_dir()} {{}}; in [ {items} ]")
    return {key: Path(p) for key, p in zip(keys, paths)}


def populate_store(files: dict[str, Path], v: NixosView) -> list[Path]:
    """Copy each host file (key: the file under an output, ``lib/libpq.so.5``,
    ``bin/pg_config``) into every output that nix-index (or overlay.nix) says ships it, with
    its own non-glibc dependencies behind RUNPATH, in folders of their own. Returns the
    copies made."""
    shipped_by: dict[str, list[tuple[str, str]]] = {}
    for key, shipped in fake_nixpkgs.files_by_output().items():
        for file in shipped:
            if file in files:
                shipped_by.setdefault(file, []).append(key)
    paths = output_paths(sorted({k for keys in shipped_by.values() for k in keys}))
    closures = Closures(fake_nixpkgs_dir().parent / "closure", SYSTEM_LIB_DIR, v.glibc_sonames)
    made = []
    for file, keys in shipped_by.items():
        for key in keys:
            made.append(closures.place(files[file], paths[key] / file))
    return made


# --- wheels and virtualenvs ------------------------------------------------------------------

def debian_packages(packages: tuple[tuple[str, str], ...]) -> None:
    """Install (program, Debian package) pairs a case needs, or skip saying why not."""
    for program, package in packages:
        _, why = debian_tool(program, package)
        if why:
            pytest.skip(why)


def wheel(name: str, version: str, from_source: bool) -> Path:
    """The wheel of ``name==version`` from PyPI (the manylinux wheel, or built here from the
    sdist against Debian's libraries), cached by name, version and kind."""
    folder = CACHE / "wheels" / f"{name}-{version}-{'source' if from_source else 'binary'}"
    found = sorted(folder.glob("*.whl"))
    if found:
        return found[0]
    building = Path(tempfile.mkdtemp(prefix="build-", dir=CACHE.mkdir(parents=True, exist_ok=True) or CACHE))
    kind = ["--no-binary", name] if from_source else ["--only-binary", ":all:"]
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *kind, f"{name}=={version}",
                        "-w", str(building)], capture_output=True, text=True, timeout=3600)
    if r.returncode != 0:
        shutil.rmtree(building, ignore_errors=True)
        pytest.skip(f"cannot get the {name} {version} wheel from PyPI: {r.stderr.strip()[-500:]}")
    folder.parent.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(folder, ignore_errors=True)
    building.rename(folder)
    return sorted(folder.glob("*.whl"))[0]


def make_venv(folder: Path, wheel_file: Path) -> Path:
    venv = folder / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--no-deps", "--no-index", str(wheel_file)], check=True, capture_output=True, timeout=600)
    return venv
