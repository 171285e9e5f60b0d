"""Every library the manylinux policies let a wheel take from the system resolves to the
nixpkgs attribute and output that ships it (issue 12): on NixOS exactly these, plus what a
source build linked, must be on LD_LIBRARY_PATH.

The policy is auditwheel's own JSON (the tool that builds manylinux wheels); the oracle is
the vendored nix-index soname table, read here directly.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from pep725_ls.checks.virtualenv_libraries import depurl_for_soname
from pep725_ls.data_index import default_index
from pep725_ls.venv_scan import LIBC_FAMILY

DATA = Path(resources.files("pep725_ls")) / "data" / "nixpkgs"
SHIPPED = {tuple(line.split("\t")) for line in (DATA / "sonames.tsv").read_text().splitlines()}
MAPPING = json.loads((DATA / "mapping.json").read_text())["mappings"]


def _policy_libraries() -> list[str]:
    auditwheel = pytest.importorskip("auditwheel")
    policy = Path(auditwheel.__file__).parent / "policy" / "manylinux-policy.json"
    return sorted({lib for p in json.loads(policy.read_text()) for lib in p.get("lib_whitelist", [])})


POLICY = _policy_libraries()
GLIBC = {f for f, attr, _ in SHIPPED if attr == "glibc"}


def test_the_policy_is_read():
    assert {"libstdc++.so.6", "libgcc_s.so.1", "libz.so.1", "libGL.so.1", "libX11.so.6"} <= set(POLICY)


def test_the_glibc_family_is_what_glibc_ships():
    """What the venv scan leaves out as the C library is exactly what nixpkgs' glibc ships."""
    for soname in POLICY:
        assert bool(LIBC_FAMILY.match(soname)) == (soname in GLIBC), soname


def _data_attr(depurl_id: str, attr: str) -> str:
    entry = MAPPING.get(depurl_id, {})  # no curated row: the attribute is its own data name
    rows = entry.get("nix", []) + entry.get("runtime", [])
    return next((r.get("data_attr", attr) for r in rows if r["attr"] == attr), attr)


@pytest.mark.parametrize("soname", [s for s in POLICY if s not in GLIBC])
def test_system_library_resolves_to_the_output_that_ships_it(soname):
    index = default_index()
    depurl_id = depurl_for_soname(soname, index)
    assert depurl_id is not None, soname
    mapping = index.nixpkgs(depurl_id.split("@", 1)[0])
    assert mapping is not None, depurl_id
    provider = index.soname_providers(soname)[0]
    assert provider.attr in mapping.runtime_attrs, (soname, depurl_id, provider, mapping.runtime_attrs)
    runtime = {a.attr: a for a in mapping.runtime}
    output = runtime[provider.attr].lib_output if provider.attr in runtime else provider.output
    assert (soname, _data_attr(depurl_id, provider.attr), output) in SHIPPED, (soname, provider)
