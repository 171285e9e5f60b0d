"""User settings: parsed from initializationOptions or ``workspace/configuration``.

Settings arrive as untyped JSON. ``parse_settings`` turns them into a typed Settings and a
list of human-readable problems: unknown keys and invalid values are reported and
replaced by the default, never fatal.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from .codes import CODES, Severity

SECTION = "pep725"
NIX_SOURCES = ("vendored", "nix-env", "nix-search")
# How the user installs their Python dependencies: "wheels" are told only what the wheels
# expect from the system, "source" (building every dependency from its sdist) everything.
INSTALL_MODES = ("wheels", "source")
# Keys editors keep in the same section for themselves (VS Code: pep725.server.path,
# pep725.trace.server): not ours to judge, so not reported as unknown.
CLIENT_SIDE_KEYS = ("server", "trace")


@dataclass(frozen=True, slots=True)
class Settings:
    # code -> severity, or None to switch the code off
    severity: dict[str, Severity | None] = field(default_factory=dict)
    diagnostics_enable: bool = True
    # where docs/diagnostics.md is published; None: diagnostics carry no codeDescription link
    docs_url: str | None = None
    completion_enable: bool = True
    hover_enable: bool = True
    code_actions_enable: bool = True
    inlay_hints_enable: bool = True
    # milliseconds between the last keystroke and re-analysis
    debounce_ms: int = 150
    nix_source: str = "vendored"
    nix_timeout: float = 20.0
    venv_path: str | None = None
    network: bool = False
    missing_dependencies_install: str = "wheels"

    def severity_for(self, code: str) -> Severity | None:
        if code in self.severity:
            return self.severity[code]
        known = CODES.get(code)
        return known.severity if known else Severity.WARNING


_SCHEMA = {
    "severity": dict,
    "diagnostics": {"enable": bool, "docsUrl": (str, type(None))},
    "completion": {"enable": bool},
    "hover": {"enable": bool},
    "codeActions": {"enable": bool},
    "inlayHints": {"enable": bool},
    "debounceMs": int,
    "nix": {"source": str, "timeout": (int, float)},
    "venv": {"path": (str, type(None))},
    "network": {"enable": bool},
    "missingDependencies": {"install": str},
}


def parse_settings(raw: Any) -> tuple[Settings, list[str]]:
    """Settings from ``{"pep725": {...}}`` or the inner dict; problems as sentences."""
    problems: list[str] = []
    if raw is None:
        return Settings(), problems
    if not isinstance(raw, dict):
        return Settings(), [f"settings must be an object, got {type(raw).__name__}"]
    if SECTION in raw and isinstance(raw[SECTION], dict):
        raw = raw[SECTION]
    values: dict[str, Any] = {}

    def get(path: str, kind, default):
        node: Any = raw
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
        if not isinstance(node, kind) or (isinstance(node, bool) and kind is not bool):
            problems.append(f"{SECTION}.{path}: expected {_kind_name(kind)}, got {node!r}; using {default!r}")
            return default
        return node

    for key in raw:
        if key in CLIENT_SIDE_KEYS:
            continue
        if key not in _SCHEMA:
            problems.append(f"{SECTION}.{key}: unknown setting, ignored")
        elif isinstance(_SCHEMA[key], dict) and isinstance(raw[key], dict):
            for sub in raw[key]:
                if sub not in _SCHEMA[key]:
                    problems.append(f"{SECTION}.{key}.{sub}: unknown setting, ignored")

    defaults = Settings()
    values["diagnostics_enable"] = get("diagnostics.enable", bool, defaults.diagnostics_enable)
    values["docs_url"] = _docs_url(get("diagnostics.docsUrl", (str, type(None)), defaults.docs_url), problems)
    values["completion_enable"] = get("completion.enable", bool, defaults.completion_enable)
    values["hover_enable"] = get("hover.enable", bool, defaults.hover_enable)
    values["code_actions_enable"] = get("codeActions.enable", bool, defaults.code_actions_enable)
    values["inlay_hints_enable"] = get("inlayHints.enable", bool, defaults.inlay_hints_enable)
    debounce = get("debounceMs", int, defaults.debounce_ms)
    if not 0 <= debounce <= 5000:
        problems.append(f"{SECTION}.debounceMs: {debounce} is outside 0..5000; using {defaults.debounce_ms}")
        debounce = defaults.debounce_ms
    values["debounce_ms"] = debounce
    source = get("nix.source", str, defaults.nix_source)
    if source not in NIX_SOURCES:
        problems.append(f"{SECTION}.nix.source: {source!r} is not one of {', '.join(NIX_SOURCES)}; using 'vendored'")
        source = defaults.nix_source
    values["nix_source"] = source
    timeout = get("nix.timeout", (int, float), defaults.nix_timeout)
    if not 0 < timeout <= 600:
        problems.append(f"{SECTION}.nix.timeout: {timeout} is outside (0, 600] seconds; using {defaults.nix_timeout}")
        timeout = defaults.nix_timeout
    values["nix_timeout"] = float(timeout)
    values["venv_path"] = get("venv.path", (str, type(None)), defaults.venv_path) or None
    values["network"] = get("network.enable", bool, defaults.network)
    install = get("missingDependencies.install", str, defaults.missing_dependencies_install)
    if install not in INSTALL_MODES:
        problems.append(f"{SECTION}.missingDependencies.install: {install!r} is not one of "
                        f"{', '.join(INSTALL_MODES)}; using {defaults.missing_dependencies_install!r}")
        install = defaults.missing_dependencies_install
    values["missing_dependencies_install"] = install

    severity: dict[str, Severity | None] = {}
    for code, level in get("severity", dict, {}).items():
        if code not in CODES:
            problems.append(f"{SECTION}.severity: unknown diagnostic code {code!r}, ignored")
            continue
        if level == "off" or level is False:
            severity[code] = None
            continue
        parsed = Severity.parse(level) if isinstance(level, str) else None
        if parsed is None:
            problems.append(
                f"{SECTION}.severity.{code}: {level!r} is not error, warning, information, hint or off; ignored"
            )
            continue
        severity[code] = parsed
    return replace(defaults, severity=severity, **values), problems


def _docs_url(value: str | None, problems: list[str]) -> str | None:
    """An absolute http(s) or file URL without a fragment (each code adds its own), or None."""
    from urllib.parse import urlsplit

    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https", "file") or (parts.scheme != "file" and not parts.netloc) or parts.fragment:
        problems.append(f"{SECTION}.diagnostics.docsUrl: {value!r} is not an http(s) or file URL without '#'; "
                        "diagnostics carry no link")
        return None
    return value


def _kind_name(kind) -> str:
    if kind is bool:
        return "true or false"
    if kind is int or kind == (int, float):
        return "a number"
    if kind is dict:
        return "an object"
    if kind == (str, type(None)):
        return "a string or null"
    return "a string"
