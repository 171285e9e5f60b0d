"""``pep725-ls check`` as CI runs it: formats, exit codes, --fix and --diff."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib

from conftest import WORKSPACES

LEGACY = WORKSPACES / "core/legacy-depurl/pyproject.toml"
CLEAN = WORKSPACES / "core/clean/pyproject.toml"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "pep725_ls", *map(str, args)], capture_output=True, text=True, cwd=cwd)


def test_version_and_help():
    assert run("--version").stdout.strip().startswith("pep725-ls ")
    assert run("--stdio", "--help").returncode == 0  # clients append --stdio
    out = run("--help").stdout
    assert "check" in out and "serve" in out


def test_clean_file_exits_0():
    r = run("check", CLEAN)
    assert r.returncode == 0 and r.stdout == ""


def test_findings_exit_1_in_path_line_col_code_form():
    r = run("check", LEGACY)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0] == f"{LEGACY}:15:4: legacy-depurl 'virtual:' is the 2023 draft form; PEP 725 now writes 'dep:virtual/compiler/c'"
    assert len(lines) == 3


def test_json_and_github_formats():
    data = json.loads(run("check", "--format", "json", LEGACY).stdout)
    assert {d["code"] for d in data} == {"legacy-depurl"} and all(d["fixable"] for d in data)
    gh = run("check", "--format", "github", LEGACY).stdout.splitlines()
    assert gh[0].startswith(f"::error file={LEGACY},line=15,col=4,") and "title=legacy-depurl::" in gh[0]


def test_select_ignore_and_usage_errors():
    assert run("check", "--ignore", "legacy-depurl", LEGACY).returncode == 0
    assert run("check", "--select", "duplicate-entry", LEGACY).returncode == 0
    bad = run("check", "--select", "nope", LEGACY)
    assert bad.returncode == 2 and "unknown code" in bad.stderr
    missing = run("check", WORKSPACES / "does-not-exist.toml")
    assert missing.returncode == 2 and "cannot read" in missing.stderr


def test_directory_argument(tmp_path):
    shutil.copy(LEGACY, tmp_path / "pyproject.toml")
    assert run("check", tmp_path).returncode == 1
    assert run("check", cwd=tmp_path).returncode == 1


def test_diff_changes_nothing_and_fix_rewrites_in_place(tmp_path):
    target = tmp_path / "pyproject.toml"
    original = LEGACY.read_bytes().replace(b"\n", b"\r\n")
    target.write_bytes(original)
    diff = run("check", "--diff", target)
    assert diff.returncode == 1 and "+  \"dep:generic/zlib\"" in diff.stdout
    assert target.read_bytes() == original
    fixed = run("check", "--fix", target)
    assert fixed.returncode == 0, fixed.stdout
    new = target.read_bytes()
    assert new == original.replace(b'"pkg:', b'"dep:').replace(b'"virtual:', b'"dep:virtual/')
    tomllib.loads(new.decode())
    assert run("check", "--diff", target).returncode == 0


def test_venv_mode_prints_the_same_findings(tmp_path):
    from elf_fixtures import CC, make_venv

    if CC is None:
        import pytest

        pytest.skip("no C compiler")
    venv = make_venv(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "v"\nversion = "1"\n')
    r = run("check", "--venv", venv, tmp_path)
    assert r.returncode == 1
    assert "venv-missing-library" in r.stdout and "dep:generic/zlib" in r.stdout and "libz.so.1" in r.stdout
    assert "truncated.so: damaged ELF file" in r.stderr
    assert run("check", "--venv", tmp_path / "nope", tmp_path).returncode == 2


def test_control_characters_never_break_the_text_output(tmp_path):
    # issue 14: a newline (TOML escape) inside a name was an unknown-name warning whose
    # message split the report across lines; the duplicate's message repeats the string.
    path = tmp_path / "pyproject.toml"
    path.write_text('[external]\nhost-requires = ["dep:generic/zl\\nib", "dep:generic/zl\\nib", "dep:generic/a\\u0007b"]\n')
    r = run("check", path)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert [line.split(": ", 2)[1].split()[0] for line in lines] == ["invalid-depurl", "duplicate-entry", "invalid-depurl", "invalid-depurl"]
    assert all(line.startswith(f"{path}:2:") for line in lines)
