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

    check = sub.add_parser("check", help="check pyproject.toml files, print findings, exit 1 if any")
    check.add_argument("paths", nargs="*", default=["pyproject.toml"], metavar="PATH",
                       help="pyproject.toml files or directories holding one (default: ./pyproject.toml)")
    check.add_argument("--format", choices=["text", "json", "github"], default="text")
    check.add_argument("--select", default="", metavar="CODES", help="comma-separated codes to report (default: all)")
    check.add_argument("--ignore", default="", metavar="CODES", help="comma-separated codes not to report")
    check.add_argument("--fix", action="store_true", help="apply safe fixes in place")
    check.add_argument("--diff", action="store_true", help="print the safe fixes as a diff; change nothing")
    return parser


def _add_logging(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log-file", default=None, help="write the server log here instead of stderr")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "check":
        return run_check(args)
    return serve(args)


def serve(args: argparse.Namespace) -> int:
    from .server import configure_logging, create_server

    configure_logging(args.log_file, args.log_level)
    # The protocol owns stdout; anything printed by accident goes to stderr instead.
    protocol_out = sys.stdout.buffer
    sys.stdout = sys.stderr
    create_server().start_io(sys.stdin.buffer, protocol_out)
    return EXIT_CLEAN


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
    from .checks import run_checks
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
    for path in _resolve(args.paths):
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"pep725-ls check: cannot read {path}: {exc}", file=sys.stderr)
            status = EXIT_ERROR
            continue
        text = text.removeprefix("\ufeff")
        if args.fix or args.diff:
            fixed = fix_all(text, index, lambda f: wanted(f.code))
            if fixed != text:
                changed = True
                if args.diff:
                    sys.stdout.writelines(difflib.unified_diff(
                        text.splitlines(keepends=True), fixed.splitlines(keepends=True),
                        fromfile=f"a/{path}", tofile=f"b/{path}"))
                else:
                    _write_atomically(path, raw, fixed)
                    text = fixed
        if args.diff:
            continue
        doc = PyprojectDocument(text, encoding="utf-32")
        for finding in run_checks(doc, index):
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


def _write_atomically(path: Path, original: bytes, text: str) -> None:
    data = text.encode("utf-8")
    if original.startswith(b"\xef\xbb\xbf"):
        data = b"\xef\xbb\xbf" + data
    tmp = path.with_name(f".{path.name}.pep725-ls.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


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
    if fmt == "text" and report:
        fixable = sum(r["fixable"] for r in report)
        tail = f" ({fixable} fixable with --fix)" if fixable else ""
        print(f"Found {len(report)} problem{'s' if len(report) != 1 else ''}{tail}.", file=sys.stderr)


