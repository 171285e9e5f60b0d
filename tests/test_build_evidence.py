"""What the build evidently needs (checks/build_backend.py) and where the PyPI-data check
puts a build requirement's libraries, without a server."""

from __future__ import annotations

import pytest

from expectations import findings_of
from pep725_ls.checks import CheckContext, run_checks
from pep725_ls.checks.build_backend import builds_native_code, reported_by_build_tool
from pep725_ls.data_index import default_index
from pep725_ls.document import PyprojectDocument

C, CXX, RUST = "dep:virtual/compiler/c", "dep:virtual/compiler/cxx", "dep:virtual/compiler/rust"


def build_tool_findings(text: str, project_dir=None):
    return findings_of(text, "missing-build-tool", context=CheckContext(project_dir=project_dir))


def setuptools_project(extra: str = "") -> str:
    return f'[build-system]\nrequires = ["setuptools>=61"]\n{extra}'


@pytest.mark.parametrize("requirement, wanted, why", [
    ("maturin>=1", [RUST], "maturin builds Rust extensions"),
    ("setuptools-rust", [RUST], "setuptools-rust builds Rust extensions"),
    ("meson-python", [C], "meson-python compiles C/C++ extensions"),
    ("scikit_build_core[pyproject]", [C, CXX], "scikit-build-core drives a CMake build of C/C++ code"),
    ("Cython>=3", [C], "Cython generates C code that must be compiled"),
    ("pybind11", [CXX], "pybind11 extensions are C++"),
    ("pkgconfig", ["dep:generic/pkg-config"], "the pkgconfig package runs the pkg-config tool"),
])
def test_each_build_requirement_names_its_evidence(requirement, wanted, why):
    [f] = build_tool_findings(f'[build-system]\nrequires = ["{requirement}"]\n')
    assert f.data == {"depurls": wanted, "evidence": why}
    assert f.message == f"{why}: declare {' or '.join(f'`{d}`' for d in wanted)} in [external].build-requires"
    assert [fix.title for fix in f.fixes] == [f"Add {d} to [external].build-requires" for d in wanted]
    assert [fix.preferred for fix in f.fixes] == [i == 0 for i in range(len(wanted))]
    assert all(fix.safe is False for fix in f.fixes)  # a guess about the project: never "fix all"


def test_any_listed_compiler_satisfies_a_c_or_cxx_backend():
    text = '[build-system]\nrequires = ["meson-python"]\n[external]\nbuild-requires = ["dep:virtual/compiler/cxx"]\n'
    assert build_tool_findings(text) == []
    # but a C++ compiler does not build Rust
    assert [f.data["depurls"] for f in build_tool_findings(text.replace("meson-python", "maturin"))] == [[RUST]]


def test_one_finding_per_missing_compiler_set():
    [f] = build_tool_findings('[build-system]\nrequires = ["cython", "cffi", "meson-python"]\n')
    assert f.data["evidence"] == "Cython generates C code that must be compiled"


def test_setuptools_alone_needs_no_compiler(tmp_path):
    (tmp_path / "setup.py").write_text("from setuptools import setup\nsetup(name='pure')\n")
    assert build_tool_findings(setuptools_project(), tmp_path) == []
    assert build_tool_findings(setuptools_project()) == []  # unsaved text: no folder to look in


def test_setuptools_ext_modules_in_pyproject():
    text = setuptools_project('[tool.setuptools]\next-modules = [{name = "m", sources = ["m.c"]}]\n')
    [f] = build_tool_findings(text)
    assert f.data == {"depurls": [C], "evidence": "[tool.setuptools] declares ext-modules"}
    assert text[f.start:f.end] == '"setuptools>=61"'


@pytest.mark.parametrize("setup_py", [
    "from setuptools import Extension, setup\nsetup(ext_modules=[Extension('m', ['m.c'])])\n",
    "from setuptools import setup\nfrom mod import exts\nsetup(ext_modules = exts)\n",
    # bytes that are not UTF-8 (a Latin-1 author name) do not hide the extension
    b"# Copyright J\xf6rg\nfrom setuptools import Extension\nm = Extension(\"m\", [\"m.c\"])\n",
])
def test_setup_py_extension_modules(tmp_path, setup_py):
    target = tmp_path / "setup.py"
    target.write_bytes(setup_py) if isinstance(setup_py, bytes) else target.write_text(setup_py)
    [f] = build_tool_findings(setuptools_project(), tmp_path)
    assert f.data == {"depurls": [C], "evidence": "setup.py defines extension modules"}
    assert f.message == "setup.py defines extension modules: declare `dep:virtual/compiler/c` in [external].build-requires"


def test_setup_py_over_a_megabyte_is_not_read(tmp_path):
    target = tmp_path / "setup.py"
    head = "ext_modules = []\n"
    target.write_text(head + "#" * (1_000_000 - len(head) - 1) + "\n")
    assert target.stat().st_size == 1_000_000  # the limit itself is still read
    assert len(build_tool_findings(setuptools_project(), tmp_path)) == 1
    target.write_text(head + "#" * (1_000_000 - len(head)) + "\n")
    assert build_tool_findings(setuptools_project(), tmp_path) == []


def test_an_unreadable_setup_py_is_no_evidence(tmp_path):
    (tmp_path / "setup.py").mkdir()  # reading it fails with an OSError
    assert build_tool_findings(setuptools_project(), tmp_path) == []


@pytest.mark.parametrize("text, native", [
    ('[external]\nbuild-requires = ["dep:virtual/compiler/c"]\n', True),
    ('[external]\noptional-build-requires = {gpu = ["dep:virtual/compiler/cuda"]}\n', True),
    ('[external]\nhost-requires = ["dep:virtual/compiler/c"]\n', False),  # misplaced: not a build
    ('[external]\nbuild-requires = ["dep:generic/cmake"]\n', False),
    ('[build-system]\nrequires = ["meson-python"]\n', True),
    ('[build-system]\nrequires = ["pkgconfig"]\n', False),  # runs a tool, compiles nothing
    ('[build-system]\nrequires = ["hatchling"]\n', False),
    ('[project]\nname = "x"\n', False),
])
def test_builds_native_code(text, native):
    assert builds_native_code(PyprojectDocument(text)) is native


def test_reported_by_build_tool():
    assert reported_by_build_tool("maturin") == (RUST,)
    assert reported_by_build_tool("meson-python") == (C, CXX)
    assert reported_by_build_tool("hatchling") == ()


def test_a_build_requirement_s_libraries_go_to_host_requires_first():
    """A library linked by a package the build imports is needed on the host while building."""
    text = '[build-system]\nrequires = ["pycairo"]\n'
    [f] = [f for f in run_checks(PyprojectDocument(text), default_index(), CheckContext(install="source"))
           if f.code == "missing-external-dependency"]
    assert [[(a.key, a.specifier) for a in fix.additions] for fix in f.fixes][0][0] == ("host-requires", "dep:generic/cairo")
    assert [fix.additions[0].key for fix in f.fixes] == ["host-requires", "dependencies"]
    assert [fix.preferred for fix in f.fixes] == [True, False]
    assert all(fix.safe is False for fix in f.fixes)
    # its build tools go to build-requires, whatever the table of the fix
    assert {(a.key, a.specifier) for a in f.fixes[1].additions} >= {("build-requires", "dep:generic/meson"),
                                                                   ("dependencies", "dep:generic/cairo")}
