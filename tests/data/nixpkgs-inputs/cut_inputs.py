#!/usr/bin/env python3
"""Cut this fixture from the real inputs: the rows of the attributes and DepURLs listed
below, each file's header lines kept. Run once (README.md says when to run it again):

    python tests/data/nixpkgs-inputs/cut_inputs.py --shared ../shared
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
CURATED = HERE.parents[2] / "server" / "pep725_ls" / "data" / "nixpkgs" / "curated.toml"

# What each attribute is here for is in README.md.
ATTRS = [
    "zlib", "libxml2", "libxml2_13", "openssl_3", "azure-sdk-for-cpp.openssl", "libpq", "postgresql",
    "libpqxx", "gcc", "clang", "libgcc", "gfortran", "libmysqlclient", "rustc", "cargo", "eigen",
    "lcms", "pkgconf", "azure-sdk-for-cpp.pkg-config", "tclPackages.tk", "libjpeg", "libjpeg_original",
    "blas", "openblas", "freetype", "gmp", "jq", "cyrus_sasl", "python311", "python312", "llm", "jre8",
    "mpdecimal", "SDL2", "_3cpio", "addBinToPathHook", "libtool", "mpi", "mpich",
]
CURATED_IDS = [
    "dep:generic/zlib", "dep:generic/libxml2", "dep:generic/openssl", "dep:generic/libpq",
    "dep:generic/libjpeg", "dep:generic/lcms2", "dep:generic/pkg-config", "dep:generic/tk",
    "dep:generic/libmysqlclient", "dep:generic/eigen", "dep:virtual/compiler/c",
    "dep:virtual/compiler/fortran", "dep:virtual/compiler/rust", "dep:virtual/compiler/cuda",
    "dep:virtual/interface/blas", "dep:virtual/interface/mpi",
]
# EMM rows the cut curated.toml has nothing for: they come through as "source": "emm".
EMM_ONLY_IDS = ["dep:generic/freetype", "dep:generic/gmp", "dep:generic/arrow", "dep:virtual/compiler/zig",
                "dep:virtual/interface/lapack"]
REGISTRY_ALIASES = ["dep:generic/cmake", "dep:generic/cmake?repository_url=https://gitlab.kitware.com/cmake/cmake",
                    "dep:github/Kitware/CMake", "dep:generic/openblas", "dep:github/OpenMathLib/OpenBLAS",
                    "dep:github/Reference-LAPACK/lapack"]
SONAME_HINTS = ["libblas.so", "libgcc_s.so", "libstdc++.so", "libgfortran.so", "libmpi.so"]


def cut_tsv(src: Path, dst: Path, keep) -> None:
    """Comment lines and the column header as they are; of the rows, those ``keep`` wants."""
    lines = src.read_text("utf-8").splitlines()
    header_seen = False
    out = []
    for line in lines:
        if line.startswith("#") or not header_seen:
            out.append(line)
            header_seen = header_seen or not line.startswith("#")
        elif keep(line.split("\t")):
            out.append(line)
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text("\n".join(out) + "\n", "utf-8")


def cut_curated(src: Path, dst: Path) -> None:
    """The leading comment, the chosen [depurl."…"] blocks verbatim, the chosen soname hints."""
    text = src.read_text("utf-8")
    head = text[: text.index("\n[")].rstrip("\n").split("\n")
    head = [l for l in head if not l.startswith("# ----")]
    blocks = re.findall(r'^\[depurl\."([^"]+)"\]\n(.*?)(?=^\[|^# -|\Z)', text, re.S | re.M)
    body = [f'[depurl."{i}"]\n{b.strip()}\n' for i, b in blocks if i in CURATED_IDS]
    assert len(body) == len(CURATED_IDS), "a DepURL of the cut is not in curated.toml"
    hints = [l for l in text[text.index("\n[soname]"):].splitlines() if l.split(" = ")[0].strip('"') in SONAME_HINTS]
    head = ["# A cut of server/pep725_ls/data/nixpkgs/curated.toml for the generator's test: the blocks",
            "# below are verbatim, chosen as tests/data/nixpkgs-inputs/README.md says.", "#"] + head
    dst.write_text("\n".join(head) + "\n\n" + "\n".join(body) + "\n[soname]\n" + "\n".join(hints) + "\n", "utf-8")


def cut_json(src: Path, dst: Path, key: str, ids: list[str]) -> None:
    doc = json.loads(src.read_text("utf-8"))
    doc[key] = [d for d in doc[key] if d["id"] in ids]
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", "utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, required=True)
    shared = ap.parse_args().shared
    cut_tsv(shared / "data" / "attrs.tsv", HERE / "data" / "attrs.tsv", lambda f: f[0] in ATTRS)
    cut_tsv(shared / "data" / "sonames.tsv", HERE / "data" / "sonames.tsv", lambda f: f[1] in ATTRS)
    emm = shared / "spec" / "emm"
    cut_json(emm / "data" / "nix.mapping.json", HERE / "spec" / "emm" / "data" / "nix.mapping.json", "mappings",
             CURATED_IDS + EMM_ONLY_IDS)
    cut_json(emm / "data" / "registry.json", HERE / "spec" / "emm" / "data" / "registry.json", "definitions",
             CURATED_IDS + EMM_ONLY_IDS + REGISTRY_ALIASES)
    for name in ("LICENSE", "SOURCE.txt"):
        (HERE / "spec" / "emm" / name).write_bytes((emm / name).read_bytes())
    (HERE / "expected").mkdir(exist_ok=True)
    cut_curated(CURATED, HERE / "expected" / "curated.toml")


if __name__ == "__main__":
    main()
