"""Protocol fuzzing of the real server: thousands of random incremental edits and requests.

The bounded run (2,000 steps over two sessions, ~1 minute) is part of every pytest run.
The long run is::

    PEP725_FUZZ_STEPS=10000 .venv/bin/python -m pytest tests/reliability/test_protocol_fuzz.py -s

``PEP725_FUZZ_SEED`` picks the seed (a number, or ``random``); every run prints its seed and
figures, and a failure names the seed and step, so ``PEP725_FUZZ_SEED=<seed>`` replays it.
See fuzz_session.py for what is sent and how divergence is detected.
"""

from __future__ import annotations

import os
import random

import pytest

from fuzz_session import FuzzSession
from lsp_wire import LspProcess, TextModel, server_env

TOTAL_STEPS = int(os.environ.get("PEP725_FUZZ_STEPS", "2000"))
# (share of the steps, position encoding, with the 5 MB document episode)
SESSIONS = [(0.75, "utf-16", True), (0.25, "utf-8", False)]


def _seed(default: int) -> int:
    raw = os.environ.get("PEP725_FUZZ_SEED")
    if raw == "random":
        return random.SystemRandom().randrange(2**32)
    return int(raw) if raw else default


@pytest.mark.parametrize("share, encoding, big", SESSIONS, ids=[s[1] for s in SESSIONS])
def test_random_edits_and_requests(tmp_path, share, encoding, big):
    seed = _seed(725 + SESSIONS.index((share, encoding, big)))
    steps = max(50, int(TOTAL_STEPS * share))
    print(f"\nfuzz: PEP725_FUZZ_SEED={seed} steps={steps} encoding={encoding}")
    session = FuzzSession(seed, tmp_path, encoding, big_document=big)
    session.start()
    try:
        stats = session.run(steps)
        session.finish()
    finally:
        session.server.kill()
    print("fuzz:", stats.line())
    assert stats.checkpoints >= steps // 40
    assert stats.oracle_checked > steps // 5
    # the echo probe covered the whole fuzzed text at (almost) every checkpoint
    assert stats.echo_full >= 0.9 * stats.checkpoints


# -- regressions the fuzzer found -----------------------------------------------------------
CAPS = {"general": {"positionEncodings": ["utf-16"]}, "textDocument": {"diagnostic": {}}}


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x0c", "\x0b", "\x85", "\x1c", "\x1d", "\x1e"])
def test_unusual_line_separators_do_not_shift_later_edits(tmp_path, separator):
    """LSP breaks lines at \\n, \\r\\n and \\r only; pygls's str.splitlines broke at more, so
    an edit below such a character landed on the wrong line (server bug, fixed)."""
    text = f'[project]\nname = "a{separator}b"\n\n[external]\nhost-requires = ["dep:generic/zlib"]\n'
    model = TextModel(text)
    uri = (tmp_path / "pyproject.toml").as_uri()
    with LspProcess(env=server_env()) as server:
        server.initialize(tmp_path, CAPS)
        server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": text}})
        at = model.text.index("zlib")
        change = model.apply(at, at + len("zlib"), "zlibx")  # line 4 for LSP
        server.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change]})
        items = server.request("textDocument/diagnostic", {"textDocument": {"uri": uri}})["result"]["items"]
        [unknown] = [d for d in items if d["code"] == "unknown-name"]  # (control characters also break TOML)
        assert unknown["message"].startswith("'dep:generic/zlibx' is not in the PEP 804 registry")
        assert unknown["range"]["start"]["line"] == 4
        assert server.shutdown() == 0


def test_deep_nesting_is_answered(tmp_path):
    """3,000 nested arrays exhausted the Python stack in the tolerant reader, so hover and
    completion answered with an internal error and checks logged a traceback (fixed)."""
    text = '[external]\nhost-requires = ["dep:generic/zlib"]\nx = ' + "[" * 3000 + "]" * 3000 + "\n"
    uri = (tmp_path / "pyproject.toml").as_uri()
    with LspProcess(env=server_env()) as server:
        server.initialize(tmp_path, CAPS)
        server.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": text}})
        for method, params in [
            ("textDocument/hover", {"position": {"line": 1, "character": 20}}),
            ("textDocument/completion", {"position": {"line": 2, "character": 3000}}),
            ("textDocument/diagnostic", {}),
        ]:
            answer = server.request(method, {"textDocument": {"uri": uri}, **params})
            assert "error" not in answer, (method, answer)
        [syntax] = [d for d in answer["result"]["items"] if d["code"] == "toml-syntax"]
        assert "too deep" in syntax["message"]
        assert server.shutdown() == 0
        assert "Traceback" not in server.stderr()
