"""The VS Code extension type-checks, bundles and packages into a .vsix with what it needs."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.editors

SERVER_SETTINGS = {
    "pep725.severity", "pep725.diagnostics.enable", "pep725.completion.enable", "pep725.hover.enable",
    "pep725.nix.source", "pep725.nix.timeout", "pep725.venv.path", "pep725.codeActions.enable", "pep725.debounceMs",
    "pep725.diagnostics.docsUrl",
}


def test_vsix_holds_manifest_and_bundle(vsix: Path) -> None:
    with zipfile.ZipFile(vsix) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("extension/package.json"))
        bundle = z.read("extension/dist/extension.js").decode()

    assert {"extension.vsixmanifest", "extension/package.json", "extension/dist/extension.js",
            "extension/language-configuration.json"} <= names
    # Bundled: no node_modules and no TypeScript sources in the package.
    assert not [n for n in names if "node_modules/" in n or n.endswith(".ts")]
    assert manifest["main"] == "./dist/extension.js"
    required = set(re.findall(r"require\(\"([^\"]+)\"\)", bundle))
    assert "vscode" in required and not {m for m in required if m.startswith("vscode-languageclient")}

    toml = next(lang for lang in manifest["contributes"]["languages"] if lang["id"] == "toml")
    assert "pyproject.toml" in toml["filenames"]

    commands = {c["command"]: f"{c['category']}: {c['title']}" for c in manifest["contributes"]["commands"]}
    assert commands == {"pep725.restartServer": "pep725-ls: Restart server",
                        "pep725.showOutput": "pep725-ls: Show output"}

    settings = manifest["contributes"]["configuration"]["properties"]
    assert SERVER_SETTINGS | {"pep725.server.path"} <= set(settings)
    assert settings["pep725.nix.source"]["enum"] == ["vendored", "nix-env", "nix-search"]
    assert settings["pep725.severity"]["additionalProperties"]["enum"] == [
        "error", "warning", "information", "hint", "off"]


def test_release_builds_sdist_wheel_and_a_vsix_carrying_that_wheel(release: Path, vsix: Path) -> None:
    names = sorted(p.name for p in release.iterdir())
    assert names == ["pep725-ls-0.1.0.vsix", "pep725_ls-0.1.0-py3-none-any.whl", "pep725_ls-0.1.0.tar.gz"]
    with zipfile.ZipFile(release / "pep725_ls-0.1.0-py3-none-any.whl") as wheel:
        in_wheel = {n for n in wheel.namelist() if n.startswith("pep725_ls/")}
    with zipfile.ZipFile(vsix) as z:
        names = set(z.namelist())
        launcher = z.read("extension/bundled/run_server.py").decode()
    libs = "extension/bundled/libs/"
    # The server exactly as in the wheel (code and data), and the libraries it imports.
    assert {libs + n for n in in_wheel} <= names
    for package in ("pygls", "lsprotocol", "attrs", "cattrs", "packageurl", "packaging", "tomlkit", "elftools",
                    "platformdirs"):
        assert f"{libs}{package}/__init__.py" in names, package
    assert not [n for n in names if "__pycache__" in n or n.startswith(libs + "bin/")]
    assert "sys.path.insert(0" in launcher and "libs" in launcher
