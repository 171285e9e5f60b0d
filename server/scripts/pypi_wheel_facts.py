"""Read the native-code facts of PyPI projects from their wheels and sdists (network, cached).

Used by build_pypi_data.py ``--fetch``; nothing here runs at ``--check`` or in the server.
For each project: the newest release's manylinux x86_64 wheel is read through HTTP range
requests (only the zip central directory and the members needed: ELF files and the Python
files that load a library by name), and the sdist's build files are read as text. Every
download is cached under ~/.cache/pep725-ls-wheels/, so a second run reads no network.
"""

from __future__ import annotations

import ast
import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from elftools.common.exceptions import ELFError
from elftools.elf.dynamic import DynamicSection
from elftools.elf.elffile import ELFFile

CACHE = Path(os.environ.get("PEP725_WHEEL_CACHE") or Path.home() / ".cache" / "pep725-ls-wheels")
INDEX = "https://pypi.org/pypi/"
BLOCK = 1 << 20
# Python files read per wheel for load-by-name patterns: enough for every package's own code
# (the largest pure-Python part of a top-300 wheel is a few MB) without reading test data.
PY_BUDGET = 24 << 20
# One member larger than this is not read (no top-300 extension module comes close).
MEMBER_LIMIT = 3 << 30
SDIST_LIMIT = 300 << 20
# Bumped when the sdist reading changes: cached facts of an older reader are read again.
READER = 3
USER_AGENT = "pep725-ls-pypi-data (build_pypi_data.py)"


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    with urllib.request.urlopen(req, timeout=120) as resp:
        body = resp.read()
        if resp.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return resp.status, dict(resp.headers), body


def project_json(name: str) -> dict | None:
    """The registry's JSON for a project (cached; None when the registry does not know it)."""
    path = CACHE / "json" / f"{name}.json"
    if path.exists():
        return json.loads(path.read_bytes()) or None
    try:
        _, _, body = _get(INDEX + urllib.parse.quote(name) + "/json", {"Accept-Encoding": "gzip"})
        data = json.loads(body)
        # keep what the pipeline reads: the newest release's files and its metadata
        keep = {"info": {k: data["info"].get(k) for k in ("name", "version", "requires_dist", "requires_python")},
                "urls": [{k: f.get(k) for k in ("filename", "url", "size", "packagetype", "digests", "yanked")}
                         for f in data.get("urls", [])]}
    except urllib.error.HTTPError as e:
        if e.code != 404:
            raise
        keep = {}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(keep))
    return keep or None


def absolute(url: str) -> str:
    return urllib.parse.urljoin(INDEX + "x/json", url)


class RangeFile(io.RawIOBase):
    """A remote file read through HTTP range requests, block-cached in a sparse local file."""

    def __init__(self, url: str, size: int, key: str) -> None:
        self.url, self.size, self.pos = url, size, 0
        d = CACHE / "wheels"
        d.mkdir(parents=True, exist_ok=True)
        self.data_path = d / f"{key}.part"
        self.map_path = d / f"{key}.blocks"
        self.have: set[int] = set(json.loads(self.map_path.read_text())) if self.map_path.exists() else set()
        if not self.data_path.exists():
            with open(self.data_path, "wb") as f:
                f.truncate(size)
        self.fh = open(self.data_path, "r+b")
        self.requests = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        self.pos = offset if whence == 0 else self.pos + offset if whence == 1 else self.size + offset
        return self.pos

    def _ensure(self, start: int, end: int) -> None:
        blocks = range(start // BLOCK, (max(end, start + 1) - 1) // BLOCK + 1)
        missing = [b for b in blocks if b not in self.have]
        # fetch runs of missing blocks, one request per run
        runs: list[list[int]] = []
        for b in missing:
            if runs and runs[-1][-1] == b - 1:
                runs[-1].append(b)
            else:
                runs.append([b])
        for run in runs:
            lo, hi = run[0] * BLOCK, min((run[-1] + 1) * BLOCK, self.size) - 1
            status, _, body = _get(self.url, {"Range": f"bytes={lo}-{hi}"})
            self.requests += 1
            if status == 200:  # no range support: the whole file came
                body = body[lo : hi + 1]
            if len(body) != hi - lo + 1:
                raise OSError(f"short range read {lo}-{hi} of {self.url}: {len(body)}")
            self.fh.seek(lo)
            self.fh.write(body)
            self.have.update(run)
        if missing:
            self.fh.flush()
            self.map_path.write_text(json.dumps(sorted(self.have)))

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = self.size - self.pos
        n = max(0, min(n, self.size - self.pos))
        if n == 0:
            return b""
        self._ensure(self.pos, self.pos + n)
        self.fh.seek(self.pos)
        data = self.fh.read(n)
        self.pos += len(data)
        return data

    def readinto(self, b) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self.fh.close()
        super().close()


# -- picking the wheel ------------------------------------------------------------------
_WHEEL = re.compile(r"^(?P<name>.+?)-(?P<ver>[^-]+)(-\d[^-]*)?-(?P<py>[^-]+)-(?P<abi>[^-]+)-(?P<plat>[^-]+)\.whl$")


def is_compiled_wheel(filename: str) -> bool:
    m = _WHEEL.match(filename)
    return bool(m) and m["plat"] != "any"


def pick_wheel(files: list[dict]) -> dict | None:
    """The manylinux x86_64 wheel to read: one ABI-neutral build if there is one, else CPython
    3.12, else the newest CPython."""
    best: tuple | None = None
    chosen = None
    for f in files:
        m = _WHEEL.match(f["filename"])
        if not m or f.get("yanked") or "x86_64" not in m["plat"] or "manylinux" not in m["plat"]:
            continue
        py, abi = m["py"], m["abi"]
        if abi in ("none", "abi3"):
            rank = (0, 0)
        elif "cp312" in py.split("."):
            rank = (1, 0)
        else:
            nums = [int(t[2:]) for t in py.split(".") if re.fullmatch(r"cp3\d+", t)]
            if not nums or "t" in abi.removeprefix("cp"):  # free-threaded builds last
                rank = (3, 0)
            else:
                rank = (2, -max(nums))
        key = (rank, f["filename"])
        if best is None or key < best:
            best, chosen = key, f
    return chosen


# -- ELF -----------------------------------------------------------------------------------
def elf_dynamic(path_or_bytes) -> tuple[str | None, list[str], str] | None:
    """(DT_SONAME, DT_NEEDED entries, machine) of an ELF file, or None if it is not one."""
    stream = io.BytesIO(path_or_bytes) if isinstance(path_or_bytes, bytes) else open(path_or_bytes, "rb")
    try:
        elf = ELFFile(stream)
        soname, needed = None, []
        for section in elf.iter_sections():
            if isinstance(section, DynamicSection):
                for tag in section.iter_tags():
                    if tag.entry.d_tag == "DT_NEEDED":
                        needed.append(tag.needed)
                    elif tag.entry.d_tag == "DT_SONAME":
                        soname = tag.soname
                break
        return soname, needed, elf["e_machine"]
    except (ELFError, ValueError, KeyError, OSError, AssertionError):
        return None
    finally:
        stream.close()


# -- load-by-name patterns ---------------------------------------------------------------
_LOAD_HINT = re.compile(rb"find_library|CDLL|LoadLibrary|dlopen|cdll\.|PyDLL|WinDLL")
_LOADERS = {"CDLL", "PyDLL", "LoadLibrary", "dlopen", "find_library", "load_library"}


def _strings(node: ast.AST, assigned: dict[str, list[ast.AST]], depth: int = 0) -> list[str]:
    """The string constants a call argument can be, following simple names and lists (a
    nested ``find_library("x")`` is reported as its own call)."""
    if depth > 3:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [s for e in node.elts for s in _strings(e, assigned, depth + 1)]
    if isinstance(node, ast.Name):
        return [s for v in assigned.get(node.id, ()) for s in _strings(v, assigned, depth + 1)]
    return []


def load_by_name(source: bytes) -> list[tuple[str, str, int]]:
    """(call, library name, line) for each library a Python file loads by a constant name.

    AST only, never executed: ``CDLL("libfoo.so.1")``, ``ctypes.util.find_library("foo")``,
    ``cdll.LoadLibrary(...)``, ``ctypes.cdll.foo``, cffi ``ffi.dlopen("foo")``; a name
    argument is followed to the string or list of strings assigned to it in the same file.
    Names built at run time are not seen.
    """
    if not _LOAD_HINT.search(source):
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    assigned: dict[str, list[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for t in node.targets:
                if isinstance(t, ast.Name):
                    assigned.setdefault(t.id, []).append(node.value)
        elif isinstance(node, ast.For) and isinstance(node.target, ast.Name):
            assigned.setdefault(node.target.id, []).append(node.iter)
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            f = node.func
            fname = f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None
            if fname and fname.lstrip("_") in _LOADERS:  # every argument: cairocffi's dlopen(ffi, names, sonames), weasyprint's _dlopen(ffi, *names)
                for arg in node.args:
                    for s in _strings(arg, assigned):
                        out.append((fname.lstrip("_"), s, node.lineno))
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute):
            # ctypes.cdll.foo  /  ctypes.cdll["foo"] is a Subscript, rare
            if node.value.attr == "cdll" and not node.attr.startswith("_") and node.attr != "LoadLibrary":
                out.append(("cdll", node.attr, node.lineno))
    return out


# -- sdist build files -------------------------------------------------------------------
_BUILD_FILES = ("pyproject.toml", "setup.py", "setup.cfg", "meson.build", "CMakeLists.txt", "Cargo.toml", "meson_options.txt", "meson.options")
_LANG_EXT = {".c": "c", ".cc": "cxx", ".cpp": "cxx", ".cxx": "cxx", ".c++": "cxx", ".f": "fortran", ".f90": "fortran",
             ".f95": "fortran", ".for": "fortran", ".rs": "rust", ".pyx": "cython", ".pxd": "cython", ".cu": "cuda"}
BUILD_TEXT_LIMIT = 400_000
# Words looked for in build files; the hit is kept as "word@file" and the derivation decides
# what it means (meson's bare dependency('x') goes through pkg-config first).
_TEXT_PATTERNS = {
    "pkg-config": r"(?i)pkg[-_]?config",
    # meson's special dependencies (threads, OpenMP, MPI, Python, NumPy, pybind11…) are found
    # without pkg-config; any other bare dependency('x') tries pkg-config first
    "meson-dependency": r"(?<![\w.])dependency\(\s*['\"](?!(?:threads|openmp|OpenMP|mpi|python3?|numpy|pybind11|dl|cuda|boost|intl|iconv|)['\"])",
    "cmake": r"(?i)\bcmake\b",
    "ninja": r"(?i)\bninja\b",
    "cython": r"(?i)\bcython\b|\.pyx\b",
    "rust": r"(?i)setuptools[-_]rust|RustExtension|\bmaturin\b|\bcargo\b",
    "fortran": r"(?i)add_languages\([^)]*['\"]fortran|project\([^)]*['\"]fortran['\"]|LANGUAGES[^)\n]*\bFortran\b|enable_language\(\s*Fortran",
    "cxx": r"(?i)language\s*=\s*['\"]c\+\+|\bLANGUAGES\b[^)\n]*\bCXX\b|project\([^)]*['\"]cpp['\"]|add_languages\(\s*['\"]cpp",
}


def _head(rel: str) -> int:
    """How much of a build file to read: a .pyx only for its directive comments at the top."""
    return 4096 if rel.endswith(".pyx") else BUILD_TEXT_LIMIT


def sdist_facts(f: dict) -> dict:
    """Build-file text facts of an sdist: the build files at its top (and meson.build/CMakeLists
    anywhere), and the source-file languages present, counted by extension."""
    url = absolute(f["url"])
    key = (f.get("digests") or {}).get("sha256") or hashlib.sha256(url.encode()).hexdigest()
    path = CACHE / "sdists" / f"{key}-{f['filename']}"
    if not path.exists():
        if (f.get("size") or 0) > SDIST_LIMIT:
            return {"sdist": f["filename"], "skipped": "larger than the sdist limit"}
        path.parent.mkdir(parents=True, exist_ok=True)
        _, _, body = _get(url)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(body)
        tmp.replace(path)
    members: list[tuple[str, int]] = []
    texts: dict[str, str] = {}

    def want(rel: str) -> bool:
        base = rel.rsplit("/", 1)[-1]
        depth = rel.count("/")
        return ((depth == 0 and base in _BUILD_FILES) or (base in ("meson.build", "CMakeLists.txt") and depth <= 3)
                or (base.endswith(".pyx") and depth <= 3))

    total = 0
    try:
        if f["filename"].endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                for info in z.infolist():
                    rel = info.filename.split("/", 1)[1] if "/" in info.filename else info.filename
                    members.append((rel, info.file_size))
                    if want(rel) and total < BUILD_TEXT_LIMIT:
                        with z.open(info) as fh:
                            texts[rel] = fh.read(_head(rel)).decode("utf-8", "replace")
                        total += len(texts[rel])
        else:
            with tarfile.open(path) as t:
                for m in t:
                    if not m.isfile():
                        continue
                    rel = m.name.split("/", 1)[1] if "/" in m.name else m.name
                    members.append((rel, m.size))
                    if want(rel) and total < BUILD_TEXT_LIMIT:
                        fh = t.extractfile(m)
                        texts[rel] = fh.read(_head(rel)).decode("utf-8", "replace") if fh else ""
                        total += len(texts[rel])
    except (tarfile.TarError, zipfile.BadZipFile, OSError, EOFError) as e:
        return {"sdist": f["filename"], "skipped": f"unreadable: {type(e).__name__}"}
    langs: dict[str, int] = {}
    for rel, _ in members:
        if "/test" in "/" + rel.lower() or rel.lower().startswith(("doc", "example", "benchmark")):
            continue
        ext = os.path.splitext(rel)[1].lower()
        lang = _LANG_EXT.get(ext)
        if lang:
            langs[lang] = langs.get(lang, 0) + 1
    return {"sdist": f["filename"], "languages": dict(sorted(langs.items())), "build_text": build_text_facts(texts)}


def build_text_facts(texts: dict[str, str]) -> dict:
    """What the build files say, as the words found (the derivation decides what they mean)."""
    out: dict[str, object] = {}
    py = texts.get("pyproject.toml", "")
    m = re.search(r"^\s*build-backend\s*=\s*[\"']([^\"']+)", py, re.M)
    if m:
        out["backend"] = m.group(1)
    m = re.search(r"^\s*requires\s*=\s*\[(.*?)\]", py, re.M | re.S)
    if m:
        out["requires"] = sorted({re.split(r"[<>=!~;\[ ]", r.strip())[0].lower()
                                   for r in re.findall(r"[\"']([^\"']+)[\"']", m.group(1))} - {""})
    hits: set[str] = set()
    for rel, text in sorted(texts.items()):
        if rel.endswith(".pyx"):  # only its language directive counts
            if re.search(r"#\s*distutils\s*:\s*language\s*=\s*c\+\+", text):
                hits.add(f"cython-cxx@{rel}")
            continue
        for word, pat in _TEXT_PATTERNS.items():
            if re.search(pat, text):
                hits.add(f"{word}@{rel}")
    out["files"] = sorted(r for r in texts if not r.endswith(".pyx"))
    out["mentions"] = sorted(hits)
    return out


# -- one project -------------------------------------------------------------------------
@dataclass
class Fetched:
    facts: dict
    requests: int = 0


def wheel_facts(f: dict, dist: str) -> Fetched:
    """ELF and load-by-name facts of one wheel, read through range requests."""
    url = absolute(f["url"])
    key = (f.get("digests") or {}).get("sha256") or hashlib.sha256(url.encode()).hexdigest()
    rf = RangeFile(url, int(f["size"]), key)
    try:
        z = zipfile.ZipFile(io.BufferedReader(rf, buffer_size=1 << 16))
        infos = sorted(z.infolist(), key=lambda i: i.filename)
        elves: dict[str, dict] = {}
        loads: list[list] = []
        py_read = 0
        for info in infos:
            name = info.filename
            base = name.rsplit("/", 1)[-1]
            if info.is_dir():
                continue
            if re.search(r"\.so(\.[0-9.]+)?$", base) or re.search(r"\.so\.\d", base):
                if info.file_size > MEMBER_LIMIT:
                    elves[name] = {"skipped": "too large"}
                    continue
                with tempfile.NamedTemporaryFile(dir=CACHE, suffix=".so") as tmp:
                    with z.open(info) as src:
                        while chunk := src.read(1 << 22):
                            tmp.write(chunk)
                    tmp.flush()
                    dyn = elf_dynamic(tmp.name)
                if dyn is None:
                    continue
                soname, needed, machine = dyn
                row: dict = {"needed": needed}
                if soname:
                    row["soname"] = soname
                if machine != "EM_X86_64":
                    row["machine"] = machine
                elves[name] = row
            elif base.endswith(".py") and py_read < PY_BUDGET and ".dist-info/" not in name:
                if re.search(r"(^|/)(tests?|testing|_vendor|vendored)/", name) and dist not in ("ctypes",):
                    continue
                data = z.read(info)
                py_read += len(data)
                for call, lib, line in load_by_name(data):
                    loads.append([name, line, call, lib])
        return Fetched({"wheel": f["filename"], "elf": elves, "loads": loads,
                        "py_read_limit_hit": py_read >= PY_BUDGET or None}, rf.requests)
    finally:
        rf.close()


def project_facts(name: str) -> dict:
    """Everything the pipeline records about one project (cached per project and version)."""
    data = project_json(name)
    if data is None:
        return {"status": "unknown to the registry"}
    version = data["info"]["version"]
    cached = CACHE / "facts" / f"{name}-{version}.json"
    if cached.exists():
        facts = json.loads(cached.read_text())
        if facts.get("status") == "pure" and "wheel" not in facts:  # facts of an older reader
            facts["wheel"] = sorted(f["filename"] for f in data["urls"] if f["filename"].endswith(".whl") and not f.get("yanked"))[0]
        if facts.get("reader") != READER and facts.get("sdist") and not facts.get("skipped"):
            # facts of an older reader: read the (cached) sdist again
            sdists = [f for f in data["urls"] if f.get("packagetype") == "sdist" and not f.get("yanked")]
            if sdists:
                facts.update(sdist_facts(sorted(sdists, key=lambda f: f["filename"])[0]), reader=READER)
                cached.write_text(json.dumps(facts, sort_keys=True))
        return facts
    files = [f for f in data["urls"] if not f.get("yanked")]
    out: dict = {"version": version}
    compiled = any(is_compiled_wheel(f["filename"]) for f in files)
    pure = sorted(f["filename"] for f in files if f["filename"].endswith(".whl") and not is_compiled_wheel(f["filename"]))

    def read_pure() -> None:
        # a pure wheel can still load a system library by name (psycopg, hid, sounddevice)
        got = wheel_facts(next(f for f in files if f["filename"] == pure[0]), name)
        out["wheel"] = pure[0]
        if got.facts["loads"]:
            out.update(loads=got.facts["loads"], range_requests=got.requests)

    sdists = [f for f in files if f.get("packagetype") == "sdist"]
    if not compiled:
        out["status"] = "pure" if pure else "sdist only" if sdists else "no wheel"
        if pure:
            read_pure()
        elif sdists:  # what pip builds from source: its build files say whether it compiles
            out.update(sdist_facts(sorted(sdists, key=lambda f: f["filename"])[0]), reader=READER)
    else:
        wheel = pick_wheel(files)
        if wheel is None:
            out["status"] = "no manylinux x86_64 wheel"
            if pure:
                read_pure()
        else:
            out["status"] = "compiled"
            got = wheel_facts(wheel, name)
            out.update(got.facts)
            out["range_requests"] = got.requests
        if sdists:
            out.update(sdist_facts(sorted(sdists, key=lambda f: f["filename"])[0]), reader=READER)
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(out, sort_keys=True))
    return out
