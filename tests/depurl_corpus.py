"""A seeded corpus of DepURL strings: every registry id, and mutations of them.

The mutations are the kinds of text people write or paste: versions (allowed, forbidden
and malformed operators, local versions, spaces), markers, qualifiers, subpaths, case,
slashes, unicode and control characters, the 2023 ``pkg:``/``virtual:`` forms and empty
parts. Same seed, same corpus: the differential test's counts are reproducible.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

SEED = 725
VENDORED_REGISTRY = Path(__file__).parents[1] / "server/pep725_ls/data/emm/registry.json"

VERSIONS = [
    "1.2", "==1.2", ">=1.2,<2", ">1", "<=3.0.1", ">=1999", "==2014", "1.2.3+local", "==1.2.3+local",
    ">=1.2.3+local", "<2+x", "~=1.2", "!=1.3", "===1.2", "1.*", "==1.2.*", ">= 1.2", ">=1.2, <2",
    "", "x", ">=x", "1.0,", ",1.0", "=1.0", ">=%3E1", "%3E%3D1.0", "1.0%20", "v1.0", "1.0-rc1",
    ">=1.0.post1", ">=1!2.0", "latest", "<2,>1,==1.5", ">=1.2;", "1.2/3",
]
MARKERS = [
    "; os_name == 'posix'", ";platform_system=='Linux'", " ; python_version >= '3.9'", ";", "; ",
    "; os_name ==", "; not_a_marker == 'x'", "; os_name == 'nt' and", "; extra == 'docs'",
    "; platform_machine == 'x86_64' or sys_platform == 'darwin'", "; os_name == 'posix'\n",
]
QUALIFIERS = [
    "?a=b", "?arch=x86_64&distro=fedora-25", "?a=b&a=c", "?A=b", "?=x", "?a=", "?a", "?1a=b", "?a=b&",
    "?a=%20x", "?a b=c", "?a=b&&c=d", "?", "?a=b=c", "?a.b_c-d=1", "?a=%zz", "?a=caf\u00e9", "?checksum=sha1:ad9",
]
SUBPATHS = ["#sub/dir", "#../x", "#/a/", "#a//b", "#.", "#", "#a/./b", "#a%2Fb", "#%zz", "#caf\u00e9", "#a b"]
UNICODE = ["\u00e9", "\u00a0", "\u200b", "\uff41", "\u0130", "\U0001f600", "\u2028"]
CONTROL = ["\n", "\t", "\r", "\x00", "\x07", "\x7f", " "]
TYPES = ["-x", "9x", "a_b", "a+b", "a.b", "", "GENERIC", "Virtual", "vcpkg", "brew", "nosuchtype", "a%20b"]


def registry_ids() -> list[str]:
    return [d["id"] for d in json.loads(VENDORED_REGISTRY.read_text("utf-8"))["definitions"]]


def _split(depurl: str) -> tuple[str, str]:
    """(``dep:type/…/name``, the rest from '@', '?' or '#')."""
    cut = min([i for i in (depurl.find("@", 4), depurl.find("?"), depurl.find("#")) if i >= 0], default=len(depurl))
    return depurl[:cut], depurl[cut:]


def _mutations(base: str, rng: random.Random) -> list[str]:
    head, tail = _split(base)
    scheme, path = head[:4], head[4:]
    type_, _, rest = path.partition("/")
    segments = rest.split("/")
    name = segments[-1]
    out = [
        head + "@" + rng.choice(VERSIONS) + tail,
        base + rng.choice(MARKERS),
        head + rng.choice(QUALIFIERS),
        head + rng.choice(SUBPATHS),
        scheme + type_.upper() + "/" + rest,
        scheme + type_ + "/" + rest.upper(),
        scheme + rng.choice(["/", "//", "///"]) + path + tail,
        head + "/" + tail,
        scheme + type_ + "//" + rest + tail,
        head.replace(name, name + rng.choice(UNICODE), 1) + tail,
        head.replace(name, name[: len(name) // 2] + rng.choice(CONTROL) + name[len(name) // 2 :], 1) + tail,
        rng.choice([" ", "\t", "  "]) + base + rng.choice(["", " ", "\t", "\n"]),
        scheme + rng.choice(TYPES) + "/" + rest + tail,
        head + "@" + tail,
    ]
    if type_ == "virtual":
        out.append("virtual:" + rest + tail)
        out.append(scheme + type_ + "/" + segments[0].capitalize() + "/" + "/".join(segments[1:]))
    else:
        out.append("pkg:" + path + tail)
    return out


def corpus(seed: int = SEED) -> list[str]:
    """Registry ids, then mutations; unique, in a fixed order."""
    rng = random.Random(seed)
    found: dict[str, None] = {}
    bases = registry_ids()
    for depurl in bases:
        found.setdefault(depurl)
    for depurl in bases:
        for mutated in _mutations(depurl, rng):
            found.setdefault(mutated)
    # Empty and near-empty parts, once each.
    for text in ["", " ", "dep:", "dep:/", "dep://", "dep:generic", "dep:generic/", "dep:/zlib", "dep:generic//zlib",
                 "dep:generic/zlib@", "dep:generic/zlib?", "dep:generic/zlib#", "dep:virtual/compiler",
                 "dep:virtual//c", "dep:virtual/compiler/", "pkg:", "virtual:", "dep:npm/@babel/core",
                 "dep:npm/%40babel/core", "dep:npm/@babel/core@7.0", "dep:generic/a@b/c", "zlib>=1"]:
        found.setdefault(text)
    return list(found)
