"""The ``pep725-ls`` command: the language server (default) and ``check`` for CI.

``pep725-ls`` / ``pep725-ls serve``  start the language server on stdio.
``pep725-ls check [PATH...]``       report the same diagnostics as the editor does.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from pathlib import Path

from . import __version__
from .codes import CODES

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
# The reader of stdout went away (`pep725-ls check | head -1`): the status a shell gives a
# program that SIGPIPE ended, as `cat` or `grep` would have, without Python's traceback.
EXIT_BROKEN_PIPE = 128 + 13

CHECK_EXIT_CODES = """exit status:
  0   nothing found (with --diff: nothing to change)
  1   findings (with --diff: changes to make)
  2   usage error, or a file that cannot be read
  141 stdout was closed before everything was written (as with `| head -1`)"""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pep725-ls",
        description="Language server and checker for the PEP 725 [external] table of pyproject.toml.",
    )
    parser.add_argument("--version", action="version", version=f"pep725-ls {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the language server on stdio (the default)")
    _add_logging(serve)
    _add_logging(parser)

    check = sub.add_parser(
        "check", help="check pyproject.toml files, print findings, exit 1 if any",
        description="Report the diagnostics the editor shows, for CI and the terminal. "
                    "Findings go to stdout, the summary line (\"Found 3 problems\", "
                    "\"All checks passed!\") to stderr.",
        epilog=CHECK_EXIT_CODES, formatter_class=argparse.RawDescriptionHelpFormatter)
    check.add_argument("paths", nargs="*", default=["pyproject.toml"], metavar="PATH",
                       help="pyproject.toml files or directories holding one (default: ./pyproject.toml)")
    check.add_argument("--format", choices=["text", "json", "github"], default="text",
                       help="text: path:line:col: code message (default); json: a list of objects, "
                            "nothing else on stdout; github: GitHub Actions annotations")
    check.add_argument("--select", default="", metavar="CODES", help="comma-separated codes to report (default: all)")
    check.add_argument("--ignore", default="", metavar="CODES", help="comma-separated codes not to report")
    check.add_argument("--fix", action="store_true",
                       help="apply safe fixes in place; with --venv, also add the missing external dependencies")
    check.add_argument("--diff", action="store_true", help="print the safe fixes as a diff; change nothing")
    check.add_argument("--venv", default=None, metavar="PATH",
                       help="also scan this virtualenv for shared libraries it needs from the system")
    check.add_argument("--venv-time-budget", type=float, default=None, metavar="SECONDS",
                       help="stop the virtualenv scan after this long, with a message (default: 30)")

    nix = sub.add_parser("nix", help="Nix environments from [external]")
    nix_sub = nix.add_subparsers(dest="nix_command", metavar="SUBCOMMAND", required=True)
    shell = nix_sub.add_parser("shell", help="print a shell.nix (or, with --flake, a flake.nix with devShells)")
    _add_environment_options(shell)
    shell.add_argument("--flake", action="store_true", help="print a flake.nix with devShells.<system>.default")
    shell.add_argument("--output", "-o", default=None, metavar="FILE",
                       help="write to FILE instead of stdout (refuses to overwrite unless --force)")
    shell.add_argument("--force", action="store_true", help="with --output, overwrite an existing file")
    nix_install = nix_sub.add_parser("install-command", help="print nix-shell -p / nix profile install lines")
    _add_environment_options(nix_install, flake=False)
    nix_ld = nix_sub.add_parser(
        "ld", help="print the libraries for nix-ld (configuration.nix) and a one-off LD_LIBRARY_PATH line",
        description="For NixOS users who run plain virtualenvs: a programs.nix-ld.libraries snippet "
                    "and a shell line that builds the libraries and sets LD_LIBRARY_PATH.")
    _add_environment_options(nix_ld, flake=False)

    install = sub.add_parser("install-command", help="print the package manager command of a PEP 804 ecosystem")
    install.add_argument("--ecosystem", required=True, metavar="NAME",
                         help="debian, ubuntu, fedora, conda-forge, homebrew, arch, … "
                              "(an unknown NAME prints the list of known ones)")
    install.add_argument("--category", choices=["build", "host", "run", "all"], default="all",
                         help="which [external] lists to install for (default: all)")
    _add_environment_options(install, system=False)

    mapping = sub.add_parser("mapping", help="the DepURL -> nixpkgs mapping")
    mapping_sub = mapping.add_subparsers(dest="mapping_command", metavar="SUBCOMMAND", required=True)
    mapping_report = mapping_sub.add_parser("report", help="coverage of the PEP 804 registry; exit 1 below target")
    mapping_report.add_argument("--format", choices=["text", "json"], default="text")
    mapping_report.add_argument("--pypi", action="store_true",
                                help="the PyPI project table instead: coverage by download rank, accuracy on the hand-checked sample")
    return parser


def _add_environment_options(p: argparse.ArgumentParser, system: bool = True, flake: bool = True) -> None:
    p.add_argument("path", nargs="?", default="pyproject.toml", metavar="PATH",
                   help="pyproject.toml or its folder (default: ./pyproject.toml)")
    p.add_argument("--extra", action="append", default=[], metavar="NAME",
                   help="include this optional-* group (repeatable; '*' for all)")
    p.add_argument("--group", action="append", default=[], metavar="NAME",
                   help="include this dependency group (repeatable; '*' for all)")
    if system:
        from .nix_environment import DEFAULT_SYSTEM, SYSTEM_MARKERS

        p.add_argument("--system", action="append", default=[], choices=list(SYSTEM_MARKERS), metavar="SYSTEM",
                       help=f"target system for markers (default {DEFAULT_SYSTEM}"
                            + ("; with --flake, all four)" if flake else ")"))


def _add_logging(p: argparse.ArgumentParser) -> None:
    # Clients (vscode-languageclient's TransportKind.stdio, others) append --stdio.
    p.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default and only transport)")
    p.add_argument("--log-file", default=None, help="write the server log here instead of stderr")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        status = _run(args)
        sys.stdout.flush()  # inside the try: a closed pipe shows here, not at interpreter exit
    except BrokenPipeError:
        # Python's recipe (docs of the signal module, "Note on SIGPIPE"): point stdout at
        # /dev/null so the flush at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return status


def _run(args: argparse.Namespace) -> int:
    if args.command == "check":
        return run_check(args)
    if args.command == "nix":
        return run_nix(args)
    if args.command == "install-command":
        return run_install_command(args)
    if args.command == "mapping":
        from .data_index import default_index

        if args.pypi:
            from .pypi_report import report
        else:
            from .mapping_report import report
        text, ok = report(default_index(), args.format)
        print(text)
        return EXIT_CLEAN if ok else EXIT_FINDINGS
    return serve(args)


def serve(args: argparse.Namespace) -> int:
    import gc

    from .code_cache import install

    install()  # before pygls/lsprotocol are imported: reuse the code attrs generated last time
    from .server import configure_logging, create_server

    server = create_server()
    # What exists now (modules, ~550 protocol classes) lives as long as the process: keep
    # it out of the garbage collector's full passes (see Pep725Server.freeze_long_lived).
    # Collection is not turned off during the imports: that saved 30-110 ms of CPU but
    # left attrs' discarded classes uncollected, +10 MiB of peak memory.
    gc.freeze()
    configure_logging(args.log_file, args.log_level)
    # The protocol owns stdout; anything printed by accident goes to stderr instead.
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr
    server.start_io(sys.stdin.buffer, protocol_out)
    return server.exit_code


def _codes(text: str) -> set[str]:
    codes = {c.strip() for c in text.split(",") if c.strip()}
    unknown = codes - set(CODES)
    if unknown:
        raise ValueError(f"unknown code(s): {', '.join(sorted(unknown))}; known: {', '.join(CODES)}")
    return codes


def _resolve(paths: list[str]) -> list[Path]:
    out = []
    for p in paths:
        path = Path(p)
        out.append(path / "pyproject.toml" if path.is_dir() else path)
    return out


def run_check(args: argparse.Namespace) -> int:
    from .checks import CheckContext, run_checks
    from .data_index import default_index
    from .document import PyprojectDocument
    from .safe_fixes import fix_all

    try:
        select, ignore = _codes(args.select), _codes(args.ignore)
    except ValueError as exc:
        print(f"pep725-ls check: {exc}", file=sys.stderr)
        return EXIT_ERROR

    def wanted(code: str) -> bool:
        return (not select or code in select) and code not in ignore

    index = default_index()
    status = EXIT_CLEAN
    report: list[dict] = []
    changed = False
    venv_scan = None
    if args.venv:
        from .venv_scan import find_venv, scan

        venv = find_venv(None, os.path.abspath(args.venv))
        if venv is None:
            print(f"pep725-ls check: {args.venv} is not a virtualenv (no pyvenv.cfg)", file=sys.stderr)
            return EXIT_ERROR
        budget = {} if args.venv_time_budget is None else {"time_budget": args.venv_time_budget}
        venv_scan = scan(venv, **budget)
        for problem in venv_scan.problems:
            print(f"pep725-ls check: {venv}: {problem}", file=sys.stderr)
        if not venv_scan.complete:
            print(f"pep725-ls check: the scan of {venv} stopped at {venv_scan.stopped_because}, after "
                  f"{venv_scan.files_seen} files; venv-missing-library findings are partial", file=sys.stderr)
    for path in _resolve(args.paths):
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"pep725-ls check: cannot read {path}: {exc}", file=sys.stderr)
            status = EXIT_ERROR
            continue
        text = text.removeprefix("\ufeff")
        context = CheckContext(path.resolve().parent, venv_scan)
        if args.fix or args.diff:
            fixed = fix_all(text, index, lambda f: wanted(f.code))
            if venv_scan is not None:
                fixed = _add_missing_dependencies(fixed, index, context, wanted)
            if fixed != text:
                changed = True
                if args.diff:
                    sys.stdout.writelines(difflib.unified_diff(
                        text.splitlines(keepends=True), fixed.splitlines(keepends=True),
                        fromfile=f"a/{path}", tofile=f"b/{path}"))
                else:
                    try:
                        _write_keeping_bom(path, raw, fixed)
                    except OSError as exc:
                        print(f"pep725-ls check: not fixed: {exc}", file=sys.stderr)
                        status = EXIT_ERROR
                        continue
                    text = fixed
        if args.diff:
            continue
        doc = PyprojectDocument(text, encoding="utf-32")
        for finding in run_checks(doc, index, context):
            if not wanted(finding.code):
                continue
            pos = doc.lines.offset_to_position(finding.start)
            end = doc.lines.offset_to_position(finding.end)
            severity = CODES[finding.code].severity
            report.append({
                "path": str(path), "line": pos.line + 1, "column": pos.character + 1,
                "end_line": end.line + 1, "end_column": end.character + 1,
                "code": finding.code, "severity": severity.name.lower(), "message": finding.message,
                "fixable": any(f.safe for f in finding.fixes),
            })
    if args.diff:
        return status if status != EXIT_CLEAN else (EXIT_FINDINGS if changed else EXIT_CLEAN)
    if report and status == EXIT_CLEAN:
        status = EXIT_FINDINGS
    report.sort(key=lambda r: (r["path"], r["line"], r["column"]))
    _print_report(report, args.format)
    return status


def _add_missing_dependencies(text: str, index, context, wanted) -> str:
    """With ``--venv``, ``--fix`` also does what the editor's "Add all missing external
    dependencies" does: declares what the venv's own ELF files need from the system and what
    the project's Python dependencies and build backend need (each at its preferred key).
    Giving the venv asks for the cure; without it, ``--fix`` stays safe fixes only."""
    from .checks import run_checks
    from .document import PyprojectDocument
    from .edits import apply
    from .external_edits import add_to_external, preferred_additions

    findings = [f for f in run_checks(PyprojectDocument(text), index, context) if wanted(f.code)]
    edit = add_to_external(text, preferred_additions(findings))
    return apply(text, [edit]) if edit is not None else text


def _load_pyproject(arg: str) -> dict | None:
    import tomllib

    path = _resolve([arg])[0]
    try:
        return tomllib.loads(path.read_text("utf-8").removeprefix("\ufeff"))
    except (OSError, UnicodeDecodeError) as exc:
        print(f"pep725-ls: cannot read {path}: {exc}", file=sys.stderr)
    except tomllib.TOMLDecodeError as exc:
        print(f"pep725-ls: {path} is not valid TOML: {exc}", file=sys.stderr)
    except RecursionError:  # tomllib recurses per nesting level: a hostile file was a traceback
        print(f"pep725-ls: {path} nests arrays or tables too deeply to read", file=sys.stderr)
    return None


def run_nix(args: argparse.Namespace) -> int:
    from .data_index import default_index
    from .nix_environment import DEFAULT_SYSTEM, SYSTEM_MARKERS, flake_nix, nix_install_commands, nix_ld, shell_nix

    data = _load_pyproject(args.path)
    if data is None:
        return EXIT_ERROR
    index = default_index()
    extras, groups = tuple(args.extra), tuple(args.group)
    if args.nix_command == "install-command":
        print("\n".join(nix_install_commands(data, index, (args.system or [DEFAULT_SYSTEM])[0], extras, groups)))
        return EXIT_CLEAN
    if args.nix_command == "ld":
        sys.stdout.write(nix_ld(data, index, (args.system or [DEFAULT_SYSTEM])[0], extras, groups))
        return EXIT_CLEAN
    if args.flake:
        text = flake_nix(data, index, tuple(args.system or SYSTEM_MARKERS), extras, groups)
    else:
        text = shell_nix(data, index, (args.system or [DEFAULT_SYSTEM])[0], extras, groups)
    if args.output is None:
        sys.stdout.write(text)
        return EXIT_CLEAN
    from .file_writes import write_project_file

    out = Path(args.output)
    if os.path.lexists(out) and not args.force:
        print(f"pep725-ls: {out} exists; use --force to overwrite it", file=sys.stderr)
        return EXIT_ERROR
    try:
        write_project_file(out, text.encode("utf-8"))
    except OSError as exc:
        print(f"pep725-ls: not written: {exc}", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_CLEAN


def run_install_command(args: argparse.Namespace) -> int:
    from .data_index import default_index
    from .install_commands import UnknownEcosystem, install_commands

    data = _load_pyproject(args.path)
    if data is None:
        return EXIT_ERROR
    try:
        lines = install_commands(data, default_index(), args.ecosystem, args.category,
                                 tuple(args.extra), tuple(args.group))
    except UnknownEcosystem as exc:
        print(f"pep725-ls install-command: {exc}", file=sys.stderr)
        return EXIT_ERROR
    print("\n".join(lines))
    return EXIT_CLEAN


def _write_keeping_bom(path: Path, original: bytes, text: str) -> None:
    from .file_writes import write_project_file

    data = text.encode("utf-8")
    if original.startswith(b"\xef\xbb\xbf"):
        data = b"\xef\xbb\xbf" + data
    write_project_file(path, data)


def _print_report(report: list[dict], fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(report, indent=2))
        return
    for r in report:
        if fmt == "github":
            level = {"error": "error", "warning": "warning"}.get(r["severity"], "notice")
            message = r["message"].replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            print(f"::{level} file={r['path']},line={r['line']},col={r['column']},"
                  f"endLine={r['end_line']},endColumn={r['end_column']},title={r['code']}::{message}")
        else:
            print(f"{r['path']}:{r['line']}:{r['column']}: {r['code']} {r['message']}")
    if fmt != "text":
        return
    if report:
        fixable = sum(r["fixable"] for r in report)
        tail = f" ({fixable} fixable with --fix)" if fixable else ""
        print(f"Found {len(report)} problem{'s' if len(report) != 1 else ''}{tail}.", file=sys.stderr)
    else:
        # ruff's words: a newcomer sees that the check ran; stdout stays empty for scripts.
        print("All checks passed!", file=sys.stderr)


