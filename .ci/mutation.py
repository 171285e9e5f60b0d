#!/usr/bin/env python3
"""Mutation testing of the core modules with mutmut: one command, a kill rate per module.

    .venv/bin/python .ci/mutation.py              # everything (~11 min from scratch on the 2-core CI machine)
    .venv/bin/python .ci/mutation.py --survivors  # after adding tests: re-test the survivors
    .venv/bin/python .ci/mutation.py --report     # the last run's figures and survivors again

Not part of `.ci/run` (too slow for every push); docs/reliability.md records the figure.

mutmut 3 imports the mutated package from `mutants/` and names mutants after module paths
relative to its working folder, so it cannot run in the repository itself (the package
lives in `server/pep725_ls`). This script builds a working folder, `build/mutation/`, that
looks like the repository to the tests: the package at the top (mutated there), `tests/`,
and what the tests read through `Path(__file__).parents[...]` (bench fixtures, docs, the
package's data, `../shared`). Results stay in `build/mutation/mutants/` between runs:
mutmut re-runs only mutants of functions that changed.

The tests that run are the in-process ones that exercise these modules; tests marked
``out_of_process`` (they start pep725-ls in another process, where no mutant is) are
skipped. Hypothesis runs with the "mutation" profile of tests/conftest.py: derandomized and
without shrinking, so a verdict is the same every run, and the property tests run a tenth
of their examples (each surviving mutant runs every test that reaches its function).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "build" / "mutation"
MUTMUT = "mutmut==3.8.1"

# The modules issue 18 names: the parser, the document model, the TOML reader, the edit
# primitives, the checks. Globs as mutmut's `only_mutate` takes them.
MODULES = [
    "pep725_ls/depurl.py",
    "pep725_ls/document.py",
    "pep725_ls/tolerant_toml.py",
    "pep725_ls/edits.py",
    "pep725_ls/checks/*",
]

# In-process tests that reach those modules. Deterministic ones only: the protocol fuzz
# and the resource-bound tests race threads on purpose.
TESTS = [
    "tests/test_depurl.py",
    "tests/test_depurl_problems.py",
    "tests/test_document.py",
    "tests/test_edits.py",
    "tests/test_checks_fixtures.py",
    "tests/test_findings_report.py",
    "tests/test_build_evidence.py",
    "tests/test_check_rules.py",
    "tests/test_document_cursor.py",
    "tests/test_venv_findings.py",
    "tests/test_checks_nixpkgs.py",
    "tests/test_incremental.py",
    "tests/test_tolerant_reader.py",
    "tests/test_differential_pyproject_external.py",
    "tests/test_purl_spec_suite.py",
    "tests/test_text_positions.py",
    "tests/test_missing_deps.py",
    "tests/test_name_suggestions.py",
    "tests/test_finding_bounds.py",
    "tests/test_checker_isolation.py",
    "tests/reliability/test_edit_safety.py",
]

# What the tests read outside tests/, relative to the repository (and so to mutants/).
ALSO_COPY = ["bench/fixtures", "docs", "examples"]

# What mutmut's exit code per mutant means (mutmut/stats.py, status_by_exit_code).
STATUS = {1: "killed", 3: "killed", 0: "survived", 5: "no tests", 33: "no tests", 34: "skipped",
          36: "timeout", -24: "timeout", 24: "timeout", 152: "timeout", 255: "timeout", None: "not run"}
COLUMNS = ["killed", "timeout", "survived", "no tests", "suspicious", "not run"]


def prepare() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    package = WORK / "pep725_ls"
    if package.exists():
        shutil.rmtree(package)
    shutil.copytree(ROOT / "server/pep725_ls", package, ignore=shutil.ignore_patterns("__pycache__"))
    # mutmut copies tests/ and `also_copy` into mutants/; links make the copies current.
    for name in ["tests", *ALSO_COPY]:
        link = WORK / name
        link.parent.mkdir(parents=True, exist_ok=True)
        if link.is_symlink() or link.exists():
            link.unlink() if link.is_symlink() else shutil.rmtree(link)
        link.symlink_to(ROOT / name)
    # spec_conformance.py and depurl_corpus.py read the package's data as server/pep725_ls/…
    server = WORK / "server"
    server.mkdir(exist_ok=True)
    if not (server / "pep725_ls").is_symlink():
        (server / "pep725_ls").symlink_to(ROOT / "server/pep725_ls")
    # test_depurl reads ../shared relative to the repository; mutants/ is one level deeper.
    shared = WORK / "shared"
    if not shared.is_symlink() and (ROOT.parent / "shared").exists():
        shared.symlink_to(ROOT.parent / "shared")
    pytest_options = (ROOT / "pyproject.toml").read_text(encoding="utf-8").split("[tool.pytest.ini_options]")[1]
    pytest_options = pytest_options.split("\n[", 1)[0]
    (WORK / "pyproject.toml").write_text(
        "[tool.mutmut]\n"
        f"source_paths = [\"pep725_ls\"]\n"
        f"only_mutate = {json.dumps(MODULES)}\n"
        f"also_copy = {json.dumps([*ALSO_COPY, 'server'])}\n"
        # which of them run is PEP725_MUTATION_TESTS' business (tests/conftest.py)
        "pytest_add_cli_args_test_selection = [\"tests\"]\n"
        "pytest_add_cli_args = [\"-p\", \"no:cacheprovider\", \"-q\", \"--hypothesis-profile=mutation\"]\n"
        # A mutant that loops forever (a reader that stops advancing) is a kill, found by
        # timeout: mutmut's default, 15 times the tests' time, was up to 5 min per mutant;
        # this gives (tests' time + 2 s) × 3 of CPU, with the tests' time measured on the
        # instrumented code itself.
        "timeout_multiplier = 1.5\ntimeout_constant = 2.0\n"
        "\n[tool.pytest.ini_options]" + pytest_options.replace('testpaths = ["tests"]\n', ""),
        encoding="utf-8",
    )


def ensure_mutmut() -> Path:
    mutmut = Path(sys.executable).with_name("mutmut")
    if not mutmut.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", MUTMUT], check=True)
    return mutmut


def verdicts() -> dict[str, Counter]:
    """Exit code counts per mutated module, from the .meta files mutmut leaves."""
    per_module: dict[str, Counter] = {}
    for meta in sorted((WORK / "mutants/pep725_ls").rglob("*.py.meta")):
        module = meta.relative_to(WORK / "mutants").as_posix().removesuffix(".meta")
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        if codes:
            per_module[module] = Counter(STATUS.get(code, "suspicious") for code in codes.values())
    return per_module


def survivors(mutmut: Path) -> list[str]:
    out = subprocess.run([mutmut, "results"], cwd=WORK, capture_output=True, text=True).stdout
    return [line.split(":")[0].strip() for line in out.splitlines()
            if line.strip().endswith((": survived", ": no tests"))]


def report(mutmut: Path) -> int:
    """Print the kill rate per module and overall; list surviving mutants."""
    total = Counter()
    print(f"{'module':36} {'mutants':>8}" + "".join(f" {name:>10}" for name in COLUMNS) + f" {'kill rate':>10}")
    for module, counts in verdicts().items():
        total.update(counts)
        print(_row(module, counts))
    print(_row("all", total))
    names = survivors(mutmut)
    (WORK / "survivors.txt").write_text("".join(f"{name}\n" for name in names))
    print(f"\n{len(names)} surviving mutants listed in {(WORK / 'survivors.txt').relative_to(ROOT)}; "
          f"`cd {WORK.relative_to(ROOT)} && {mutmut} show NAME` shows one.")
    return 1 if total["not run"] else 0


def _row(module: str, counts: Counter) -> str:
    # mutmut's score: killed and timed-out mutants over all that were not skipped. A mutant
    # no test reaches counts against the rate, as does one that was not run yet.
    caught = counts["killed"] + counts["timeout"]
    judged = sum(counts.values()) - counts["skipped"]
    rate = f"{100 * caught / judged:.1f} %" if judged else "-"
    return f"{module:36} {sum(counts.values()):8}" + "".join(f" {counts[name]:10}" for name in COLUMNS) + f" {rate:>10}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="only print the last run's figures")
    parser.add_argument("mutants", nargs="*", help="re-test only these mutants (names or globs, as `mutmut results` lists them)")
    parser.add_argument("--survivors", action="store_true",
                        help="re-test the mutants that survived the last run (after adding tests)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="mutants tested at once")
    args = parser.parse_args()
    mutmut = ensure_mutmut()
    if args.survivors:
        args.mutants = [*args.mutants, *survivors(mutmut)]
        print(f"re-testing {len(args.mutants)} surviving mutants")
    if not args.report:
        prepare()
        env = {**os.environ, "PEP725_MUTATION_TESTS": ",".join(Path(t).name for t in TESTS)}
        subprocess.run([mutmut, "run", "--max-children", str(args.jobs), *args.mutants], cwd=WORK, env=env, check=False)
    return report(mutmut)


if __name__ == "__main__":
    sys.exit(main())
