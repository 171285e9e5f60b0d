"""Derive the PyPI → DepURL table from the wheel facts, offline and deterministically.

Read by build_pypi_data.py. Inputs: data/pypi/wheel-facts.jsonl (what the wheels and sdists
say), data/pypi/curated.toml (hand-reviewed rows, which win), the poetry2nix rows of
shared/data/python-native-deps.tsv (kept only where a wheel confirms them), the vendored
soname index and curated DepURL rows of data/nixpkgs/, and auditwheel's manylinux policy
(the libraries a manylinux wheel may expect from any system).
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from importlib import resources
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "pep725_ls" / "data"
PYPI = DATA / "pypi"
NIXPKGS = DATA / "nixpkgs"
DEFAULT_SHARED = HERE.parents[2] / "shared"

# The C library itself: every Python process has loaded it, on NixOS too.
GLIBC = re.compile(r"^(libc|libm|libmvec|libpthread|libdl|librt|libutil|libresolv|libnsl|libanl|libcrypt|ld-linux-x86-64|ld-linux)\.so(\.\d+)*$")
# auditwheel renames a bundled library by splitting its name at the first dot and putting
# 8 hex digits of its hash between: libfoo.so.1 -> libfoo-1a2b3c4d.so.1,
# libopenblasp-r0.3.3.so -> libopenblasp-r0-37b5f859.3.3.so
_HASHED = re.compile(r"^(?P<base>[^.]+?)-[0-9a-f]{8}(?P<ext>\..+)$")
_BUNDLED_DIR = re.compile(r"^[^/]+\.libs/")  # auditwheel's folder of bundled copies
_PLUGIN = re.compile(r"(^|/)plugins?/")
_LINK_BASE = re.compile(r"^(lib.+?\.so)")
_OTHER_OS = re.compile(r"\.(dll|dylib|DLL)$|\.\d+\.dylib$|^(cyg|msys-)")
GENERIC = "dep:generic/"
NOT_SHIPPED = "no nixpkgs package ships this file"
COMPILERS = {"c": "dep:virtual/compiler/c", "cxx": "dep:virtual/compiler/cxx",
             "fortran": "dep:virtual/compiler/fortran", "rust": "dep:virtual/compiler/rust"}
KINDS = ("build", "host", "runtime", "optional")


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503


def unhash(name: str) -> str:
    """The library's own file name: auditwheel's hashes taken off (a library repaired twice,
    scipy's libgfortran-040039e1-0352e75f.so.5.0.0, has two)."""
    while m := _HASHED.match(name):
        name = m["base"] + m["ext"]
    return name


def soname_of_file(name: str) -> str | None:
    """libfoo.so.6 for libfoo.so.6.20.6: auditwheel names a bundled copy after the library's
    real file and rewrites its DT_SONAME, and by the ELF convention the soname is the file
    name up to the major version."""
    m = re.match(r"^(lib.+?\.so\.\d+)\.[\d.]+$", name)
    return m.group(1) if m else None


def manylinux_policy() -> tuple[set[str], str]:
    """The libraries some manylinux policy lets a wheel take from the system, and a digest."""
    raw = resources.files("auditwheel").joinpath("policy", "manylinux-policy.json").read_bytes()
    libs: set[str] = set()
    for policy in json.loads(raw):
        whitelist = policy.get("lib_whitelist", [])
        if isinstance(whitelist, dict):  # per-architecture in some auditwheel versions
            whitelist = whitelist.get("x86_64", [])
        libs.update(whitelist)
    # the digest of the set, not of the file: a new auditwheel that changes nothing we read
    # leaves the output bit-identical
    return libs, "sha256:" + hashlib.sha256("\n".join(sorted(libs)).encode()).hexdigest()[:16]


class SonameResolver:
    """Exact soname (or link name) → DepURL, with the vendored nixpkgs data."""

    def __init__(self) -> None:
        self.providers: dict[str, list[str]] = {}
        for line in (NIXPKGS / "sonames.tsv").read_text("utf-8").splitlines():
            file, attr, _ = line.split("\t")
            self.providers.setdefault(file, []).append(attr)
        mapping = json.loads((NIXPKGS / "mapping.json").read_text("utf-8"))
        self.hints: dict[str, str] = mapping.get("soname_hints", {})
        self.attr_to_depurl: dict[str, str] = {}
        for depurl_id, entry in sorted(mapping["mappings"].items(), key=lambda kv: (not kv[0].startswith(GENERIC), kv[0])):
            if entry.get("source") == "emm":
                continue  # unchecked rows do not name a library
            for i, row in enumerate(entry.get("nix", [])):
                for a in (row["attr"], row.get("data_attr")):
                    if a and (i == 0 or a not in self.attr_to_depurl):
                        self.attr_to_depurl.setdefault(a, depurl_id)
        self.driver: set[str] = set()
        self.pname: dict[str, str] = {}
        for line in (NIXPKGS / "attrs.tsv").read_text("utf-8").splitlines():
            attr, _, _, pname = (line.split("\t") + [""] * 4)[:4]
            self.pname[attr] = pname or attr.rsplit(".", 1)[-1]

    def resolve(self, soname: str) -> tuple[str | None, str]:
        """(DepURL, how) for an exact file name, or (None, why not)."""
        if soname in self.driver:
            return None, "from the GPU driver, not a package"
        base = _LINK_BASE.match(soname)
        if base and base.group(1) in self.hints:
            return self.hints[base.group(1)], "soname hint"
        attrs = self.providers.get(soname)
        if not attrs:
            return None, NOT_SHIPPED
        curated = sorted({self.attr_to_depurl[a] for a in attrs if a in self.attr_to_depurl}
                         | {self.attr_to_depurl[self.pname[a]] for a in attrs if self.pname.get(a) in self.attr_to_depurl})
        if len(curated) == 1:
            return curated[0], "curated attribute"
        if len(curated) > 1:
            return None, "ambiguous: " + ", ".join(curated)
        # no curated row: dep:generic/<name> only when all top-level providers agree on a name
        top = [a for a in attrs if "." not in a] or attrs
        names = sorted({re.sub(r"_\d+(_\d+)*$", "", self.pname.get(a, a)).removesuffix("-wrapper").lower() for a in top})
        if len(names) == 1:
            return GENERIC + names[0], "nixpkgs package name"
        # several packages ship it; the one named after the library is its home
        # (libXext.so.6: libxext, not xorg_sys_opengl, which bundles a copy)
        stem = soname.split(".so", 1)[0].lower()
        named = sorted({a for a in top if a.lower() in (stem, stem.removeprefix("lib"))})
        if len(named) == 1:
            return GENERIC + named[0].lower(), "nixpkgs package named after the library"
        return None, "ambiguous: " + ", ".join(sorted(top)[:6])

    def resolve_load(self, name: str) -> tuple[str | None, str, str]:
        """A name given to CDLL/find_library/dlopen, resolved as the loader would:
        ``x`` → ``libx.so``, ``libx.so.N`` as is. (DepURL, file, how)."""
        if "/" in name or _OTHER_OS.search(name):
            return None, name, "not a Linux library name"
        candidates = [name] if ".so" in name else [f"lib{name}.so", f"{name}.so"] if not name.startswith("lib") else [f"{name}.so"]
        for file in candidates:
            if GLIBC.match(file) or file in ("libc.so", "libm.so"):
                return None, file, "glibc"
            found, how = self.resolve(file)
            if found or how != NOT_SHIPPED:
                return found, file, how
        return None, candidates[0], NOT_SHIPPED


def read_facts(path: Path) -> list[dict]:
    """The facts file, one project a line, its ELF entries expanded back from the
    name-index form build_pypi_data.compact() writes."""
    out = []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        names = row.pop("libs", [])
        elves = {}
        for p, e in (row.get("elf") or {}).items():
            if isinstance(e, list):
                entry = {"needed": [names[i] for i in e[1]]}
                if e[0] >= 0:
                    entry["soname"] = names[e[0]]
                if len(e) > 2:
                    entry["machine"] = e[2]
                e = entry
            elves[p] = e
        if elves:
            row["elf"] = elves
        out.append(row)
    return out


def wheel_row(facts: dict, resolver: SonameResolver, policy: set[str], pypi_provided: dict[str, str]) -> tuple[dict, list[dict]]:
    """The DepURLs one wheel's facts give, by kind, and the names that could not be mapped."""
    elves = {p: e for p, e in (facts.get("elf") or {}).items() if "needed" in e and "machine" not in e}
    provided: dict[str, str] = {}  # name a NEEDED can use -> member path
    for path, e in elves.items():
        provided[path.rsplit("/", 1)[-1]] = path
        if e.get("soname"):
            provided[e["soname"]] = path
    host: dict[str, list[str]] = {}
    runtime: dict[str, list[str]] = {}
    unmapped: list[dict] = []
    own = canonical(facts["project"])

    def note(target: dict, soname: str, evidence: str) -> None:
        # a bundled copy's soname first: the full file name (libfreetype.so.6.18.3) may be
        # shipped only by an application that happens to carry the same old version
        depurl, how = resolver.resolve(soname_of_file(soname)) if soname_of_file(soname) else (None, NOT_SHIPPED)
        if depurl is None and how == NOT_SHIPPED:
            depurl, how = resolver.resolve(soname)
        if depurl is None:
            unmapped.append({"project": own, "name": soname, "why": how, "evidence": evidence})
        else:
            target.setdefault(depurl, []).append(evidence)

    # A bundled copy counts when the package's own code links it; one that only another
    # bundled library needs (libtiff's libzstd) is not this project's dependency.
    own_needed = {n for p, e in elves.items() if not _BUNDLED_DIR.match(p) and not _PLUGIN.search(p) for n in e["needed"]}
    plugin_needed = {n for p, e in elves.items() if _PLUGIN.search(p) for n in e["needed"]}
    optional: dict[str, list[str]] = {}
    for path in sorted(elves):
        if _BUNDLED_DIR.match(path):
            e = elves[path]
            names = {path.rsplit("/", 1)[-1], e.get("soname")}
            if names & own_needed:
                note(host, unhash(e.get("soname") or path.rsplit("/", 1)[-1]), f"bundled {path}")
            elif names & plugin_needed:  # a copy only a plugin uses (opencv's Qt xcb platform)
                note(optional, unhash(e.get("soname") or path.rsplit("/", 1)[-1]), f"bundled for a plugin {path}")
    # A plugin (Qt's platforms/libqxcb.so, a GStreamer element) is loaded only when used:
    # what only plugins link is optional, not something every user of the wheel needs.
    core = sorted({n for p, e in elves.items() if not _PLUGIN.search(p) for n in e["needed"]})
    plugin_only = sorted({n for p, e in elves.items() if _PLUGIN.search(p) for n in e["needed"]} - set(core))
    for n in core + plugin_only:
        if n in provided or GLIBC.match(n):
            continue
        if n in pypi_provided and pypi_provided[n] != own:
            continue  # another PyPI project's wheel ships it (nvidia-*, torch's libs)
        if n in plugin_only:
            note(optional, n, "DT_NEEDED of a plugin")
        else:
            note(runtime, n, "DT_NEEDED" + (" (manylinux policy)" if n in policy else ""))
    # One call site often lists candidates for several systems (cairocffi: "cairo-2",
    # "cairo", "libcairo.so.2"): when one of them maps, the others are not reported.
    sites: dict[tuple[str, int], list[tuple[str, str, str | None, str]]] = {}
    for file, line, call, name in facts.get("loads") or []:
        if name in provided or f"lib{name}.so" in provided:
            continue
        depurl, so, how = resolver.resolve_load(name)
        sites.setdefault((file, line), []).append((call, name, depurl, how))
    for (file, line), found in sorted(sites.items()):
        mapped = [f for f in found if f[2] is not None]
        for call, name, depurl, how in mapped:
            runtime.setdefault(depurl, []).append(f"{call}({name!r}) {file}:{line}")
        if not mapped:
            for call, name, depurl, how in found:
                if how not in ("glibc", "not a Linux library name"):
                    unmapped.append({"project": own, "name": name, "why": how, "evidence": f"{call} {file}:{line}"})
    row: dict = {}
    if host:
        row["host"] = sorted(host)
        row["bundled"] = sorted(host)
    policy_only = sorted(d for d, ev in runtime.items() if all("(manylinux policy)" in e for e in ev))
    if runtime:
        row["runtime"] = sorted(runtime)
        # a library linked but not bundled is also a host dependency of a source build
        if facts.get("sdist"):  # without an sdist nobody builds it: nothing is a host dependency
            linked = sorted(d for d, ev in runtime.items() if any(e == "DT_NEEDED" for e in ev))
            row["host"] = sorted(set(row.get("host", ())) | set(linked))
    if policy_only:
        row["manylinux"] = policy_only
    optional_only = sorted(set(optional) - set(runtime) - set(host))
    if optional_only:
        row["optional"] = optional_only
    row["evidence"] = {d: sorted(set(ev))[0] for d, ev in sorted({**optional, **host, **runtime}.items())}
    return row, unmapped


_VENDORED_DIR = re.compile(r"(^|/)(third[_-]?party|vendor(ed)?|deps|extern(al)?|subprojects|contrib)/", re.I)


def build_side(facts: dict) -> tuple[list[str], list[str]]:
    """(build DepURLs, what the sdist says besides) from the sdist's build files and sources.

    A word counts where the build reads it: in the top-level build files, in any meson.build
    of a meson-python build, in any CMakeLists.txt of a scikit-build build; never in a
    vendored project's own build files.
    """
    text = facts.get("build_text") or {}
    langs = facts.get("languages") or {}
    backend = text.get("backend", "")
    requires = set(text.get("requires", []))
    meson = backend == "mesonpy" or "meson-python" in requires
    skbuild = backend.startswith(("scikit_build", "skbuild")) or bool({"scikit-build", "scikit-build-core"} & requires)
    words: set[str] = set()
    for hit in text.get("mentions", []):
        word, _, path = hit.partition("@")
        base = path.rsplit("/", 1)[-1]
        if _VENDORED_DIR.search(path):
            continue
        if "/" not in path or (meson and base == "meson.build") or (skbuild and base == "CMakeLists.txt") or word == "cython-cxx":
            words.add(word)
    out: list[str] = []
    cython = langs.get("cython", 0)
    if langs.get("c") or (cython and "cython-cxx" not in words) or "c" in words:
        out.append(COMPILERS["c"])
    if langs.get("cxx") or "cxx" in words or "cython-cxx" in words:
        out.append(COMPILERS["cxx"])
    if langs.get("fortran") or "fortran" in words:
        out.append(COMPILERS["fortran"])
    if langs.get("rust") or "rust" in words or backend.startswith("maturin") or {"maturin", "setuptools-rust"} & requires:
        out.append(COMPILERS["rust"])
    if "pkg-config" in words or (meson and "meson-dependency" in words) or {"pkgconfig", "pkg-config"} & requires:
        out.append("dep:generic/pkg-config")
    if skbuild or "cmake" in requires or any(h in ("cmake@setup.py", "cmake@pyproject.toml", "cmake@setup.cfg") for h in text.get("mentions", [])):
        out.append("dep:generic/cmake")
    if meson or "ninja" in requires:
        out.append("dep:generic/ninja")
    if meson or "meson" in requires:
        out.append("dep:generic/meson")
    extra = ["cython"] if cython or "cython" in requires else []
    return sorted(dict.fromkeys(out)), extra


def poetry2nix_rows(shared: Path, resolver: SonameResolver) -> dict[str, dict]:
    """poetry2nix's override rows as DepURLs (only rows whose attributes map exactly)."""
    path = shared / "data" / "python-native-deps.tsv"
    out: dict[str, dict] = {}
    if not path.exists():
        return out
    lines = [l for l in path.read_text("utf-8").splitlines() if l and not l.startswith("#")][1:]
    for line in lines:
        name, attrs, tools, source = (line.split("\t") + [""] * 4)[:4]
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name):
            continue
        row = out.setdefault(canonical(name), {"host": [], "darwin": [], "source": source})
        for token in attrs.split(","):
            token = token.strip()
            if not token:
                continue
            bare = re.sub(r"\.(dev|out|lib|bin)$", "", token.replace("(optional)", "").replace("(darwin)", "").strip())
            depurl = resolver.attr_to_depurl.get(bare) or resolver.attr_to_depurl.get(resolver.pname.get(bare, ""))
            if depurl is None and bare in resolver.pname and "." not in bare:
                depurl = GENERIC + bare.lower()
            if depurl:
                (row["darwin"] if "(darwin)" in token else row["host"]).append(depurl)
    return out


def build(facts_path: Path, shared: Path = DEFAULT_SHARED) -> dict[str, bytes]:
    resolver = SonameResolver()
    policy, policy_digest = manylinux_policy()
    facts = read_facts(facts_path) if facts_path.exists() else []
    curated = tomllib.loads((PYPI / "curated.toml").read_text("utf-8"))
    resolver.driver = set(curated.get("driver", {}).get("sonames", []))
    reviewed: dict[str, dict] = {canonical(k): v for k, v in curated.get("project", {}).items()}
    p2n = poetry2nix_rows(shared, resolver)

    # which sonames other PyPI projects' wheels ship (nvidia-cublas-cu12 ships libcublas.so.12)
    pypi_provided: dict[str, str] = {}
    for f in facts:
        for path, e in sorted((f.get("elf") or {}).items()):
            if re.match(r"^[^/]+\.libs/", path):
                continue  # bundled private copies are not for others to use
            for n in (path.rsplit("/", 1)[-1], e.get("soname")):
                if n and n.startswith("lib"):
                    pypi_provided.setdefault(n, canonical(f["project"]))

    table: dict[str, dict] = {}
    unmapped: list[dict] = []
    compiled_ranked: list[tuple[int, str]] = []
    for f in facts:
        key = canonical(f["project"])
        row: dict = {"rank": f.get("rank")} if f.get("rank") else {}
        if f.get("status") in ("compiled", "no manylinux x86_64 wheel") or (
                f.get("status") == "sdist only" and {"c", "cxx", "fortran", "rust"} & set(f.get("languages") or {})):
            compiled_ranked.append((f.get("rank") or 10**9, key))
        if f.get("wheel"):
            row["wheel"] = f["wheel"]
            derived, missing = wheel_row(f, resolver, policy, pypi_provided)
            row.update(derived)
            unmapped += missing
        if f.get("sdist"):
            build_deps, extra = build_side(f)
            if build_deps:
                row["build"] = build_deps
            if extra:
                row["build_python"] = extra
            if f.get("sdist"):
                row["sdist"] = f["sdist"]
        row["source"] = "wheel"
        table[key] = row

    # poetry2nix: a row stays only where the wheel analysis confirms it; Darwin-only rows go
    for key, p in sorted(p2n.items()):
        row = table.get(key)
        if row is None or "wheel" not in row:
            continue
        seen = set(row.get("host", ())) | set(row.get("runtime", ()))
        confirmed = [d for d in dict.fromkeys(p["host"]) if d in seen]
        if confirmed:
            row["poetry2nix"] = confirmed

    # curated rows win: what they list is added, what they `drop` goes (a hand-reviewed
    # false reading of the wheel); the wheel's other findings stay
    for key, c in sorted(reviewed.items()):
        row = table.setdefault(key, {})
        row["source"] = "curated" + (" + wheel" if "wheel" in row else "")
        drop = set(c.get("drop", ()))
        for kind in KINDS + ("bundled", "manylinux"):
            merged = list(c.get(kind, ())) + [d for d in row.get(kind, ()) if d not in c.get(kind, ())]
            if merged:
                row[kind] = [d for d in merged if d not in drop]
        for d in c.get("optional", ()):  # a hand review moved it to optional
            for kind in ("host", "runtime", "bundled", "manylinux"):
                if d in row.get(kind, ()):
                    row[kind] = [x for x in row[kind] if x != d]
        if c.get("bundles") and "host" in c:
            row["bundled"] = sorted(set(row.get("bundled", ())) | set(c["host"]))
        for k in ("binary_of", "why", "no_native", "bundled_with_extras"):
            if k in c:
                row[k] = c[k]
        if c.get("no_native"):
            for kind in ("host", "runtime", "bundled", "manylinux"):
                row.pop(kind, None)
    for row in table.values():
        for kind in ("host", "runtime", "build", "optional", "bundled", "manylinux"):
            if kind in row:
                row[kind] = sorted(dict.fromkeys(row[kind]))
                if not row[kind]:
                    del row[kind]
        if isinstance(row.get("evidence"), dict):
            kept = set(row.get("host", ())) | set(row.get("runtime", ())) | set(row.get("optional", ()))
            row["evidence"] = {d: e for d, e in row["evidence"].items() if d in kept}
            if not row["evidence"]:
                del row["evidence"]

    table = {k: table[k] for k in sorted(table)}
    compiled_ranked.sort()
    meta = {
        "inputs": {
            "wheel-facts.jsonl": _digest(facts_path) if facts_path.exists() else None,
            "curated.toml": _digest(PYPI / "curated.toml"),
            "sonames.tsv": _digest(NIXPKGS / "sonames.tsv"),
            "mapping.json": _digest(NIXPKGS / "mapping.json"),
            "python-native-deps.tsv": _digest(shared / "data" / "python-native-deps.tsv") if (shared / "data" / "python-native-deps.tsv").exists() else None,
            "manylinux-policy.json": policy_digest,
        },
        "counts": {"projects": len(table), "facts": len(facts), "compiled": len(compiled_ranked), "unmapped": len(unmapped)},
    }
    # One project a line, "name<TAB>row as JSON", sorted: the server bisects to a line and
    # parses only the rows it is asked about (a whole-file json.loads was 13 ms at start-up).
    lines = ["#meta\t" + json.dumps(meta, ensure_ascii=False, separators=(",", ":"))]
    lines += [f"{k}\t" + json.dumps(v, ensure_ascii=False, separators=(",", ":")) for k, v in table.items()]
    assert lines[1:] == sorted(lines[1:]) and all(not k.startswith("#") for k in table)
    # what only the report reads, apart: the server never loads it
    report = {"compiled_by_rank": [k for _, k in compiled_ranked],
              "unmapped": sorted(unmapped, key=lambda u: (u["project"], u["name"], u["evidence"]))}
    return {"native-deps.tsv": ("\n".join(lines) + "\n").encode(),
            "report.json": (json.dumps(report, indent=0, ensure_ascii=False, separators=(",", ":")) + "\n").encode()}


def _digest(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()[:16]
