"""The protocol fuzzer: random incremental edits and requests against the real server.

One ``FuzzSession`` opens a pyproject.toml in the real server (``python -m pep725_ls`` over
stdio, via lsp_wire) and, from a seeded ``random.Random``, sends a stream of well-formed
``didChange`` events — inserts, deletes, replacements of random spans with TOML tokens,
garbage, unicode (astral plane, combining marks, U+2028, form feed…), CRLF and lone CR,
truncation to empty, deeply nested arrays, and once a 5 MB document — interleaved with
completion, hover, documentLink, codeAction and diagnostic requests at random positions,
some past the end of the line or the document.

How we know the server's text is the client's (without a test-only request):

- *Oracle answers.* Completion, hover and documentLink are answered synchronously, in
  message order, so their answer is a function of the text at the time they were sent.
  The same pure core runs in this process on the client's copy of the text, and the two
  answers must be equal, byte for byte as JSON. At every checkpoint the pulled
  diagnostics are compared the same way.
- *Echo probe.* Every checkpoint wraps the document in a HEAD and a TAIL that each hold a
  legacy DepURL (``'pkg:generic/zlib'``) and asks for ``source.fixAll.pep725``. Its edit is
  the minimal edit from the server's text to the fixed text, i.e. it spans from the first
  fix to the last and its ``newText`` is the server's whole fuzzed text in between. That
  is compared with the oracle's edit on the client's text: any difference between the
  two texts inside the span shows. The probe is then removed with two more incremental
  edits. (The TAIL is chosen, on the client's copy, from a few variants that also close
  an open multi-line string, so the fuzzed middle is covered; ``Stats.echo_full`` counts
  checkpoints whose span covered all of it.)
"""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol.converters import get_converter

from lsp_wire import LspProcess, TextModel, server_env
from pep725_ls import lsp_conversions
from pep725_ls.checks import CheckContext, run_checks
from pep725_ls.config import Settings
from pep725_ls.data_index import default_index
from pep725_ls.document import PyprojectDocument
from pep725_ls.features.completion import complete
from pep725_ls.features.document_links import links
from pep725_ls.features.hover import hover
from pep725_ls.safe_fixes import fix_all_edit
from pep725_ls.document import BIG_DOCUMENT_CHARS

FIX_ALL = "source.fixAll.pep725"
HEAD = "[external]\nbuild-requires = ['pkg:generic/zlib']\n"
TAILS = [
    "\n[external]\nhost-requires = ['pkg:generic/zlib']\n",
    '\n"""\n[external]\nhost-requires = [\'pkg:generic/zlib\']\n',
    "\n'''\n[external]\nhost-requires = ['pkg:generic/zlib']\n",
    "\n\"\"\"'''\n[external]\nhost-requires = ['pkg:generic/zlib']\n",
    "\n'''\"\"\"\n[external]\nhost-requires = ['pkg:generic/zlib']\n",
]

REAL_SHAPED = (Path(__file__).parent.parent / "workspaces" / "reliability" / "real-shaped.toml").read_text("utf-8")
TOKENS = [
    "[", "]", "[[", "]]", "{", "}", '"', "'", '"""', "'''", "=", ",", ".", "#", " ", "\t", "\n", "\r\n", "\r",
    "\\", "\\u00e9", "\\U0001F600", "[external]", "[external.optional-host-requires]", "host-requires",
    "build-requires = [", "dependencies = [", "optional-dependencies", "dependency-groups = { dev = [",
    "dep:", "dep:generic/", "dep:virtual/compiler/", "dep:virtual/", "pkg:generic/zlib", "virtual:compiler/c",
    '"dep:generic/openssl@>=3"', "@", ">=", ";", " sys_platform == 'linux'", " and ", "?", "#frag",
    "external.", "x = 1", "true", "1979-05-27T07:32:00Z", '{include-group = "dev"}',
    '[project]\nname = "p"\ndependencies = ["psycopg2>=2.9", "lxml"]\n', '[build-system]\nrequires = ["maturin"]\n',
    "é", "中文", "😀", "𝄞", "🧪🧪", "\u200d", "e\u0301", "\ufeff", "\u2028", "\u2029", "\x0c", "\x0b", "\x85",
    "\x1c", "\x1d", "\x1e", "\x00", "\x7f", "\U0010FFFD",
]
ALPHABETS = [
    (0x20, 0x7E), (0x20, 0x7E), (0x00, 0x1F), (0xA0, 0x24F), (0x4E00, 0x4FFF), (0x1F300, 0x1FAFF),
    (0x1D100, 0x1D1FF), (0x10000, 0x10FFFF),
]


@dataclass
class Stats:
    seed: int
    encoding: str
    steps: int = 0
    edits: int = 0
    changes: int = 0
    requests: dict = field(default_factory=dict)
    oracle_checked: int = 0
    checkpoints: int = 0
    echo_full: int = 0
    echo_chars: int = 0
    out_of_range: int = 0
    big_document_chars: int = 0
    answered_empty: int = 0  # requests on the big document answered empty while it was parsed
    deepest_nesting: int = 0
    max_len: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        total = sum(self.requests.values())
        return (f"seed={self.seed} encoding={self.encoding} steps={self.steps} didChange={self.edits} "
                f"changes={self.changes} requests={total} {dict(sorted(self.requests.items()))} "
                f"oracle-compared={self.oracle_checked} checkpoints={self.checkpoints} "
                f"echo-full={self.echo_full}/{self.checkpoints} echoed-chars={self.echo_chars} "
                f"out-of-range={self.out_of_range} big-doc={self.big_document_chars} answered-empty={self.answered_empty} "
                f"deepest-nesting={self.deepest_nesting} max-len={self.max_len} "
                f"time={self.seconds:.1f}s crashes=0 protocol-errors=0 divergences=0")


def capabilities(encoding: str) -> dict:
    return {
        "general": {"positionEncodings": [encoding]},
        "textDocument": {
            "synchronization": {"dynamicRegistration": False},
            "diagnostic": {"dynamicRegistration": False},
            "hover": {"contentFormat": ["markdown", "plaintext"]},
            "completion": {"completionItem": {"snippetSupport": False}},
            "codeAction": {
                "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source", "source.fixAll"]}},
                "resolveSupport": {"properties": ["edit"]},
            },
        },
        "workspace": {"workspaceEdit": {"documentChanges": True}, "configuration": True},
    }


_converter = get_converter()


def as_json(value):
    """An lsprotocol value as pygls sends it."""
    return json.loads(json.dumps(_converter.unstructure(value)))


UNCHECKED = object()  # answered asynchronously: the text it saw is not pinned down


@dataclass(frozen=True)
class EmptyOr:
    """On a document of BIG_DOCUMENT_CHARS or more still being parsed, the server answers
    empty rather than waiting past REQUEST_WAIT_S (server.py); otherwise ``value``."""

    value: object


class Divergence(AssertionError):
    pass


class FuzzSession:
    def __init__(self, seed: int, folder: Path, encoding: str = "utf-16", big_document: bool = True) -> None:
        self.rng = random.Random(seed)
        self.stats = Stats(seed, encoding)
        self.folder = folder
        self.path = folder / "pyproject.toml"
        self.uri = self.path.as_uri()
        self.encoding = encoding
        self.big_document = big_document
        self.index = default_index()
        self.context = CheckContext(folder)
        self.model = TextModel(REAL_SHAPED, encoding)
        self.version = 1
        self.pending: list[tuple[int, str, object, int]] = []  # id, method, expected JSON or UNCHECKED, step
        self.server: LspProcess | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        self.server = LspProcess(env=server_env(), cwd=str(self.folder))
        result = self.server.initialize(self.folder, capabilities(self.encoding))
        negotiated = result["capabilities"].get("positionEncoding", "utf-16")
        assert negotiated == self.encoding, f"server chose {negotiated}"
        self.server.notify("textDocument/didOpen", {"textDocument": {
            "uri": self.uri, "languageId": "toml", "version": 1, "text": self.model.text}})

    def finish(self) -> None:
        self.drain()
        code = self.server.shutdown()
        assert code == 0, f"server exit code {code}"
        self.check_stderr()

    def check_stderr(self) -> None:
        err = self.server.stderr()
        assert "Traceback" not in err and " ERROR " not in err, f"{self.where()}: the server logged an error:\n{err[-5000:]}"
        assert not self.server.raw_errors, self.server.raw_errors

    def where(self) -> str:
        return f"seed {self.stats.seed} ({self.encoding}), step {self.stats.steps}"

    # -- the run ---------------------------------------------------------------------------
    def run(self, steps: int) -> Stats:
        started = time.monotonic()
        big_at = self.rng.randrange(steps // 4, steps) if self.big_document and steps >= 8 else -1
        for step in range(steps):
            self.stats.steps = step + 1
            if step == big_at:
                self.big_document_episode()
            r = self.rng.random()
            if r < 0.62:
                self.random_edit()
            else:
                self.random_request()
            if len(self.pending) >= 12 or self.rng.random() < 0.05:
                self.drain()
            if (step + 1) % 40 == 0:
                self.checkpoint()
            if not self.server.alive():
                raise AssertionError(f"{self.where()}: the server died\n{self.server.stderr()[-5000:]}")
            self.stats.max_len = max(self.stats.max_len, len(self.model.text))
        self.checkpoint()
        self.stats.seconds = time.monotonic() - started
        return self.stats

    # -- edits -----------------------------------------------------------------------------
    def send_changes(self, changes: list[dict]) -> None:
        self.version += 1
        self.stats.edits += 1
        self.stats.changes += len(changes)
        self.server.notify("textDocument/didChange", {
            "textDocument": {"uri": self.uri, "version": self.version}, "contentChanges": changes})

    def random_span(self) -> tuple[int, int]:
        n = len(self.model.text)
        a = self.rng.randint(0, n)
        kind = self.rng.random()
        if kind < 0.35:
            b = a
        elif kind < 0.9:
            b = min(n, a + int(self.rng.expovariate(1 / 8)))
        else:
            b = self.rng.randint(a, n)
        return self.model.valid_offset(a), self.model.valid_offset(b)

    def random_text(self) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.2:
            return ""
        if kind < 0.6:
            return "".join(rng.choice(TOKENS) for _ in range(rng.randint(1, 6)))
        if kind < 0.85:
            lo, hi = rng.choice(ALPHABETS)
            chars = []
            for _ in range(rng.randint(1, 12)):
                c = rng.randint(lo, hi)
                chars.append(chr(c if not 0xD800 <= c <= 0xDFFF else 0xFFFD))
            return "".join(chars)
        if kind < 0.95:
            lines = REAL_SHAPED.splitlines(keepends=True)
            i = rng.randrange(len(lines))
            return "".join(lines[i : i + rng.randint(1, 8)])
        depth = rng.choice([10, 200, 1200, 3000])
        self.stats.deepest_nesting = max(self.stats.deepest_nesting, depth)
        closing = "]" * rng.randint(0, depth)
        return f"\nnested = {'[' * depth}{closing}\n"

    def random_edit(self) -> None:
        rng = self.rng
        if len(self.model.text) > 40_000:
            self.send_changes([self.model.apply(0, self.model.valid_offset(len(self.model.text) // 2), "")])
            return
        if rng.random() < 0.01:
            self.send_changes([self.model.apply(0, len(self.model.text), "")])  # truncate to empty
            return
        if rng.random() < 0.02:
            self.send_changes([self.model.apply(0, len(self.model.text), REAL_SHAPED)])
            return
        changes = []
        for _ in range(rng.choice([1, 1, 1, 2, 3])):
            a, b = self.random_span()
            text = self.random_text()
            if rng.random() < 0.1:
                text = text.replace("\n", "\r\n")
            changes.append(self.model.apply(a, b, text))
        self.send_changes(changes)

    def big_document_episode(self) -> None:
        """A 5 MB document: a few requests and a diagnostic comparison, then back to small."""
        unit = REAL_SHAPED + "\n# ünïcödé 😀 padding\n"
        big = unit * (5_000_000 // len(unit) + 1)
        self.stats.big_document_chars = len(big)
        self.send_changes([self.model.apply(0, len(self.model.text), big)])
        self.request_at("textDocument/hover", self.rng.randrange(len(big)))
        mid = len(big) // 2
        self.send_changes([self.model.apply(mid, mid, "\n[external]\ndependencies = ['pkg:generic/zlib']\n")])
        self.request_at("textDocument/completion", mid + 20)
        self.drain(timeout=120)
        self.compare_diagnostics(timeout=120)
        self.send_changes([self.model.apply(0, len(self.model.text), REAL_SHAPED)])

    # -- requests --------------------------------------------------------------------------
    def random_position(self) -> tuple[dict, int | None]:
        """A position, and the offset it means when it is inside the document (else None)."""
        rng = self.rng
        r = rng.random()
        if r < 0.8:
            offset = self.model.valid_offset(rng.randint(0, len(self.model.text)))
            return self.model.position(offset), offset
        self.stats.out_of_range += 1
        lines = len(self.model.starts)
        choice = rng.choice(["line", "char", "both", "max"])
        if choice == "line":
            return {"line": lines + rng.randint(0, 50), "character": rng.randint(0, 20)}, None
        if choice == "char":
            return {"line": rng.randrange(lines), "character": rng.randint(200, 5000)}, None
        if choice == "both":
            return {"line": lines + rng.randint(1, 1000), "character": rng.randint(0, 10**6)}, None
        return {"line": 2**31 - 1, "character": 2**31 - 1}, None

    def request_at(self, method: str, offset: int) -> None:
        self._send_request(method, self.model.position(offset))

    def random_request(self) -> None:
        method = self.rng.choice([
            "textDocument/completion", "textDocument/completion", "textDocument/hover", "textDocument/hover",
            "textDocument/documentLink", "textDocument/codeAction", "textDocument/diagnostic",
        ])
        position, _ = self.random_position()
        self._send_request(method, position)

    def _send_request(self, method: str, position: dict) -> None:
        td = {"uri": self.uri}
        if method in ("textDocument/completion", "textDocument/hover"):
            params = {"textDocument": td, "position": dict(position)}
        elif method == "textDocument/codeAction":
            end = self.random_position()[0]
            params = {"textDocument": td, "range": {"start": dict(position), "end": end},
                      "context": {"diagnostics": [], "only": self.rng.choice([None, ["quickfix"], [FIX_ALL], ["source"]])}}
            if params["context"]["only"] is None:
                del params["context"]["only"]
        else:
            params = {"textDocument": td}
        expected = self.expected(method, params)
        request_id = self.server.request_nowait(method, params)
        self.stats.requests[method] = self.stats.requests.get(method, 0) + 1
        self.pending.append((request_id, method, expected, self.stats.steps))

    def oracle_doc(self) -> PyprojectDocument:
        return PyprojectDocument(self.model.text, self.encoding)

    def expected(self, method: str, params: dict):
        """The answer the server must give now, for requests it answers in message order."""
        if method not in ("textDocument/completion", "textDocument/hover", "textDocument/documentLink"):
            return UNCHECKED
        if len(self.model.text) >= BIG_DOCUMENT_CHARS:
            return EmptyOr(self._expected(method, params))
        return self._expected(method, params)

    def _expected(self, method: str, params: dict):
        doc = self.oracle_doc()
        if method == "textDocument/documentLink":
            return _links_json(doc, self.index)
        from lsprotocol import types as lsp

        pos = params["position"]
        offset = lsp_conversions.offset_of(doc, lsp.Position(pos["line"], pos["character"]))
        if method == "textDocument/completion":
            return as_json(complete(doc, offset, self.index))
        return as_json(hover(doc, offset, self.index))

    def drain(self, timeout: float = 60) -> None:
        for request_id, method, expected, step in self.pending:
            answer = self.server.wait(request_id, timeout)
            if "error" in answer:
                raise AssertionError(f"seed {self.stats.seed}, step {step}: {method} answered with an error: "
                                     f"{answer['error']}\n{self.server.stderr()[-3000:]}")
            if isinstance(expected, EmptyOr):
                if answer.get("result") in (None, []):
                    self.stats.answered_empty += 1
                    continue
                expected = expected.value
            if expected is not UNCHECKED:
                self.stats.oracle_checked += 1
                if answer.get("result") != expected:
                    raise Divergence(f"seed {self.stats.seed} ({self.encoding}), step {step}: {method} differs from "
                                     f"the oracle on the client's text:\nserver: {str(answer.get('result'))[:1500]}\n"
                                     f"oracle: {str(expected)[:1500]}")
        self.pending.clear()

    # -- checkpoints ---------------------------------------------------------------------------
    def compare_diagnostics(self, timeout: float = 60) -> None:
        answer = self.server.request("textDocument/diagnostic", {"textDocument": {"uri": self.uri}}, timeout)
        assert "error" not in answer, (self.where(), answer)
        doc = self.oracle_doc()
        findings = run_checks(doc, self.index, self.context)
        expected = as_json(lsp_conversions.diagnostics(doc, findings, Settings()))
        self.stats.oracle_checked += 1
        got = answer["result"].get("items")
        if got != expected:
            raise Divergence(f"{self.where()}: diagnostics differ from the oracle on the client's text:\n"
                             + _first_difference(got, expected) + f"\nclient text: {self.model.text[:3000]!r}")

    def checkpoint(self) -> None:
        self.drain()
        self.stats.checkpoints += 1
        self.compare_diagnostics()
        self.echo_probe()

    def _choose_tail(self, text: str) -> tuple[str, object, bool]:
        first = None
        for tail in TAILS:
            probe = HEAD + text + tail
            edit = fix_all_edit(probe, self.index)
            full = edit is not None and edit.start <= len(HEAD) and edit.end >= len(HEAD) + len(text)
            if first is None:
                first = (tail, edit, full)
            if full:
                return tail, edit, True
        return first

    def echo_probe(self) -> None:
        text = self.model.text
        tail, edit, full = self._choose_tail(text)
        n = len(text)
        changes = [self.model.apply(0, 0, HEAD)]
        changes.append(self.model.apply(len(self.model.text), len(self.model.text), tail))
        self.send_changes(changes)
        doc = self.oracle_doc()
        whole = {"start": {"line": 0, "character": 0}, "end": self.model.end_position()}
        answer = self.server.request("textDocument/codeAction", {
            "textDocument": {"uri": self.uri}, "range": whole, "context": {"diagnostics": [], "only": [FIX_ALL]}})
        assert "error" not in answer, (self.where(), answer)
        actions = [a for a in answer["result"] or [] if a.get("kind") == FIX_ALL]
        expected_edits = as_json([lsp_conversions.text_edit(doc, edit)]) if edit is not None else []
        if edit is None:
            assert not actions or not _edits_of(actions[0], self.uri), (self.where(), actions)
        else:
            assert actions, f"{self.where()}: no fix-all offered on the probe"
            action = actions[0]
            if "edit" not in action:
                resolved = self.server.request("codeAction/resolve", action)
                assert "error" not in resolved, (self.where(), resolved)
                action = resolved["result"]
            got = _edits_of(action, self.uri)
            self.stats.oracle_checked += 1
            if got != expected_edits:
                raise Divergence(f"{self.where()}: the fix-all echo differs from the client's text:\n"
                                 f"server: {json.dumps(got)[:2000]}\noracle: {json.dumps(expected_edits)[:2000]}")
            self.stats.echo_chars += len(edit.new_text)
        if full:
            self.stats.echo_full += 1
        # take the probe out again, tail first. A tail starting with \n after a text ending in \r
        # makes one \r\n line break, and no LSP position lies inside it: remove the \r with the
        # tail and put it back (this harness once sent the unrepresentable cut, and the server,
        # rightly clamping it, was blamed for losing the \r).
        total = len(self.model.text)
        start = total - len(tail)
        cut = self.model.valid_offset(start)
        self.send_changes([self.model.apply(cut, total, self.model.text[cut:start]), self.model.apply(0, len(HEAD), "")])
        assert self.model.text == text and len(text) == n


def _edits_of(action: dict, uri: str) -> list:
    edit = action.get("edit") or {}
    if edit.get("changes"):
        return edit["changes"].get(uri, [])
    out = []
    for change in edit.get("documentChanges") or []:
        if change.get("textDocument", {}).get("uri") == uri:
            out.extend(change["edits"])
    return out


def _links_json(doc: PyprojectDocument, index) -> list:
    from lsprotocol import types as lsp

    return as_json([lsp.DocumentLink(range=lsp_conversions.lsp_range(doc, s, e), target=url)
                    for s, e, url, _ in links(doc, index)])


def _first_difference(got: list, expected: list) -> str:
    for i, (a, b) in enumerate(zip(got, expected)):
        if a != b:
            return f"item {i}:\nserver: {json.dumps(a)}\noracle: {json.dumps(b)}"
    return f"server has {len(got)} items, the oracle {len(expected)}; extra: {json.dumps((got[len(expected):] or expected[len(got):])[:3])}"
