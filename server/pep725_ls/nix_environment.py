"""Nix environments from ``[external]``: shell.nix, a flake's devShells, install commands.

build-requires → nativeBuildInputs, host-requires → buildInputs, dependencies → buildInputs
and ``LD_LIBRARY_PATH`` (``lib.makeLibraryPath``), so that wheels in a plain virtualenv
find their shared libraries on NixOS. Markers are evaluated for the target system; extras
and groups are opt-in; DepURLs with no known nixpkgs attribute become comments, never
silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from packaging.markers import InvalidMarker, Marker

from . import __version__, depurl
from .data_index import DataIndex
from .quoting import comment_text, nix_attr_path, nix_string, shell_word

# Environment markers for the systems a flake usually serves (PEP 508 names).
SYSTEM_MARKERS: dict[str, dict[str, str]] = {
    "x86_64-linux": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix"},
    "aarch64-linux": {"sys_platform": "linux", "platform_system": "Linux", "platform_machine": "aarch64", "os_name": "posix"},
    "x86_64-darwin": {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "x86_64", "os_name": "posix"},
    "aarch64-darwin": {"sys_platform": "darwin", "platform_system": "Darwin", "platform_machine": "arm64", "os_name": "posix"},
}
DEFAULT_SYSTEM = "x86_64-linux"


@dataclass(frozen=True, slots=True)
class Requirement:
    specifier: str
    category: str  # "build", "host", "run"
    origin: str  # e.g. "host-requires" or "optional-dependencies.gui"


@dataclass(slots=True)
class Environment:
    """What one system's shell gets: attribute paths per category, and what was left out."""

    system: str
    native: list[tuple[str, str]] = field(default_factory=list)  # (attr, why: a DepURL or a sentence)
    build_inputs: list[tuple[str, str]] = field(default_factory=list)
    library_path: list[str] = field(default_factory=list)  # attrs whose lib/ goes on LD_LIBRARY_PATH
    library_dirs: list[tuple[str, str]] = field(default_factory=list)  # (attr, folder other than lib/)
    unmapped: list[str] = field(default_factory=list)  # specifiers with no nixpkgs attribute
    skipped: list[str] = field(default_factory=list)  # specifiers whose marker is false here
    invalid: list[str] = field(default_factory=list)

    def add(self, items: list[tuple[str, str]], attr: str, why: str) -> None:
        if all(a != attr for a, _ in items):
            items.append((attr, why))


def requirements(external: dict, extras: tuple[str, ...] = (), groups: tuple[str, ...] = ()) -> list[Requirement]:
    """The specifiers of a parsed ``[external]`` table, with their category."""
    out: list[Requirement] = []
    simple = {"build-requires": "build", "host-requires": "host", "dependencies": "run"}
    for key, category in simple.items():
        for spec in external.get(key) or []:
            if isinstance(spec, str):
                out.append(Requirement(spec, category, key))
    optional = {"optional-build-requires": "build", "optional-host-requires": "host", "optional-dependencies": "run"}
    wanted_extras = {e.lower() for e in extras}
    for key, category in optional.items():
        table = external.get(key) or {}
        if not isinstance(table, dict):
            continue
        for name, specs in table.items():
            if ("*" in wanted_extras or name.lower() in wanted_extras) and isinstance(specs, list):
                out += [Requirement(s, category, f"{key}.{name}") for s in specs if isinstance(s, str)]
    table = external.get("dependency-groups") or {}
    if isinstance(table, dict):
        for name in _expand_groups(table, groups):
            for s in table.get(name) or []:
                if isinstance(s, str):
                    out.append(Requirement(s, "host", f"dependency-groups.{name}"))
    return out


def _expand_groups(table: dict, groups: tuple[str, ...]) -> list[str]:
    """Selected groups plus what they include (PEP 735 include-group), each once."""
    order: list[str] = []
    pending = [g for g in table if g in groups or "*" in groups]
    while pending:
        name = pending.pop(0)
        if name in order or name not in table:
            continue
        order.append(name)
        for item in table.get(name) or []:
            if isinstance(item, dict) and isinstance(item.get("include-group"), str):
                pending.append(item["include-group"])
    return order


def environment(reqs: list[Requirement], index: DataIndex, system: str = DEFAULT_SYSTEM) -> Environment:
    """Per category: build → nativeBuildInputs; host and run → buildInputs, with their
    build tools (``pg_config``, ``xml2-config``) in nativeBuildInputs (pip builds sdists in
    the shell) and the libraries loaded at run time on ``LD_LIBRARY_PATH`` (for a compiler,
    its runtime library ``stdenv.cc.cc.lib``, not the wrapper); host → pkg-config too."""
    env = Environment(system)
    marker_env = SYSTEM_MARKERS.get(system, SYSTEM_MARKERS[DEFAULT_SYSTEM])
    builds_against_libraries = False
    for req in reqs:
        spec = depurl.parse_effective(req.specifier)
        if spec.package_id is None or any(p.code in ("invalid-depurl", "invalid-marker") for p in spec.problems):
            env.invalid.append(req.specifier)
            continue
        if spec.marker is not None:
            try:
                if not Marker(spec.marker.text).evaluate({**marker_env, "extra": ""}):
                    env.skipped.append(req.specifier)
                    continue
            except InvalidMarker:
                env.invalid.append(req.specifier)
                continue
        mapping = index.nixpkgs(index.canonical_target(spec.package_id))
        if mapping is None or not (mapping.install_attrs or mapping.runtime):
            env.unmapped.append(req.specifier)
            continue
        installed = mapping.install_attrs
        if spec.version is not None and not spec.is_virtual:
            installed = index.attrs_for_version(mapping, spec.version.text)
        if req.category == "build":
            for attr in installed:
                env.add(env.native, attr, spec.package_id)
            continue
        runtime = mapping.runtime_attrs if installed == mapping.install_attrs else installed
        # A compiler listed as a host or run requirement stands for its runtime library.
        for attr in (runtime if mapping.runtime else installed):
            env.add(env.build_inputs, attr, spec.package_id)
        for attr in runtime:
            if attr not in env.library_path:
                env.library_path.append(attr)
            for folder in mapping.library_dirs:
                if (attr, folder) not in env.library_dirs:
                    env.library_dirs.append((attr, folder))
        # pip builds sdists inside the shell (psycopg2 has no Linux wheel), so a library's
        # build tools are wanted for dependencies too, not only for host-requires.
        for tool in mapping.build_tools:
            own = mapping.install_attrs[0] if mapping.install_attrs else ""
            if installed != mapping.install_attrs and tool.startswith(own + "."):
                tool = installed[0] + tool[len(own):]  # libxml2.dev -> libxml2_13.dev
            env.add(env.native, tool, f"{spec.package_id} (build tool)")
        if req.category == "host":
            builds_against_libraries = builds_against_libraries or bool(runtime and not mapping.runtime)
    if builds_against_libraries:
        # Source builds find host libraries through their .pc files: pkg-config's setup
        # hook puts the buildInputs' lib/pkgconfig on PKG_CONFIG_PATH.
        pkg_config = index.nixpkgs("dep:generic/pkg-config")
        for attr in pkg_config.install_attrs if pkg_config else ():
            env.add(env.native, attr, "finds the host-requires libraries (.pc files)")
    return env


def _list(items: list[tuple[str, str]], indent: str) -> str:
    if not items:
        return "[ ]"
    lines = [f"{indent}  {nix_attr_path(attr)}  # {comment_text(origin)}" for attr, origin in items]
    return "[\n" + "\n".join(lines) + f"\n{indent}]"


def _shell_body(env: Environment, indent: str) -> str:
    lines = [f"{indent}# [external] build-requires, and the tools a source build against host-requires runs"]
    lines.append(f"{indent}nativeBuildInputs = {_list(env.native, indent)};")
    lines.append(f"{indent}# [external] host-requires and dependencies: libraries to build against and load")
    lines.append(f"{indent}buildInputs = {_list(env.build_inputs, indent)};")
    if env.library_path:
        libs = " ".join(nix_attr_path(a) for a in env.library_path)
        lines.append(f"{indent}# Wheels in a plain virtualenv look for shared libraries here: NixOS has no /usr/lib.")
        if env.library_dirs:
            folders = " ".join(f"(pkgs.lib.makeSearchPathOutput \"lib\" {nix_string(d)} [ {nix_attr_path(a)} ])"
                               for a, d in env.library_dirs)
            lines.append(f'{indent}LD_LIBRARY_PATH = builtins.concatStringsSep ":" '
                         f"[ (pkgs.lib.makeLibraryPath [ {libs} ]) {folders} ];")
        else:
            lines.append(f"{indent}LD_LIBRARY_PATH = pkgs.lib.makeLibraryPath [ {libs} ];")
    for label, items in (("no nixpkgs attribute known for", env.unmapped),
                         (f"marker false on {env.system}, left out:", env.skipped),
                         ("not a valid DepURL, left out:", env.invalid)):
        for item in items:
            lines.append(f"{indent}# {label} {comment_text(item)}")
    return "\n".join(lines)


def _header(project: str | None) -> str:
    name = f" of {comment_text(str(project))}" if project else ""
    return (f"# Development environment{name}, generated by pep725-ls {__version__} from the [external]\n"
            f"# table of pyproject.toml. Edit that table and regenerate: `pep725-ls nix shell`.\n")


def shell_nix(data: dict, index: DataIndex, system: str = DEFAULT_SYSTEM,
              extras: tuple[str, ...] = (), groups: tuple[str, ...] = ()) -> str:
    external = data.get("external") or {}
    env = environment(requirements(external, extras, groups), index, system)
    project = (data.get("project") or {}).get("name")
    return (_header(project) + "{ pkgs ? import <nixpkgs> { } }:\n\npkgs.mkShell {\n"
            + _shell_body(env, "  ") + "\n}\n")


def flake_nix(data: dict, index: DataIndex, systems: tuple[str, ...] = tuple(SYSTEM_MARKERS),
              extras: tuple[str, ...] = (), groups: tuple[str, ...] = ()) -> str:
    external = data.get("external") or {}
    reqs = requirements(external, extras, groups)
    project = (data.get("project") or {}).get("name")
    shells = []
    for system in systems:
        env = environment(reqs, index, system)
        shells.append(
            f"      {system}.default =\n        let pkgs = nixpkgs.legacyPackages.{system}; in\n"
            f"        pkgs.mkShell {{\n{_shell_body(env, '          ')}\n        }};"
        )
    description = f"Development shell of {project}" if project else "Development shell"
    return (
        _header(project)
        + "{\n"
        + f"  description = {nix_string(description + ' (from [external], by pep725-ls)')};\n"
        + '  inputs.nixpkgs.url = "github:NixOS/nixpkgs/nixos-unstable";\n'
        + "  outputs = { self, nixpkgs }: {\n    devShells = {\n"
        + "\n".join(shells)
        + "\n    };\n  };\n}\n"
    )


def nix_ld(data: dict, index: DataIndex, system: str = DEFAULT_SYSTEM,
           extras: tuple[str, ...] = (), groups: tuple[str, ...] = ()) -> str:
    """What a NixOS user who runs plain virtualenvs needs, two ways: a ``programs.nix-ld``
    snippet for configuration.nix, and a one-off ``LD_LIBRARY_PATH`` line for the shell."""
    env = environment(requirements(data.get("external") or {}, extras, groups), index, system)
    lines = [f"# The libraries [external] says a program loads at run time ({system})."]
    if not env.library_path:
        lines.append("# none: [external] lists no host-requires or dependencies with shared libraries")
    else:
        names = " ".join(nix_attr_path(a, root="") for a in env.library_path)
        lines += ["# NixOS with nix-ld (configuration.nix): run the venv's programs as they are.",
                  f"programs.nix-ld.libraries = with pkgs; [ {names} ];"]
        for attr, folder in env.library_dirs:
            lines.append(f"# nix-ld searches lib/ only: {comment_text(attr)} keeps libraries in {comment_text(folder)};"
                         " use LD_LIBRARY_PATH below for those.")
        getters = names
        expr = ("with import <nixpkgs> { }; symlinkJoin { name = \"venv-libraries\"; "
                f"paths = map lib.getLib [ {getters} ]; }}")
        path = ":".join(["$libs/lib"] + [f"$libs/{folder}" for _, folder in env.library_dirs])
        lines += ["# One shell: build (or fetch) the libraries once, then point the loader at them.",
                  f"libs=$(nix-build --no-out-link -E {shell_word(expr)}) && export LD_LIBRARY_PATH=\"{path}${{LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}}\""]
    lines += [f"# no nixpkgs attribute known for {comment_text(u)}" for u in env.unmapped]
    return "\n".join(lines) + "\n"


def nix_install_commands(data: dict, index: DataIndex, system: str = DEFAULT_SYSTEM,
                         extras: tuple[str, ...] = (), groups: tuple[str, ...] = ()) -> list[str]:
    env = environment(requirements(data.get("external") or {}, extras, groups), index, system)
    attrs = list(dict.fromkeys(a for a, _ in env.native + env.build_inputs))
    lines = []
    if attrs:
        lines.append("nix-shell -p " + " ".join(shell_word(a) for a in attrs))
        lines.append("nix profile install " + " ".join(shell_word(f"nixpkgs#{a}") for a in attrs))
    lines += [f"# no nixpkgs attribute known for {comment_text(u)}" for u in env.unmapped]
    return lines
