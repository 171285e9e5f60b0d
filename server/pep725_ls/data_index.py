"""The one place that knows the data: the PEP 804 registry and the ecosystem mappings.

Features ask this module questions (is this name known, what is it an alias of, which
names start with "lib", what does it map to) and never read data files themselves.
Loading happens once, lazily, on first use.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cached_property
from importlib import resources

# Spellings people write that the registry spells otherwise. PEP 804 itself uses
# dep:virtual/compiler/cpp as its example of "did you mean dep:virtual/compiler/cxx".
KNOWN_MISSPELLINGS: dict[str, str] = {
    "dep:virtual/compiler/cpp": "dep:virtual/compiler/cxx",
    "dep:virtual/compiler/c++": "dep:virtual/compiler/cxx",
    "dep:virtual/compiler/cc": "dep:virtual/compiler/c",
    "dep:virtual/compiler/gcc": "dep:virtual/compiler/c",
    "dep:virtual/compiler/gfortran": "dep:virtual/compiler/fortran",
    "dep:virtual/compiler/rustc": "dep:virtual/compiler/rust",
    "dep:virtual/compiler/objc": "dep:virtual/compiler/obj-c",
    "dep:virtual/compiler/csharp": "dep:virtual/compiler/c-sharp",
    "dep:virtual/compiler/nvcc": "dep:virtual/compiler/cuda",
    "dep:generic/pkgconfig": "dep:generic/pkg-config",
    "dep:generic/pkgconf": "dep:generic/pkg-config",
    "dep:generic/postgresql": "dep:generic/libpq",
    "dep:generic/libjpeg-turbo": "dep:generic/libjpeg",
    "dep:generic/libz": "dep:generic/zlib",
    "dep:generic/gnumake": "dep:generic/make",
    "dep:generic/libssl": "dep:generic/openssl",
}


@dataclass(frozen=True, slots=True)
class RegistryEntry:
    """One ``definitions`` entry of the PEP 804 central registry."""

    id: str
    description: str
    provides: tuple[str, ...]
    urls: dict[str, str]

    @property
    def is_canonical(self) -> bool:
        """PEP 804: canonical when it provides nothing, or only virtual DepURLs."""
        return all(p.startswith("dep:virtual/") for p in self.provides)

    @property
    def canonical_target(self) -> str | None:
        """For an alias, the first non-virtual DepURL it stands for."""
        for target in self.provides:
            if not target.startswith("dep:virtual/"):
                return target
        return None


@dataclass(frozen=True, slots=True)
class EcosystemPackages:
    """What one ecosystem's mapping says about one DepURL."""

    ecosystem: str  # e.g. "ubuntu"
    ecosystem_name: str  # e.g. "Ubuntu"
    build: tuple[str, ...]
    host: tuple[str, ...]
    run: tuple[str, ...]

    @property
    def all(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for name in self.build + self.host + self.run:
            seen.setdefault(name)
        return tuple(seen)


@dataclass(frozen=True, slots=True)
class NameCandidate:
    """A name offered by completion after ``dep:type/[namespace/]``."""

    name: str
    depurl_id: str
    detail: str
    documentation: str
    rank: int  # lower sorts first: 0 registry canonical, 1 alias, 2 other known names


def _read_json(name: str) -> dict:
    return json.loads(resources.files("pep725_ls.data").joinpath(name).read_text("utf-8"))


def _normalise_urls(urls) -> dict[str, str]:
    if isinstance(urls, str):
        return {"": urls}
    if isinstance(urls, list):
        return {"": u for u in urls}
    if isinstance(urls, dict):
        return {str(k): str(v) for k, v in urls.items()}
    return {}


def _specs(raw) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    if isinstance(raw, str):
        return (raw,), (raw,), (raw,)
    if isinstance(raw, list):
        t = tuple(raw)
        return t, t, t
    if isinstance(raw, dict):
        get = lambda k: tuple([raw[k]] if isinstance(raw.get(k), str) else raw.get(k) or ())  # noqa: E731
        return get("build"), get("host"), get("run")
    return (), (), ()


class DataIndex:
    """Registry and mapping queries. Cheap to construct; loads on first question."""

    @cached_property
    def registry(self) -> dict[str, RegistryEntry]:
        data = _read_json("emm/registry.json")
        entries: dict[str, RegistryEntry] = {}
        for d in data.get("definitions", []):
            provides = d.get("provides") or ()
            if isinstance(provides, str):
                provides = (provides,)
            entries[d["id"]] = RegistryEntry(d["id"], d.get("description", ""), tuple(provides), _normalise_urls(d.get("urls")))
        return entries

    @cached_property
    def _lower_ids(self) -> dict[str, str]:
        return {k.lower(): k for k in self.registry}

    def lookup(self, depurl_id: str) -> RegistryEntry | None:
        """The registry entry for ``dep:type/namespace/name[?qualifiers]``, if any."""
        return self.registry.get(depurl_id)

    def is_known(self, depurl_id: str) -> bool:
        """Whether the name is one pep725-ls knows (registry or curated mapping)."""
        return depurl_id in self.registry

    def lookup_case_insensitive(self, depurl_id: str) -> RegistryEntry | None:
        real = self._lower_ids.get(depurl_id.lower())
        return self.registry[real] if real else None

    def canonical_ids(self) -> list[str]:
        return [e.id for e in self.registry.values() if e.is_canonical]

    def names(self, type_: str, namespace: str | None = None) -> list[RegistryEntry]:
        """Registry entries of one type (and namespace), canonical first."""
        prefix = f"dep:{type_}/" + (f"{namespace}/" if namespace else "")
        found = [e for e in self.registry.values() if e.id.startswith(prefix) and "?" not in e.id]
        if namespace is None:
            found = [e for e in found if "/" not in e.id[len(prefix) :]]
        return sorted(found, key=lambda e: (not e.is_canonical, e.id))

    def complete_names(
        self, type_: str, namespace: str | None, prefix: str, limit: int = 100
    ) -> tuple[list[NameCandidate], bool]:
        """Names under ``dep:type/namespace/`` matching ``prefix``, best first.

        Returns the candidates and whether the list was cut at ``limit``.
        """
        prefix_l = prefix.lower()
        found: list[tuple[tuple, NameCandidate]] = []
        for entry in self.names(type_, namespace):
            name = entry.id.rsplit("/", 1)[1]
            if prefix_l and prefix_l not in name.lower():
                continue
            rank = 0 if entry.is_canonical else 1
            detail = "PEP 804 registry" if entry.is_canonical else f"alias of {entry.canonical_target}"
            candidate = NameCandidate(name, entry.id, detail, entry.description, rank)
            match = 0 if name.lower().startswith(prefix_l) else 1
            found.append(((match, rank, name.lower()), candidate))
        found.sort(key=lambda pair: pair[0])
        return [c for _, c in found[:limit]], len(found) > limit

    def namespaces(self, type_: str) -> list[str]:
        prefix = f"dep:{type_}/"
        out: dict[str, None] = {}
        for key in self.registry:
            rest = key[len(prefix) :] if key.startswith(prefix) else None
            if rest and "/" in rest.split("?")[0]:
                out.setdefault(rest.split("/")[0])
        return list(out)

    def suggest(self, depurl_id: str) -> str | None:
        """A registry id the user probably meant, for a name the registry does not know."""
        if depurl_id in KNOWN_MISSPELLINGS:
            return KNOWN_MISSPELLINGS[depurl_id]
        case = self.lookup_case_insensitive(depurl_id)
        if case is not None:
            return case.id
        type_prefix, _, name = depurl_id.rpartition("/")
        candidates = {
            k.rpartition("/")[2]: k for k in self.registry if k.startswith(type_prefix + "/") and "?" not in k
        }
        close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.75)
        return candidates[close[0]] if close else None

    # -- ecosystem mappings ---------------------------------------------------------
    @cached_property
    def _mappings(self) -> dict[str, dict[str, list[EcosystemPackages]]]:
        known = _read_json("emm/known-ecosystems.json").get("ecosystems", {})
        by_ecosystem: dict[str, dict[str, list[EcosystemPackages]]] = {}
        for ecosystem in known:
            try:
                data = _read_json(f"emm/{ecosystem}.mapping.json")
            except (FileNotFoundError, json.JSONDecodeError):
                continue
            rows: dict[str, list[EcosystemPackages]] = {}
            raw_rows = {m["id"]: m for m in data.get("mappings", []) if "specs" in m}
            for m in data.get("mappings", []):
                raw = m.get("specs")
                if raw is None and "specs_from" in m:
                    raw = raw_rows.get(m["specs_from"], {}).get("specs")
                build, host, run = _specs(raw)
                rows.setdefault(m["id"], []).append(EcosystemPackages(ecosystem, data.get("name", ecosystem), build, host, run))
            by_ecosystem[ecosystem] = rows
        return by_ecosystem

    def ecosystems(self) -> list[str]:
        return list(self._mappings)

    def ecosystem_packages(self, depurl_id: str) -> list[EcosystemPackages]:
        """Per ecosystem, the first mapping row with packages for ``depurl_id``."""
        out = []
        for rows in self._mappings.values():
            for row in rows.get(depurl_id, []):
                if row.all:
                    out.append(row)
                    break
        return out


_default: DataIndex | None = None


def default_index() -> DataIndex:
    global _default
    if _default is None:
        _default = DataIndex()
    return _default
