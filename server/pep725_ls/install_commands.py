"""Package manager commands for ``[external]`` on the PEP 804 ecosystems (apt, dnf, conda…).

Markers are evaluated for the machine the command runs on. Uses each ecosystem mapping's ``package_managers`` section as PEP 804 defines it: the
install argv with its one ``{}``, ``requires_elevation``, ``multiple_specifiers``, and the
``specifier_syntax`` for versions.
"""

from __future__ import annotations

import re
import shlex

from packaging.markers import InvalidMarker, Marker

from . import depurl
from .data_index import DataIndex
from .nix_environment import requirements

# Ecosystems people name that PEP 804's data spells otherwise.
ALIASES = {"debian": "ubuntu", "conda": "conda-forge", "brew": "homebrew", "archlinux": "arch"}
_CATEGORY = {"build": "build", "host": "host", "run": "run"}


_SAFE_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./#-]+")


def shell_word(word: str) -> str:
    """``word`` quoted for a POSIX shell only when it needs it."""
    return word if _SAFE_WORD.fullmatch(word) and not word.startswith("#") else shlex.quote(word)


class UnknownEcosystem(ValueError):
    pass


def _specifier(name: str, version: str | None, syntax: dict) -> tuple[str, bool]:
    """(specifier text, whether the version was kept)."""
    name_only = " ".join(p.replace("{name}", name) for p in syntax.get("name_only") or ["{name}"])
    if not version:
        return name_only, True
    ranges = syntax.get("version_ranges")
    clauses = [c.strip() for c in version.split(",") if c.strip()]
    if ranges:
        ops = {">=": "greater_than_equal", "<=": "less_than_equal", "==": "equal", ">": "greater_than", "<": "less_than"}
        rendered = []
        for clause in clauses:
            op = next((o for o in (">=", "<=", "==", ">", "<") if clause.startswith(o)), "==")
            template = ranges.get(ops[op])
            if not template:
                return name_only, False
            rendered.append(template.replace("{version}", clause[len(op):].strip() if clause.startswith(op) else clause))
        text = " ".join(p.replace("{name}", name).replace("{ranges}", ranges.get("and", ",").join(rendered))
                        for p in ranges.get("syntax") or ["{name}{ranges}"])
        return text, True
    exact = syntax.get("exact_version")
    if exact and len(clauses) == 1 and (clauses[0].startswith("==") or clauses[0][:1].isdigit()):
        v = clauses[0].removeprefix("==").strip()
        return " ".join(p.replace("{name}", name).replace("{version}", v) for p in exact), True
    return name_only, False


def install_commands(data: dict, index: DataIndex, ecosystem: str, category: str = "all",
                     extras: tuple[str, ...] = (), groups: tuple[str, ...] = ()) -> list[str]:
    asked = ecosystem
    ecosystem = ALIASES.get(ecosystem, ecosystem)
    managers = index.package_managers(ecosystem)
    if not managers:
        known = ", ".join(sorted(set(index.ecosystems()) | set(ALIASES)))
        raise UnknownEcosystem(f"no PEP 804 mapping with package managers for {ecosystem!r}; known: {known}")
    manager = managers[0]
    syntax = manager.get("specifier_syntax") or {}
    install = (manager.get("commands") or {}).get("install") or {}
    argv = install.get("command") or []
    if argv.count("{}") != 1:
        raise UnknownEcosystem(f"the {ecosystem} mapping has no usable install command")
    specs: list[str] = []
    notes: list[str] = []
    name_only = True
    for req in requirements(data.get("external") or {}, extras, groups):
        if category != "all" and req.category != category:
            continue
        spec = depurl.parse(req.specifier)
        if spec.legacy_replacement:
            spec = depurl.parse(spec.legacy_replacement)
        if spec.package_id is None:
            notes.append(f"# not a valid DepURL: {req.specifier}")
            continue
        if spec.marker is not None:
            try:
                applies = Marker(spec.marker.text).evaluate({"extra": ""})
            except InvalidMarker:
                applies = False
            if not applies:
                notes.append(f"# left out, its marker is false on this machine: {req.specifier}")
                continue
        rows = [r for r in index.ecosystem_rows(ecosystem, index.canonical_target(spec.package_id)) if r.all]
        if not rows:
            notes.append(f"# no {ecosystem} package known for {spec.package_id}")
            continue
        row = rows[0]
        names = {"build": row.build, "host": row.host, "run": row.run}[req.category] or row.all
        version = spec.version.text if spec.version else None
        for name in names:
            text, kept = _specifier(name, version, syntax)
            name_only = name_only and not (version and kept)
            if not kept:
                notes.append(f"# {name}: the {manager.get('name', ecosystem)} command cannot express {version!r}; installing any version")
            if text not in specs:
                specs.append(text)
    via = f", used for {asked}" if asked != ecosystem else ""
    lines = [f"# {manager.get('name', ecosystem)} ({ecosystem} mapping of PEP 804{via})"]
    if specs:
        prefix = ["sudo"] if install.get("requires_elevation") else []
        mode = install.get("multiple_specifiers", "always")
        together = mode == "always" or (mode == "name-only" and name_only)
        groups_of = [specs] if together else [[s] for s in specs]
        i = argv.index("{}")
        for group in groups_of:
            words = prefix + argv[:i] + [w for s in group for w in s.split(" ")] + argv[i + 1:]
            lines.append(" ".join(shell_word(w) for w in words))
    return lines + notes
