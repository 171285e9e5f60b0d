#!/usr/bin/env python3
"""Regenerate pep725-ls' shipped nixpkgs data from the inputs in ../shared and curated.toml.

    python server/scripts/build_nixpkgs_data.py [--shared ../shared] [--out DIR] [--check]

Reads  shared/data/attrs.tsv, sonames.tsv, shared/spec/emm/data/
       nix.mapping.json, registry.json and DIR/curated.toml.
Writes DIR/{mapping.json, attrs.tsv, names.tsv, sonames.tsv, libraries.tsv}
       (the PyPI table is build_pypi_data.py's). DIR is server/pep725_ls/data/nixpkgs unless
       ``--out`` names another folder (a test's, with its own curated.toml). Output is deterministic
       (sorted, no timestamps), so a re-run on the same inputs changes nothing; ``--check``
       exits 1 when the files on disk differ.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import re
import sys
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the pep725_ls package beside this script
from pep725_ls.data_index import library_output, soname_list  # noqa: E402  (one definition of each)

sys.path.insert(0, str(HERE))
from generated_files import write_or_check  # noqa: E402

OUT = HERE.parent / "pep725_ls" / "data" / "nixpkgs"
DEFAULT_SHARED = HERE.parents[2] / "shared"

_VERSIONED_ATTR = re.compile(r"_\d+(_\d+)*$")
_NAME_OK = re.compile(r"[A-Za-z0-9][A-Za-z0-9+._-]*")


def read_tsv(path: Path) -> tuple[list[str], list[list[str]]]:
    header: list[str] | None = None
    rows = []
    for line in path.read_text("utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if header is None:
            header = fields
            continue
        rows.append(fields + [""] * (len(header) - len(fields)))
    return header or [], rows


def build(shared: Path, out_dir: Path = OUT) -> dict[str, bytes]:
    """The generated files by name, from the inputs in ``shared`` and ``out_dir``/curated.toml."""
    _, attr_rows = read_tsv(shared / "data" / "attrs.tsv")
    attrs = {r[0]: {"version": r[1], "outputs": r[3].split(",") if r[3] else ["out"], "pname": r[4]} for r in attr_rows}
    _, so_rows = read_tsv(shared / "data" / "sonames.tsv")
    files_by_attr: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for file, attr, output, *_ in so_rows:
        files_by_attr[attr].append((file, output))
    curated = tomllib.loads((out_dir / "curated.toml").read_text("utf-8"))
    registry = json.loads((shared / "spec" / "emm" / "data" / "registry.json").read_text("utf-8"))
    emm_nix = json.loads((shared / "spec" / "emm" / "data" / "nix.mapping.json").read_text("utf-8"))

    def describe(attr: str, data_attr: str, headers: str | None) -> dict:
        info = attrs.get(data_attr)
        row: dict = {"attr": attr}
        if data_attr != attr:
            row["data_attr"] = data_attr
        if info is None:
            row["present"] = False
            return row
        files = files_by_attr.get(data_attr, [])
        outs = collections.Counter(o for _, o in files)
        lib_output = outs.most_common(1)[0][0] if outs else None
        if headers is None:  # without a dev output, headers stay in out (qpdf, libpcap, libtool)
            headers = "dev" if "dev" in info["outputs"] else ("out" if lib_output else None)
        row.update(
            version=info["version"], outputs=info["outputs"], pname=info["pname"],
            lib_output=lib_output, header_output=headers,
            sonames=soname_list([f for f, _ in files]),
        )
        return row

    def describe_output(path: str, data: dict, extra_sonames: dict) -> dict:
        """A runtime attribute path such as ``stdenv.cc.cc.lib``: the libraries of one output."""
        drv, _, output = path.rpartition(".")
        data_attr = data.get(drv, drv)
        info = attrs.get(data_attr)
        row: dict = {"attr": path, "output": output}
        if data_attr != drv:
            row["data_attr"] = data_attr
        if info is not None and output in info["outputs"]:
            row.update(version=info["version"], pname=info["pname"],
                       sonames=soname_list([f for f, o in files_by_attr.get(data_attr, []) if o == output]))
        elif path in extra_sonames:
            row["sonames"] = sorted(extra_sonames[path])
        else:
            raise SystemExit(f"curated.toml: runtime {path!r}: no output {output!r} of {data_attr!r} in attrs.tsv, "
                             "and no sonames listed for it")
        return row

    mapping: dict[str, dict] = {}
    for depurl_id, entry in sorted(curated["depurl"].items()):
        data = entry.get("data", {})
        rows = [describe(a, data.get(a, a), entry.get("headers")) for a in entry["nix"]]
        extra_sonames = entry.get("sonames", {})
        for row in rows:
            if row["attr"] in extra_sonames:
                row["sonames"] = sorted(set(row.get("sonames", [])) | set(extra_sonames[row["attr"]]))
        out = {"nix": rows}
        if entry.get("runtime"):
            out["runtime"] = [describe_output(p, data, extra_sonames) for p in entry["runtime"]]
        for key in ("why", "exotic", "install", "build_tools", "library_dirs"):
            if entry.get(key):
                out[key] = entry[key]
        mapping[depurl_id] = out

    # EMM nix rows: compare with ours; keep the EMM rows we have nothing for.
    emm_first: dict[str, list[str]] = {}
    for m in emm_nix.get("mappings", []):
        specs = m.get("specs")
        names = [specs] if isinstance(specs, str) else list(specs or []) if isinstance(specs, list) else []
        if isinstance(specs, dict):
            names = list(dict.fromkeys((specs.get("host") or []) + (specs.get("build") or []) + (specs.get("run") or [])))
        emm_first.setdefault(m["id"], [])
        emm_first[m["id"]] += [n for n in names if n not in emm_first[m["id"]]]
    corrections = []
    for depurl_id, names in sorted(emm_first.items()):
        ours = mapping.get(depurl_id)
        if ours is None:
            if names:
                mapping[depurl_id] = {"nix": [describe(n, n, None) for n in names], "source": "emm"}
            continue
        our_names = [r["attr"] for r in ours["nix"]]
        # A correction: EMM's first choice is none of ours, or we say why it is wrong. An
        # EMM attribute we also list (pkgconf for pkg-config) is a fine alternative, not an
        # error; so is the attribute our row's store path is listed under in the data
        # (tclPackages.tk for tk): the same package by another name.
        same = our_names + [r["data_attr"] for r in ours["nix"] if "data_attr" in r]
        if not names or names[0] not in same or ours.get("why", "").startswith("fixes EMM"):
            corrections.append({"id": depurl_id, "emm": names, "ours": our_names, "why": ours.get("why", "")})
        ours["emm"] = names

    # Reverse map: nixpkgs attribute (user-facing and data) -> curated DepURL, first claim wins.
    attr_to_depurl: dict[str, str] = {}
    for depurl_id, entry in sorted(curated["depurl"].items(), key=lambda kv: (not kv[0].startswith("dep:generic/"), kv[0])):
        for i, row in enumerate(mapping[depurl_id]["nix"]):
            for a in (row["attr"], row.get("data_attr")):
                if a and (i == 0 or a not in attr_to_depurl):
                    attr_to_depurl.setdefault(a, depurl_id)

    # Generic names derived from nixpkgs: top-level attributes and their pnames.
    names: dict[str, str] = {}
    top = sorted((a for a in attrs if "." not in a and _NAME_OK.fullmatch(a) and not _VERSIONED_ATTR.search(a)),
                 key=lambda a: (len(a), a))
    for a in top:
        names.setdefault(a.lower(), a)
    # A package name names an attribute only when one attribute has it, and that attribute
    # is not itself versioned (python3 is the pname of llm, jupyter, python311…; openjdk
    # that of jre8): otherwise the match would be a guess shown as a fact.
    by_pname: dict[str, list[str]] = collections.defaultdict(list)
    for a in attrs:
        p = attrs[a]["pname"]
        if "." not in a and p:
            by_pname[p.lower()].append(a)
    for a in top:
        p = attrs[a]["pname"]
        if (p and _NAME_OK.fullmatch(p) and not _VERSIONED_ATTR.search(p) and len(by_pname[p.lower()]) == 1
                and not a[-1].isdigit()):
            names.setdefault(p.lower(), a)

    # Compact tables, one record per line, sorted for bisect.
    attr_lines = sorted(
        f"{a}\t{i['version']}\t{','.join(i['outputs'])}\t{'' if i['pname'] == a.rsplit('.', 1)[-1] else i['pname']}"
        for a, i in attrs.items()
    )
    assert attr_lines == sorted(attr_lines, key=lambda l: l.split("\t", 1)[0])
    name_lines = sorted(f"{n}\t{'' if a == n else a}" for n, a in names.items())
    so_lines = sorted({f"{f}\t{a}\t{o}" for f, a, o, *_ in so_rows})
    # What nix_attr tells of each attribute's libraries, from the shipped sonames.tsv itself
    # (its rows, deduplicated and in its order), so the server need not index it by attribute.
    libs_by_attr: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for line in so_lines:
        f, a, o = line.split("\t")
        libs_by_attr[a].append((f, o))
    library_lines = sorted(
        "\t".join([a, library_output([o for _, o in libs], tuple(attrs[a]["outputs"])),
                   *soname_list([f for f, _ in libs])])
        for a, libs in libs_by_attr.items() if a in attrs
    )

    canonical = [d["id"] for d in registry["definitions"]
                 if all(str(p).startswith("dep:virtual/") for p in ([d["provides"]] if isinstance(d.get("provides"), str) else d.get("provides") or []))]
    meta = {
        "inputs": {
            "attrs.tsv": _digest(shared / "data" / "attrs.tsv"),
            "sonames.tsv": _digest(shared / "data" / "sonames.tsv"),
            "nix.mapping.json": _digest(shared / "spec" / "emm" / "data" / "nix.mapping.json"),
            "registry.json": _digest(shared / "spec" / "emm" / "data" / "registry.json"),
            "curated.toml": _digest(out_dir / "curated.toml"),
        },
        "nixpkgs_snapshot": "nix-index database 2026.5.3 (x86_64-linux)",
        "counts": {"attrs": len(attr_lines), "names": len(name_lines), "sonames": len(so_lines),
                   "curated": len(curated["depurl"]), "registry_canonical": len(canonical)},
    }
    mapping_doc = {"meta": meta, "corrections": corrections, "soname_hints": dict(sorted(curated.get("soname", {}).items())),
                   "mappings": mapping}
    return {
        "mapping.json": (json.dumps(mapping_doc, indent=1, sort_keys=False, ensure_ascii=False) + "\n").encode(),
        "attrs.tsv": ("\n".join(attr_lines) + "\n").encode(),
        "names.tsv": ("\n".join(name_lines) + "\n").encode(),
        "sonames.tsv": ("\n".join(so_lines) + "\n").encode(),
        "libraries.tsv": ("\n".join(library_lines) + "\n").encode(),
    }


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()  # PEP 503, as packaging.utils.canonicalize_name


def _digest(path: Path) -> str:
    return "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared/ folder (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=OUT,
                    help="the folder holding curated.toml, where the generated files go (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="exit 1 if the shipped files are not what the inputs give")
    args = ap.parse_args(argv)
    files = build(args.shared, args.out)
    if args.check:
        return write_or_check(args.out, files, check=True)
    write_or_check(args.out, files, check=False)
    missing = [(d, r["attr"]) for d, e in json.loads(files["mapping.json"])["mappings"].items()
               for r in e["nix"][:1] if r.get("present") is False]
    for d, a in missing:
        print(f"note: {d}: first attribute {a!r} is not in attrs.tsv", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
