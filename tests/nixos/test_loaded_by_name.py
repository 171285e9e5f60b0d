"""Libraries loaded by name at run time, cured in the NixOS view: real packages from PyPI that
open their library with ctypes or cffi (no ELF file names it), whose import fails in the
view; pep725-ls' venv scan finds the library in their Python sources; the fix goes through
the editor (the real server's source action) or ``check --venv --fix``; ``nix shell`` writes
shell.nix, whose LD_LIBRARY_PATH the real nix-instantiate evaluates against the fake nixpkgs;
the store folders hold Debian's copies of what nix-index says they ship; the import works.

``ctypes.util.find_library`` needs more than LD_LIBRARY_PATH: on Linux it asks
``ldconfig -p`` (NixOS has no ld.so.cache; nixpkgs' no-ldconfig.patch turns that step off),
then ``gcc``/``ld -t -L<each LD_LIBRARY_PATH folder> -l<name>`` and ``objdump`` for the
soname. In the view the cache is empty and Debian's ld cannot start (its libbfd is in the
hidden folder), so on this interpreter find_library finds nothing there, with or without the
shell. A package that also tries a soname (python-magic's ``"libmagic.so.1"``, cairocffi's
``"libcairo.so.2"``) loads through LD_LIBRARY_PATH anyway; one that only calls find_library
(pylibdmtx) needs ld and objdump on PATH, as a nix-shell's stdenv provides them, and the
library's link name (``libdmtx.so``) in an LD_LIBRARY_PATH folder — both asserted below.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness import nix_eval_file, populate_store, view, wheel
from nixos_view import SYSTEM_LIB_DIR, Closures
from real_tools import debian_file
from cure_flow import ask_pep725_ls

from pep725_ls.venv_scan import scan

pytestmark = pytest.mark.nixos
PROJECTS = Path(__file__).parent / "projects"


@dataclass(frozen=True)
class Case:
    name: str
    version: str
    check: str  # imports the package and calls into the library
    # what the package loads on Linux, read from its source by hand: soname → Debian package
    loads: dict[str, str]
    link_names: tuple[str, ...]  # what its find_library calls look for (lib<name>.so)
    evidence: str  # the module that loads it, relative to site-packages
    depurls: tuple[str, ...]  # what [external] must gain (the nixpkgs attributes ship the sonames)
    also: tuple[tuple[str, str], ...] = ()  # other wheels it needs at run time
    from_source: bool = False  # no working wheel on PyPI: built from the sdist
    find_library_only: bool = False  # no soname fallback: needs find_library to work


CASES = {
    "python-magic": Case(
        "python-magic", "0.4.27", "import magic; print(magic.from_buffer(b'%PDF-1.4 x', mime=True))",
        {"libmagic.so.1": "libmagic1"}, ("libmagic.so",), "magic/loader.py", ("dep:generic/libmagic",)),
    "cairocffi": Case(  # cffi ABI mode: ffi.dlopen through a wrapper taking candidate names
        "cairocffi", "1.7.1", "import cairocffi; print(cairocffi.cairo_version_string())",
        {"libcairo.so.2": "libcairo2"}, ("libcairo.so",), "cairocffi/__init__.py", ("dep:generic/cairo",),
        also=(("cffi", "1.17.1"), ("pycparser", "2.22"))),
    "pylibdmtx": Case(
        "pylibdmtx", "0.1.10", "from pylibdmtx import pylibdmtx; print(pylibdmtx.encode(b'pep725').width)",
        {"libdmtx.so.0": "libdmtx0b"}, ("libdmtx.so",), "pylibdmtx/dmtx_library.py", ("dep:generic/libdmtx",),
        find_library_only=True),
    "pyvips": Case(  # cffi ABI mode: ffi.dlopen of a soname, per platform (GLib comes with libvips)
        "pyvips", "2.2.3", "import pyvips; print(pyvips.version(0), pyvips.Image.black(2, 2).avg())",
        {"libvips.so.42": "libvips42"}, (), "pyvips/__init__.py", ("dep:generic/vips",), also=(("cffi", "1.17.1"), ("pycparser", "2.22")),
        from_source=True),  # the 2.1.0 wheel, the last one, imports Python 2's way; the sdist
                            # without libvips headers builds the ABI-mode (dlopen) package
}


def host_library(soname: str, package: str) -> Path:
    why = debian_file(str(SYSTEM_LIB_DIR / soname), package)
    if why:
        pytest.skip(why)
    return (SYSTEM_LIB_DIR / soname).resolve()


def make_venv(project: Path, case: Case) -> Path:
    venv = project / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    wheels = [wheel(case.name, case.version, case.from_source)] + [wheel(n, v, False) for n, v in case.also]
    subprocess.run([sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "-q",
                    "--no-deps", "--no-index", *map(str, wheels)], check=True, capture_output=True, timeout=600)
    return venv


def prepare(case: Case, tmp_path: Path) -> tuple[Path, Path, dict[str, Path]]:
    """The project and its virtualenv; the Debian file of each library it loads; the import
    works outside the view and fails inside it, naming the library."""
    hosts = {soname: host_library(soname, package) for soname, package in case.loads.items()}
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(PROJECTS / case.name / "pyproject.toml", project / "pyproject.toml")
    venv = make_venv(project, case)
    python = str(venv / "bin" / "python")
    outside = subprocess.run([python, "-c", case.check], capture_output=True, text=True)
    assert outside.returncode == 0, outside.stderr
    inside = view().run([python, "-c", case.check])
    assert inside.returncode != 0, inside.stdout
    assert "ImportError" in inside.stderr or "OSError" in inside.stderr, inside.stderr
    return project, venv, hosts


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_scan_finds_the_library_loaded_by_name(name, tmp_path):
    case = CASES[name]
    _, venv, _ = prepare(case, tmp_path)
    loaded = [m for m in scan(venv).missing if m.how == "loaded by name"]
    by_name = {n: m for m in loaded for n in (m.soname, *m.candidates)}
    wanted = [n for n in (*case.loads, *case.link_names) if n in by_name]
    assert wanted, f"none of {list(case.loads)} {case.link_names} found: {loaded}"
    needed = by_name[wanted[0]]
    assert any(f.startswith(f"lib/python3.11/site-packages/{case.evidence}:") for f in needed.needed_by), needed


def with_binutils(root: Path) -> Path:
    """A folder holding copies of this machine's ld and objdump that run in the view, their
    libraries behind RUNPATH: what a nix-shell's stdenv puts on PATH."""
    folder = root / "binutils" / "bin"
    closures = Closures(root / "binutils-closure", SYSTEM_LIB_DIR, view().glibc_sonames)
    for tool in ("ld", "objdump"):
        found = shutil.which(tool)
        if found is None:
            pytest.skip(f"{tool} is not on PATH (binutils)")
        closures.place(Path(found).resolve(), folder / tool)
    return folder


# nixpkgs' Python (cpython/3.12/no-ldconfig.patch): _findSoname_ldconfig returns None.
NIXOS_FIND_LIBRARY = "import ctypes.util; ctypes.util._findSoname_ldconfig = lambda name: None\n"


@pytest.mark.parametrize("route", ["editor", "cli"])
@pytest.mark.parametrize("name", sorted(CASES))
async def test_the_import_works_in_the_nixos_view_after_the_pep725_ls_flow(name, route, tmp_path):
    case = CASES[name]
    project, venv, hosts = prepare(case, tmp_path)
    shell, said = await ask_pep725_ls(route, project, venv)
    evidence = f"loaded by name at run time by lib/python3.11/site-packages/{case.evidence}:"
    assert any(evidence in message for message in said), said
    declared = (project / "pyproject.toml").read_text()
    for depurl in case.depurls:
        assert f'"{depurl}"' in declared, declared
    ld_library_path = nix_eval_file(shell, "LD_LIBRARY_PATH")
    # The store folders ship the soname and its link name (nix-index lists both).
    files = {f"lib/{soname}": path for soname, path in hosts.items()}
    files |= {f"lib/{link}": path for link in case.link_names for soname, path in hosts.items()
              if soname.startswith(link + ".")}
    populate_store(files, view())
    folders = ld_library_path.split(":")
    for file in files:
        assert any((Path(d) / Path(file).name).is_file() for d in folders), f"{file} not on {ld_library_path}"
    python = str(venv / "bin" / "python")
    env = {"LD_LIBRARY_PATH": ld_library_path}
    plain = view().run([python, "-c", case.check], env=env)
    if not case.find_library_only:
        assert plain.returncode == 0, f"LD_LIBRARY_PATH={ld_library_path}\n{plain.stderr[-600:]}\n{shell.read_text()}"
    else:
        # This interpreter's find_library cannot see LD_LIBRARY_PATH in the view (empty
        # ld.so.cache, Debian's ld cannot start): the import still fails with the shell alone.
        assert plain.returncode != 0 and "Unable to find dmtx" in plain.stderr, plain.stderr[-600:]
    if not case.link_names:
        return  # no find_library call: nothing more to show
    # With ld and objdump on PATH, as in a nix-shell, find_library finds the link name in
    # an LD_LIBRARY_PATH folder: the stock function and nixpkgs' (no ldconfig) alike.
    binutils = with_binutils(tmp_path)
    env_shell = env | {"PATH": f"{binutils}:/usr/bin:/bin"}
    link = case.link_names[0].removeprefix("lib").removesuffix(".so")  # one per case here
    for prelude in ("", NIXOS_FIND_LIBRARY):
        probe = view().run([python, "-c", prelude + f"import ctypes.util; print(ctypes.util.find_library({link!r}))"],
                           env=env_shell)
        assert probe.stdout.strip() == next(iter(case.loads)), probe.stderr[-600:]
        r = view().run([python, "-c", prelude + case.check], env=env_shell)
        assert r.returncode == 0, f"LD_LIBRARY_PATH={ld_library_path}\n{r.stderr[-600:]}"
