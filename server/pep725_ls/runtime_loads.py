"""Shared libraries a virtualenv's Python code loads by name at run time (ctypes, cffi ABI mode).

No ELF file names these libraries: ``ctypes.util.find_library("magic")``, ``CDLL("libmagic.so.1")``
or cffi's ``ffi.dlopen("cairo")`` open them when the package is imported. This module reads
the ``*.py`` files under site-packages as syntax trees (``ast.parse``; never imported, never
executed) and finds, in modules that call a loader:

- the names given to a loader call (``find_library``, ``CDLL``, ``PyDLL``, ``LoadLibrary``,
  ``dlopen``, ``cdll["libfoo.so.1"]``, also under an imported alias), directly or through a
  constant, a tuple or list of candidate names, a ``for`` loop over one, or a parameter of a
  wrapper function (resolved from the wrapper's call sites in its module, then, in a second
  pass, in the other modules of its package that name it);
- soname-looking string literals (``"libmagic.so.1"``).

A name is resolved as the loader would resolve it on Linux: ``find_library("x")`` (and cffi's
``dlopen("x")`` without a dot or slash, which calls it) looks for the link name ``libx.so``;
``CDLL``/``dlopen`` of a file name opens that file (its base name is what the system must
provide). Branches for other platforms (``if sys.platform == "win32"``) are skipped, and so
are loads inside a ``try`` whose handler swallows the failure (optional features).

Bounded: files larger than ``MAX_FILE_BYTES`` are not parsed, files without a loader word are
not parsed, and the walk stops at a file count and a time budget; undecodable or invalid
files are skipped with a problem sentence. What is built at run time (``"lib%s.so" % name``,
a name read from the environment) cannot be seen.
"""

from __future__ import annotations

import ast
import os
import re
import stat
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from .venv_layout import LIBC_FAMILY, NeededLibrary, relative_to_venv as _rel, site_packages

# A loader module is small; ast.parse takes ~2.5 s per MB here, so a cap bounds each step.
MAX_FILE_BYTES = 512 * 1024
MAX_PY_FILES = 100_000
TIME_BUDGET_S = 10.0
LOADED_BY_NAME = "loaded by name"

_LOADER_WORDS = re.compile(rb"find_library|CDLL|PyDLL|LoadLibrary|dlopen|cdll|pydll")
_FIND_LIBRARY = {"find_library"}
_OPEN_FILE = {"CDLL", "PyDLL", "LoadLibrary"}
_DLOPEN = {"dlopen"}
_LOADERS = _FIND_LIBRARY | _OPEN_FILE | _DLOPEN
_CTYPES_LIBRARY_LOADERS = {"cdll", "pydll"}  # ctypes.cdll.foo opens the file "foo"
_SHARED_OBJECT_NAME = re.compile(r"^[\w.+-]+\.so(\.\d+)*$")
_SONAME_LITERAL = re.compile(r"^(?:/[^\s]*/)?(lib[\w.+-]*\.so(?:\.\d+)*)$")
_LIBRARY_NAME = re.compile(r"^[\w+-][\w.+-]*$")
_OTHER_PLATFORMS = re.compile(r"\.(dll|dylib|pyd)$", re.IGNORECASE)
# Code that importing the package never runs: tests, examples (numpy ships
# random/_examples/numba/, which loads an example's own libdistributions.so), benchmarks, docs.
_SKIPPED_DIRS = {"__pycache__", "tests", "test", "testing", "examples", "_examples", "example",
                 "benchmarks", "docs"}
# Exceptions a loader raises when the library is missing; a handler for one of them that
# does not re-raise makes the load optional.
_LOAD_ERRORS = {"OSError", "ImportError", "Exception", "BaseException", "EnvironmentError", "IOError",
                "ModuleNotFoundError", "AttributeError"}
# What ``sys.platform``, ``os.name`` and ``platform.system()`` say on Linux.
_LINUX = {"sys.platform": "linux", "os.name": "posix", "platform.system()": "Linux"}


@dataclass(frozen=True, slots=True)
class LoadSite:
    """One library a module loads by name: the file names the loader may open (the most
    specific first: a versioned soname, then link names) and where."""

    line: int
    candidates: tuple[str, ...]
    optional: bool = False


@dataclass(frozen=True, slots=True)
class LoadedByName:
    missing: tuple[NeededLibrary, ...]
    files_read: int
    problems: tuple[str, ...] = ()
    complete: bool = True


@dataclass
class LoadsCache:
    """Load sites by path, valid while (mtime_ns, size) stays the same."""

    entries: dict[str, tuple[int, int, "_FileLoads"]] = field(default_factory=dict)
    calls: dict[tuple[str, frozenset], tuple[int, int, tuple[LoadSite, ...]]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True, slots=True)
class Wrapper:
    """A function whose parameter reaches a loader: calls to it in other modules of its
    package are read too (pyusb's ``load_locate_library(("usb-1.0", "usb"), …)``)."""

    name: str
    index: int | None  # positional index; None for a keyword-only parameter
    param: str | None  # its name; None for ``*args`` (then index is where they start)
    method: bool  # the first parameter is self/cls
    kind: str  # find_library, file or dlopen
    module: str = ""  # the module's name (its folder's for __init__.py): calls must name it


@dataclass(frozen=True, slots=True)
class _FileLoads:
    sites: tuple[LoadSite, ...] = ()
    problem: str | None = None
    wrappers: tuple[Wrapper, ...] = ()


def missing_loaded_by_name(
    venv: Path,
    shipped: set[str],
    cache: LoadsCache | None = None,
    time_budget: float = TIME_BUDGET_S,
    cancelled: Callable[[], bool] = lambda: False,
    max_files: int = MAX_PY_FILES,
) -> LoadedByName:
    """The libraries the venv's Python code loads by name and the venv does not ship
    (``shipped``: the shared object file names found in it)."""
    cache = cache if cache is not None else LoadsCache()
    started = time.monotonic()
    problems: list[str] = []
    by_soname: dict[str, tuple[dict[str, None], dict[str, None]]] = {}
    read = 0
    complete = True
    venv_str = str(venv)
    visited: list[tuple[str, str, str]] = []  # path, relative path, top-level package
    wrappers: dict[str, set[Wrapper]] = {}

    def add(rel: str, sites: tuple[LoadSite, ...]) -> None:
        for site in sites:
            if site.optional or _provided_elsewhere(site.candidates, shipped):
                continue
            files, candidates = by_soname.setdefault(site.candidates[0], ({}, {}))
            files[f"{rel}:{site.line}"] = None  # both passes may see one call
            candidates.update(dict.fromkeys(site.candidates))

    def over_budget() -> bool:
        return read >= max_files or cancelled() or time.monotonic() - started > time_budget

    for root, path in _python_files(venv, problems):
        if over_budget():
            complete = False
            break
        read += 1
        rel = _rel(path, venv_str)
        package = os.path.relpath(path, root).split(os.sep, 1)[0]
        visited.append((path, rel, package))
        loads = _loads_cached(path, cache)
        if loads.problem:
            problems.append(f"{rel}: {loads.problem}")
        add(rel, loads.sites)
        if loads.wrappers:
            wrappers.setdefault(package, set()).update(loads.wrappers)
    # Calls to a package's wrappers from its other modules.
    for path, rel, package in visited if complete else ():
        if package not in wrappers:
            continue
        if over_budget():
            complete = False
            break
        read += 1
        add(rel, _wrapper_calls_cached(path, frozenset(wrappers[package]), cache))
    if not complete:
        problems.append(f"the search for libraries loaded by name stopped after {read} Python files")
    missing = tuple(
        NeededLibrary(soname, tuple(files), how=LOADED_BY_NAME, candidates=tuple(c for c in cands if c != soname))
        for soname, (files, cands) in sorted(by_soname.items()))
    return LoadedByName(missing, read, tuple(problems), complete)


def _provided_elsewhere(candidates: tuple[str, ...], shipped: set[str]) -> bool:
    """The C library family, or a file the venv ships (under the name or a versioned one)."""
    for name in candidates:
        if LIBC_FAMILY.match(name) or name in shipped:
            return True
        if any(s.startswith(name + ".") for s in shipped):
            return True
    return False


def _python_files(venv: Path, problems: list[str]) -> Iterator[tuple[str, str]]:
    """(site-packages folder, path) of each ``.py`` file."""
    for root in site_packages(venv):
        for dirpath, dirnames, filenames in os.walk(root, onerror=lambda e: problems.append(f"cannot list {e.filename}: {e.strerror}")):
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED_DIRS)
            for name in sorted(filenames):
                if name.endswith(".py"):
                    yield str(root), os.path.join(dirpath, name)


def _stat_regular(path: str) -> os.stat_result | str:
    try:
        st = os.stat(path)  # follows symlinks: a FIFO or a folder behind the name is refused below
    except OSError as exc:
        return exc.strerror or str(exc)
    return st if stat.S_ISREG(st.st_mode) else "not a regular file"


def _read_head(path: str) -> bytes | str:
    try:
        with open(path, "rb") as f:
            return f.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return exc.strerror or str(exc)


def _loads_cached(path: str, cache: LoadsCache) -> _FileLoads:
    st = _stat_regular(path)
    if isinstance(st, str):
        return _FileLoads(problem=st)
    with cache.lock:
        hit = cache.entries.get(path)
    if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
        return hit[2]
    loads = _loads_of_file(path, st.st_size)
    with cache.lock:
        cache.entries[path] = (st.st_mtime_ns, st.st_size, loads)
    return loads


def _loads_of_file(path: str, size: int) -> _FileLoads:
    head = _read_head(path)
    if isinstance(head, str):
        return _FileLoads(problem=head)
    if not _LOADER_WORDS.search(head):
        return _FileLoads()
    if len(head) > MAX_FILE_BYTES:
        return _FileLoads(problem=f"not read for libraries loaded by name: {size} bytes, over the {MAX_FILE_BYTES} byte limit")
    try:
        module = _ModuleLoads(_parse(head))
        sites = tuple(module.sites())
        stem = os.path.splitext(os.path.basename(path))[0]
        name = os.path.basename(os.path.dirname(path)) if stem == "__init__" else stem
        wrappers = tuple(sorted((replace(w, module=name) for w in module.wrappers), key=repr))
        return _FileLoads(sites, None, wrappers)
    except ValueError as exc:
        return _FileLoads(problem=f"not read for libraries loaded by name: {exc}")
    except RecursionError:
        return _FileLoads(problem="not read for libraries loaded by name: expressions nested too deeply")


def _wrapper_calls_cached(path: str, wrappers: frozenset, cache: LoadsCache) -> tuple[LoadSite, ...]:
    """Sites in ``path`` made by calls to ``wrappers`` (problems were said in the first pass)."""
    st = _stat_regular(path)
    if isinstance(st, str):
        return ()
    key = (path, wrappers)
    with cache.lock:
        hit = cache.calls.get(key)
    if hit is not None and hit[0] == st.st_mtime_ns and hit[1] == st.st_size:
        return hit[2]
    sites: tuple[LoadSite, ...] = ()
    head = _read_head(path)
    if isinstance(head, bytes) and len(head) <= MAX_FILE_BYTES and any(w.name.encode() in head for w in wrappers):
        try:
            sites = tuple(_ModuleLoads(_parse(head)).calls_to(wrappers))
        except (ValueError, RecursionError):
            pass
    with cache.lock:
        cache.calls[key] = (st.st_mtime_ns, st.st_size, sites)
    return sites


def load_sites(source: bytes | str) -> list[LoadSite]:
    """The libraries a module's source loads by name, for Linux. Raises ValueError with a
    readable reason when the source cannot be parsed (bad encoding, invalid syntax, too deep)."""
    tree = _parse(source)
    try:
        return _ModuleLoads(tree).sites()
    except RecursionError:
        raise ValueError("expressions nested too deeply") from None


def _parse(source: bytes | str) -> ast.Module:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning on old escapes: not our concern
            return ast.parse(source)
    except SyntaxError as exc:
        where = f" (line {exc.lineno})" if exc.lineno else ""
        raise ValueError(f"{type(exc).__name__}: {exc.msg}{where}"[:200]) from None
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, undecodable text, nesting
        raise ValueError(f"{type(exc).__name__}: {exc}"[:200]) from None


# --- reading one module ------------------------------------------------------------------------

@dataclass(slots=True)
class _Context:
    function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | None
    optional: bool


class _ModuleLoads:
    """Walks the branches of a module that run on Linux, recording name bindings, calls and
    soname literals, then resolves the names each loader call receives."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.aliases = _import_aliases(tree)
        self.platform_values: dict[str, str] = {}  # filled in order: a copy may copy a copy
        self.platform_values = self._platform_values(tree)
        self.platform_flags = self._platform_flags(tree)
        # (function or None for the module, name) -> bound expressions; ("param", f, i) for a parameter
        self.bindings: dict[tuple[int | None, str], list] = {}
        self.functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        self.calls: list[tuple[ast.Call, _Context]] = []
        self.calls_by_name: dict[str, list[tuple[ast.Call, _Context]]] = {}
        self.literals: list[tuple[ast.Constant, _Context]] = []
        self.subscripts: list[tuple[ast.Subscript, _Context]] = []
        self.wrappers: set[Wrapper] = set()  # filled by sites(): parameters that reach a loader
        self._kind: str | None = None  # the loader whose argument is being resolved
        self.parents: dict[int, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | None] = {}
        self._walk_block(tree.body, _Context(None, False))

    # -- the walk ----------------------------------------------------------------------------
    def _walk(self, node: ast.AST, ctx: _Context) -> None:
        if isinstance(node, ast.If):
            truth = self._linux_truth(node.test)
            self._walk(node.test, ctx)
            if truth is not False:
                self._walk_block(node.body, ctx)
            if truth is not True:
                self._walk_block(node.orelse, ctx)
            return
        if isinstance(node, ast.IfExp):
            truth = self._linux_truth(node.test)
            if truth is not False:
                self._walk(node.body, ctx)
            if truth is not True:
                self._walk(node.orelse, ctx)
            return
        if isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            inner = _Context(ctx.function, ctx.optional or _swallows_load_errors(node.handlers))
            self._walk_block(node.body, inner)
            for handler in node.handlers:
                self._walk(handler, ctx)
            self._walk_block(node.orelse, ctx)
            self._walk_block(node.finalbody, ctx)
            return
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if not isinstance(node, ast.Lambda):
                self.functions.setdefault(node.name, []).append(node)
                self._bind(ctx.function, node.name, node)
            params = [*node.args.posonlyargs, *node.args.args]
            for i, arg in enumerate(params):
                self._bind(node, arg.arg, ("param", node, i, arg.arg))
            for arg in node.args.kwonlyargs:
                self._bind(node, arg.arg, ("param", node, None, arg.arg))
            if node.args.vararg:
                self._bind(node, node.args.vararg.arg, ("varargs", node, len(params)))
            for default in [*node.args.defaults, *node.args.kw_defaults]:
                if default is not None:
                    self._walk(default, ctx)
            inner = _Context(node, ctx.optional)
            if isinstance(node.body, list):
                self._walk_block(node.body, inner)
            else:
                self._walk(node.body, inner)
            return
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self._bind_target(ctx.function, target, node.value)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)) and node.value is not None:
            self._bind_target(ctx.function, node.target, node.value)
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            self._bind_target(ctx.function, node.target, ("element", node.iter))
        elif isinstance(node, ast.comprehension):
            self._bind_target(ctx.function, node.target, ("element", node.iter))
        elif isinstance(node, ast.Call):
            self.calls.append((node, ctx))
            name = _callee_name(node.func)
            if name:
                self.calls_by_name.setdefault(name, []).append((node, ctx))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            self.literals.append((node, ctx))
        elif isinstance(node, ast.Subscript) and _is_library_loader(node.value):
            self.subscripts.append((node, ctx))  # ctypes.cdll["libfoo.so.1"] opens that file
        for _, value in ast.iter_fields(node):
            if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
                self._walk_block(value, ctx)
            elif isinstance(value, list):
                for child in value:
                    if isinstance(child, ast.AST):
                        self._walk(child, ctx)
            elif isinstance(value, ast.AST):
                self._walk(value, ctx)

    def _walk_block(self, statements: list[ast.stmt], ctx: _Context) -> None:
        """Statements in order, up to one that always raises on Linux: the rest of the
        block never runs there (``if platform.system() != "Darwin": raise ImportError``)."""
        for statement in statements:
            self._walk(statement, ctx)
            if self._raises_on_linux(statement):
                return

    def _raises_on_linux(self, statement: ast.stmt) -> bool:
        if isinstance(statement, ast.Raise):
            return True
        if isinstance(statement, ast.If):
            truth = self._linux_truth(statement.test)
            taken = statement.body if truth is True else statement.orelse if truth is False else None
            return bool(taken) and any(self._raises_on_linux(s) for s in taken)
        return False

    def _bind(self, function, name: str, value) -> None:
        self.bindings.setdefault((id(function) if function is not None else None, name), []).append(value)

    def _bind_target(self, function, target: ast.AST, value) -> None:
        if isinstance(target, ast.Name):
            self._bind(function, target.id, value)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:  # unpacking: each name may hold any element
                self._bind_target(function, element, ("element", value) if isinstance(value, ast.AST) else value)

    # -- platform branches -------------------------------------------------------------------
    def _linux_value(self, node: ast.AST) -> str | None:
        """What ``sys.platform``, ``os.name`` or ``platform.system()`` is on Linux, also under
        an imported name (``from sys import platform``) or a module-level copy
        (``_system = platform.system()``)."""
        name = _dotted(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        canonical = self.aliases.get(head.removesuffix("()"), head.removesuffix("()"))
        canonical += "()" if head.endswith("()") else ""
        full = canonical + ("." + rest if rest else "")
        return _LINUX.get(full) or self.platform_values.get(name)

    def _platform_values(self, tree: ast.Module) -> dict[str, str]:
        values: dict[str, str | None] = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                values[name] = self._linux_value(node.value) if name not in values else None  # rebound: unknown
                self.platform_values = {k: v for k, v in values.items() if v is not None}
        return self.platform_values

    def _platform_flags(self, tree: ast.Module) -> dict[str, bool]:
        """Module-level names bound once to a platform test (``_is_windows = os.name == "nt"``)."""
        flags: dict[str, bool | None] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                name = node.targets[0].id
                truth = self._linux_truth(node.value, {})
                flags[name] = truth if name not in flags else None  # rebound: unknown
        return {k: v for k, v in flags.items() if v is not None}

    def _linux_truth(self, test: ast.AST, flags: dict[str, bool] | None = None) -> bool | None:
        """True or False when ``test`` is a platform test whose value on Linux is known."""
        flags = self.platform_flags if flags is None else flags
        if isinstance(test, ast.Name):
            return flags.get(test.id)
        if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
            inner = self._linux_truth(test.operand, flags)
            return None if inner is None else not inner
        if isinstance(test, ast.BoolOp):
            values = [self._linux_truth(v, flags) for v in test.values]
            if isinstance(test.op, ast.And):
                return False if False in values else (True if all(v is True for v in values) else None)
            return True if True in values else (False if all(v is False for v in values) else None)
        if isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr == "startswith" \
                and len(test.args) == 1:
            value = self._linux_value(test.func.value)
            prefixes = _constant_strings(test.args[0])
            if value is not None and prefixes is not None:
                return any(value.startswith(p) for p in prefixes)
            return None
        if isinstance(test, ast.Compare) and len(test.ops) == 1:
            left, right = test.left, test.comparators[0]
            value = self._linux_value(left)
            other = right
            if value is None:
                value, other = self._linux_value(right), left
                if value is None or not isinstance(test.ops[0], (ast.Eq, ast.NotEq)):
                    return None
            strings = _constant_strings(other)
            if strings is None:
                return None
            op = test.ops[0]
            if isinstance(op, ast.Eq):
                return value in strings
            if isinstance(op, ast.NotEq):
                return value not in strings
            if isinstance(op, ast.In):
                return value in strings if isinstance(other, (ast.Tuple, ast.List, ast.Set)) else \
                    any(value in s for s in strings)
            if isinstance(op, ast.NotIn):
                return value not in strings if isinstance(other, (ast.Tuple, ast.List, ast.Set)) else \
                    not any(value in s for s in strings)
        return None

    # -- resolution --------------------------------------------------------------------------
    def strings(self, expr, function, seen: set | None = None) -> list[tuple[str, ast.Call | None]]:
        """Every string ``expr`` may hold, with the wrapper call that supplied it (for a
        parameter), as far as constants, containers, loops and wrappers show."""
        seen = set() if seen is None else seen
        if isinstance(expr, tuple):
            kind = expr[0]
            if kind == "element":
                return self.strings(expr[1], function, seen)
            if kind in ("param", "varargs"):
                return self._argument_strings(expr, seen)
            return []
        if isinstance(expr, ast.Constant):
            return [(expr.value, None)] if isinstance(expr.value, str) else []
        if isinstance(expr, (ast.Tuple, ast.List, ast.Set)):
            return [s for e in expr.elts for s in self.strings(e, function, seen)]
        if isinstance(expr, ast.Starred):
            return self.strings(expr.value, function, seen)
        if isinstance(expr, ast.BoolOp):
            return [s for v in expr.values for s in self.strings(v, function, seen)]
        if isinstance(expr, ast.IfExp):
            truth = self._linux_truth(expr.test)
            out = []
            if truth is not False:
                out += self.strings(expr.body, function, seen)
            if truth is not True:
                out += self.strings(expr.orelse, function, seen)
            return out
        if isinstance(expr, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in expr.values):
            return [("".join(v.value for v in expr.values), None)]
        if isinstance(expr, ast.Name):
            key = (id(function) if function is not None else None, expr.id)
            if key in seen:
                return []
            seen.add(key)
            bound = self.bindings.get(key)
            if bound is None and function is not None:
                return self.strings(expr, None, seen)
            return [s for value in bound or () if not isinstance(value, (ast.FunctionDef, ast.AsyncFunctionDef))
                    for s in self.strings(value, function, seen)]
        return []

    def _argument_strings(self, param: tuple, seen: set) -> list[tuple[str, ast.Call | None]]:
        """The strings a wrapper's parameter receives at the wrapper's call sites in the module."""
        kind, function, index = param[0], param[1], param[2]
        name = param[3] if kind == "param" else None
        if isinstance(function, ast.Lambda):
            return []
        defaults = function.args.defaults
        positional = [*function.args.posonlyargs, *function.args.args]
        if self._kind is not None:
            method = bool(positional) and positional[0].arg in ("self", "cls")
            self.wrappers.add(Wrapper(function.name, index, name, method, self._kind))
        out: list[tuple[str, ast.Call | None]] = []
        if kind == "param" and index is not None and index >= len(positional) - len(defaults):
            out += self.strings(defaults[index - (len(positional) - len(defaults))], None, seen)
        for call, ctx in self.calls_by_name.get(function.name, ()):
            # a method's first parameter is ``self``: a call ``obj.f(a)`` gives it ``a`` second
            shift = 1 if isinstance(call.func, ast.Attribute) and positional and positional[0].arg in ("self", "cls") else 0
            if kind == "varargs":
                args = call.args[max(0, index - shift):]
            elif index is not None and 0 <= index - shift < len(call.args):
                args = [call.args[index - shift]]
            else:
                args = [k.value for k in call.keywords if k.arg == name]
            for arg in args:
                out += [(s, via or call) for s, via in self.strings(arg, ctx.function, seen)]
        return out

    # -- the result --------------------------------------------------------------------------
    def sites(self) -> list[LoadSite]:
        found: list[tuple[int, set[str], bool]] = []  # line, candidates, optional
        used_literals: set[int] = set()
        loader_seen = False
        for call, ctx in self.calls:
            kind = _loader_kind(call.func, self.aliases)
            if kind is None:
                continue
            loader_seen = True
            self._kind = kind
            args = [*call.args, *(k.value for k in call.keywords if k.arg in (None, "name", "library", "libpath"))]
            by_origin: dict[int, tuple[ast.Call, set[str]]] = {}
            for arg in args:
                for literal in ast.walk(arg):
                    used_literals.add(id(literal))
                for value, via in self.strings(arg, ctx.function):
                    origin = via or call
                    names = _candidates(value, kind)
                    if names:
                        by_origin.setdefault(id(origin), (origin, set()))[1].update(names)
            for origin, names in by_origin.values():
                optional = ctx.optional if origin is call else self._call_optional(origin)
                found.append((origin.lineno, names, optional))
        self._kind = None
        for subscript, ctx in self.subscripts:
            loader_seen = True
            for literal in ast.walk(subscript.slice):
                used_literals.add(id(literal))
            names = {n for value, _ in self.strings(subscript.slice, ctx.function) for n in _candidates(value, "file")}
            if names:
                found.append((subscript.lineno, names, ctx.optional))
        if not loader_seen:
            return []
        for literal, ctx in self.literals:
            if id(literal) in used_literals:
                continue
            m = _SONAME_LITERAL.match(literal.value)
            if m and not _OTHER_PLATFORMS.search(literal.value):
                found.append((literal.lineno, {m.group(1)}, ctx.optional))
        return _merge(found)

    def calls_to(self, wrappers: frozenset) -> list[LoadSite]:
        """Sites made by this module's calls to wrappers defined in another module."""
        found: list[tuple[int, set[str], bool]] = []
        for wrapper in wrappers:
            if wrapper.name in self.functions:
                continue  # defined here: its call sites here were read with it
            for call, ctx in self.calls_by_name.get(wrapper.name, ()):
                if not self._names_wrapper(call.func, wrapper):
                    continue
                shift = 1 if wrapper.method and isinstance(call.func, ast.Attribute) else 0
                if wrapper.param is None:
                    args = call.args[max(0, (wrapper.index or 0) - shift):]
                elif wrapper.index is not None and 0 <= wrapper.index - shift < len(call.args):
                    args = [call.args[wrapper.index - shift]]
                else:
                    args = [k.value for k in call.keywords if k.arg == wrapper.param]
                names = {n for arg in args for value, _ in self.strings(arg, ctx.function)
                         for n in _candidates(value, wrapper.kind)}
                if names:
                    found.append((call.lineno, names, ctx.optional))
        return _merge(found)

    def _names_wrapper(self, func: ast.AST, wrapper: Wrapper) -> bool:
        """The call is to the wrapper, not to a namesake: ``f(…)`` with ``f`` imported from
        the wrapper's module, or ``module.f(…)``."""
        if isinstance(func, ast.Name):
            imported = self.aliases.get(func.id, "")
            # ``from . import f``: f of the package's own __init__ (or a sibling's)
            return imported.endswith(f"{wrapper.module}.{wrapper.name}") or imported == f".{wrapper.name}"
        if isinstance(func, ast.Attribute):
            base = _dotted(func.value) or ""
            return base.rsplit(".", 1)[-1] == wrapper.module
        return False

    def _call_optional(self, call: ast.Call) -> bool:
        for c, ctx in self.calls:
            if c is call:
                return ctx.optional
        return False


def _merge(found: list[tuple[int, set[str], bool]]) -> list[LoadSite]:
    """One site per library: sites whose names share a link name (``libmagic.so`` for
    ``find_library("magic")`` and ``"libmagic.so.1"``) are one library; the first line wins,
    and the library is optional only when every site of it is."""
    groups: list[tuple[int, set[str], set[str], bool]] = []  # line, names, link names, optional
    for line, names, optional in sorted(found, key=lambda f: f[0]):
        links = {_link_name(n) for n in names}
        merged = [g for g in groups if g[2] & links]
        for g in merged:
            groups.remove(g)
            line = min(line, g[0])
            names |= g[1]
            links |= g[2]
            optional = optional and g[3]
        groups.append((line, names, links, optional))
    return [LoadSite(line, tuple(sorted(names, key=_specific_first)), optional)
            for line, names, _, optional in sorted(groups, key=lambda g: g[0])]


def _specific_first(name: str) -> tuple:
    """Versioned sonames before link names; then by name, for a stable order."""
    return (name == _link_name(name), name)


def _link_name(name: str) -> str:
    return re.sub(r"(\.so)(\.\d+)+$", r"\1", name)


def _candidates(value: str, kind: str) -> set[str]:
    """The file names a loader of ``kind`` opens for ``value`` on Linux."""
    if not value or _OTHER_PLATFORMS.search(value):
        return set()
    base = value.rsplit("/", 1)[-1]
    if kind == "dlopen":  # cffi: a file when the name has a dot or a slash, else find_library
        kind = "file" if ("." in value or "/" in value) else "find_library"
    if kind == "find_library":
        return {f"lib{value}.so"} if _LIBRARY_NAME.match(value) else set()
    return {base} if _SHARED_OBJECT_NAME.match(base) else set()


def _loader_kind(func: ast.AST, aliases: dict[str, str]) -> str | None:
    name = _callee_name(func)
    if isinstance(func, ast.Name):  # from ctypes.util import find_library as _find_library
        name = aliases.get(name, name).rsplit(".", 1)[-1]
    if name in _FIND_LIBRARY:
        return "find_library"
    if name in _OPEN_FILE:
        return "file"
    if name in _DLOPEN:
        return "dlopen"
    return None


def _is_library_loader(node: ast.AST) -> bool:
    """``cdll``/``pydll`` (ctypes' LibraryLoader objects). Their attribute form,
    ``cdll.foo``, opens a file named exactly ``foo``: never a Linux soname, so only the
    subscript form is read."""
    name = _dotted(node)
    return name is not None and name.rsplit(".", 1)[-1] in _CTYPES_LIBRARY_LOADERS


def _import_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name → what it imports (``_find_library`` → ``ctypes.util.find_library``,
    ``system`` → ``platform.system``) for ``from … import … as …`` anywhere in the module."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):  # relative ones too: a package's own wrappers
            for alias in node.names:
                out[alias.asname or alias.name] = f"{node.module}.{alias.name}" if node.module else "." + alias.name
    return out


def _callee_name(func: ast.AST) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        base = _dotted(node.func)
        return f"{base}()" if base else None
    return None


def _constant_strings(node: ast.AST) -> list[str] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        out = []
        for e in node.elts:
            if not (isinstance(e, ast.Constant) and isinstance(e.value, str)):
                return None
            out.append(e.value)
        return out
    return None


def _swallows_load_errors(handlers: list[ast.ExceptHandler]) -> bool:
    for handler in handlers:
        if any(isinstance(n, ast.Raise) for n in handler.body):
            continue
        caught = handler.type
        names = [] if caught is None else [_dotted(e) for e in (caught.elts if isinstance(caught, ast.Tuple) else [caught])]
        if caught is None or any(n and n.rsplit(".", 1)[-1] in _LOAD_ERRORS for n in names):
            return True
    return False
