"""Package manager commands for ``[external]`` on the PEP 804 ecosystems (apt, dnf, conda…).

Markers are evaluated for the machine the command runs on. Uses each ecosystem mapping's ``package_managers`` section as PEP 804 defines it: the
install argv with its one ``{}``, ``requires_elevation``, ``multiple_specifiers``, and the
``specifier_syntax`` for versions.
"""

from __future__ import annotations

from packaging.markers import InvalidMarker, Marker

from . import depurl
from .data_index import DataIndex
from .nix_environment import requirements
from .quoting import comment_text, shell_word

# Ecosystems people name that PEP 804's data spells otherwise.
ALIASES = {"debian": "ubuntu", "conda": "conda-forge", "brew": "homebrew", "archlinux": "arch"}
_CATEGORY = {"build": "build", "host": "host", "run": "run"}


class UnknownEcosystem(ValueError):
    pass


def _specifier(name: str, version: str | None, syntax: dict) -> tuple[tuple[str, ...], bool]:
    """(the argv words of one specifier, whether the version was kept).

    Each template part of the mapping's ``specifier_syntax`` is one word, whatever the
    version text holds: it is never split again, so it cannot become a word of its own.
    """
    name_only = tuple(p.replace("{name}", name) for p in syntax.get("name_only") or ["{name}"])
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
            value = clause[len(op):].strip() if clause.startswith(op) else clause
            rendered.append(template.replace("{name}", name).replace("{version}", value))
        syntax_parts = ranges.get("syntax") or ["{name}{ranges}"]
        joiner = ranges.get("and")
        # PEP 804: with no "and" operator the constraints become several specifiers.
        joined = [joiner.join(rendered)] if joiner is not None else rendered
        words = tuple(p.replace("{name}", name).replace("{ranges}", r) for r in joined for p in syntax_parts)
        return words, True
    exact = syntax.get("exact_version")
    if exact and len(clauses) == 1 and (clauses[0].startswith("==") or clauses[0][:1].isdigit()):
        v = clauses[0].removeprefix("==").strip()
        return tuple(p.replace("{name}", name).replace("{version}", v) for p in exact), True
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
    specs: list[tuple[str, ...]] = []
    notes: list[str] = []
    name_only = True
    for req in requirements(data.get("external") or {}, extras, groups):
        if category != "all" and req.category != category:
            continue
        spec = depurl.parse_effective(req.specifier)
        if spec.package_id is None:
            notes.append(f"# not a valid DepURL: {comment_text(req.specifier)}")
            continue
        if spec.marker is not None:
            try:
                applies = Marker(spec.marker.text).evaluate({"extra": ""})
            except InvalidMarker:
                applies = False
            if not applies:
                notes.append(f"# left out, its marker is false on this machine: {comment_text(req.specifier)}")
                continue
        rows = [r for r in index.ecosystem_rows(ecosystem, index.canonical_target(spec.package_id)) if r.all]
        if not rows:
            notes.append(f"# no {ecosystem} package known for {comment_text(spec.package_id)}")
            continue
        row = rows[0]
        names = {"build": row.build, "host": row.host, "run": row.run}[req.category] or row.all
        version = spec.version.text if spec.version else None
        for name in names:
            words, kept = _specifier(name, version, syntax)
            if not all(w.isprintable() for w in words):
                # Line breaks and escape sequences in a version: quoting would keep them
                # harmless but the command would span lines and rewrite the terminal.
                notes.append(f"# left out, not printable as a command argument: {comment_text(req.specifier)}")
                continue
            name_only = name_only and not (version and kept)
            if not kept:
                notes.append(f"# {comment_text(name)}: the {manager.get('name', ecosystem)} command cannot express "
                             f"{comment_text(repr(version))}; installing any version")
            if words not in specs:
                specs.append(words)
    via = f", used for {asked}" if asked != ecosystem else ""
    lines = [f"# {comment_text(manager.get('name', ecosystem))} ({comment_text(ecosystem)} mapping of PEP 804{comment_text(via)})"]
    if specs:
        prefix = ["sudo"] if install.get("requires_elevation") else []
        mode = install.get("multiple_specifiers", "always")
        together = mode == "always" or (mode == "name-only" and name_only)
        groups_of = [specs] if together else [[s] for s in specs]
        i = argv.index("{}")
        for group in groups_of:
            words = prefix + argv[:i] + [w for spec_words in group for w in spec_words] + argv[i + 1:]
            lines.append(" ".join(shell_word(w) for w in words))
    return lines + notes
