"""Shared fixtures: the real server over stdio, driven as different editors would."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

import pytest
import pytest_lsp
from hypothesis import Phase, settings
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

# Mutation testing (.ci/mutation.py) needs the same verdict on every run: the same examples,
# no example database, and no shrinking (a failing example is enough to kill a mutant).
settings.register_profile(
    "mutation", derandomize=True, database=None, deadline=None, print_blob=False,
    phases=[Phase.explicit, Phase.generate],
)

# .ci/mutation.py names the test files that may run (in-process, deterministic ones) in
# this variable; mutmut's own selection then stays "tests", so adding a test file there
# does not throw away every verdict of earlier runs.
_MUTATION_TESTS = os.environ.get("PEP725_MUTATION_TESTS")


def pytest_ignore_collect(collection_path: Path, config):
    if _MUTATION_TESTS is None:
        return None
    if collection_path.is_dir():
        return collection_path.name in ("editors", "nixos", "workspaces", "data", "reports") or None
    if collection_path.name.startswith("test_") and collection_path.suffix == ".py":
        return collection_path.name not in _MUTATION_TESTS.split(",")
    return None


# Under mutation testing every surviving mutant runs every test that reaches its function:
# the property tests run a tenth of their examples there (still derandomized), and tests
# that run pep725-ls in another process are skipped (a mutant lives in this one only).
MUTATION_EXAMPLES_DIVISOR = 10


def pytest_collection_modifyitems(config, items):
    if _MUTATION_TESTS is None:
        return
    skip = pytest.mark.skip(reason="runs pep725-ls in another process, where no mutant is")
    for item in items:
        if item.get_closest_marker("out_of_process"):
            item.add_marker(skip)
        test = getattr(item, "obj", None)
        chosen = getattr(test, "_hypothesis_internal_use_settings", None)
        if chosen is not None and not getattr(test, "_pep725_mutation_scaled", False):
            test._hypothesis_internal_use_settings = settings(
                chosen, max_examples=max(10, chosen.max_examples // MUTATION_EXAMPLES_DIVISOR))
            test._pep725_mutation_scaled = True


@pytest.fixture(autouse=True)
def _uncached_parsers():
    """Under mutation testing, each test runs the parsers afresh: ``depurl.parse`` and the
    requirement parser are memoised, and a result cached by an earlier test (or by the
    process a mutant's worker was forked from) would hide the mutant from this one."""
    if _MUTATION_TESTS is not None:
        from pep725_ls import depurl
        from pep725_ls.checks import python_dependencies

        for cached in (depurl.parse, depurl.parse_effective, python_dependencies._requirement):
            cached.cache_clear()
    yield


def ascii_id(value: str) -> str:
    """A test id of printable ASCII without backslashes for any string. pytest escapes an
    explicit id list in place, so in a second session in one process (mutmut's workers)
    ids holding a backslash or a control character no longer matched their node ids."""
    return re.sub(r"[^A-Za-z0-9_.:/=@<>,;+-]+", "_", value) or "_"


WORKSPACES = Path(__file__).parent / "workspaces"
# The client-capability profiles pytest-lsp ships: VS Code 1.65 (push diagnostics,
# UTF-16) and Neovim 0.11 (pull diagnostics, offers UTF-8 positions).
PROFILES = ["visual-studio-code", "neovim"]
SERVER = [sys.executable, "-m", "pep725_ls"]


def initialize_params(profile: str, options: dict | None = None) -> lsp.InitializeParams:
    return lsp.InitializeParams(
        capabilities=client_capabilities(profile),
        root_uri=WORKSPACES.as_uri(),
        initialization_options=options,
    )


@pytest_lsp.fixture(params=PROFILES, config=ClientServerConfig(server_command=SERVER))
async def client(request, lsp_client: LanguageClient):
    accept_registrations(lsp_client)
    result = await lsp_client.initialize_session(initialize_params(request.param))
    encoding = result.capabilities.position_encoding or "utf-16"
    lsp_client.position_encoding = getattr(encoding, "value", encoding)
    lsp_client.server_capabilities = result.capabilities
    yield
    await lsp_client.shutdown_session()


@pytest.fixture(scope="session")
def nix_instantiate() -> str:
    """The real nix-instantiate from Debian's nix-bin (installed on first use as root)."""
    from real_tools import debian_tool

    path, why = debian_tool("nix-instantiate", "nix-bin")
    if path is None:
        pytest.skip(why)
    return path


def fix_code_action_structuring(lsp_client: LanguageClient) -> None:
    """lsprotocol (2025.0.0) reads any code action that has a ``command`` as a Command.
    Real clients look at the type of ``command`` (a string only in a Command); so do we."""
    from typing import Union

    converter = lsp_client.protocol._converter

    def hook(obj, _):
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, lsp.Command)
        return converter.structure(obj, lsp.CodeAction)

    converter.register_structure_hook(Union[lsp.Command, lsp.CodeAction], hook)


def record_published_versions(lsp_client: LanguageClient) -> None:
    """Keep the ``version`` of each publishDiagnostics, which pytest-lsp's client drops, so
    that a test waiting for diagnostics can tell a stale version's from the current one.

    pygls offers no public way to wrap a handler already registered; this reaches into its
    feature table once, here, and fails loudly if pygls changes it."""
    features = lsp_client.protocol.fm.features
    original = features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]
    lsp_client.published_versions = {}

    def publish(params: lsp.PublishDiagnosticsParams):
        lsp_client.published_versions[params.uri] = params.version
        return original(params)

    features[lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = publish


def accept_registrations(lsp_client: LanguageClient) -> None:
    """Real editors accept client/registerCapability; pytest-lsp's client needs telling."""
    lsp_client.registrations = []
    fix_code_action_structuring(lsp_client)
    record_published_versions(lsp_client)

    @lsp_client.feature(lsp.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: lsp.RegistrationParams) -> None:
        lsp_client.registrations.extend(params.registrations)


class Session:
    """Small conveniences over pytest-lsp's client for one open document."""

    def __init__(self, client: LanguageClient, path: Path, text: str | None = None) -> None:
        self.client = client
        self.path = path
        self.uri = path.as_uri()
        self.text = path.read_text("utf-8") if text is None else text
        self.version = 1

    def open(self) -> "Session":
        self.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(
                text_document=lsp.TextDocumentItem(uri=self.uri, language_id="toml", version=1, text=self.text)
            )
        )
        return self

    @property
    def pull(self) -> bool:
        caps = self.client.capabilities
        return bool(caps and caps.text_document and caps.text_document.diagnostic)

    @property
    def encoding(self) -> str:
        return getattr(self.client, "position_encoding", "utf-16")

    def offset(self, needle: str, delta: int = 0, occurrence: int = 0) -> int:
        offset = -1
        for _ in range(occurrence + 1):
            offset = self.text.index(needle, offset + 1)
        return offset + delta

    def position(self, needle: str, delta: int = 0, occurrence: int = 0) -> lsp.Position:
        """LSP position, in the negotiated encoding, of ``needle`` plus ``delta`` code points."""
        return position_at(self.text, self.offset(needle, delta, occurrence), self.encoding)

    def apply(self, edits: list[lsp.TextEdit]) -> str:
        return apply_text_edits(self.text, edits, self.encoding)

    async def diagnostics(self, timeout: float = 10) -> list[lsp.Diagnostic]:
        if self.pull:
            report = await self.client.text_document_diagnostic_async(
                lsp.DocumentDiagnosticParams(text_document=lsp.TextDocumentIdentifier(uri=self.uri))
            )
            return list(report.items)
        deadline = asyncio.get_running_loop().time() + timeout
        while asyncio.get_running_loop().time() < deadline:
            found = self.client.diagnostics.get(self.uri)
            if found is not None and self._current(found):
                return list(found)
            await asyncio.sleep(0.02)
        raise AssertionError(f"no diagnostics published for {self.uri}")

    def _current(self, _found) -> bool:
        """The diagnostics were published for the version this session last sent (the
        server publishes with the document version; one without a version is not current)."""
        return self.client.published_versions.get(self.uri) == self.version

    async def change(self, new_text: str) -> None:
        self.version += 1
        self.client.diagnostics.pop(self.uri, None)
        self.text = new_text
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
                content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=new_text)],
            )
        )

    async def completion(self, position: lsp.Position, raw: bool = False) -> lsp.CompletionList:
        """The completion list, with ``itemDefaults.editRange`` applied to its items as a client
        applies it (``raw``: as the server sent it)."""
        result = await self.client.text_document_completion_async(
            lsp.CompletionParams(text_document=lsp.TextDocumentIdentifier(uri=self.uri), position=position)
        )
        if isinstance(result, list):
            return lsp.CompletionList(is_incomplete=False, items=result)
        defaults = result and result.item_defaults
        if not raw and defaults and isinstance(defaults.edit_range, lsp.Range):
            for item in result.items:
                if item.text_edit is None:
                    item.text_edit = lsp.TextEdit(defaults.edit_range, item.text_edit_text or item.label)
        return result

    async def resolve(self, item: lsp.CompletionItem) -> lsp.CompletionItem:
        return await self.client.completion_item_resolve_async(item)

    async def hover(self, position: lsp.Position) -> lsp.Hover | None:
        return await self.client.text_document_hover_async(
            lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=self.uri), position=position)
        )

    async def code_actions(self, range_: lsp.Range, diagnostics=(), only=None) -> list[lsp.CodeAction]:
        result = await self.client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=self.uri),
                range=range_,
                context=lsp.CodeActionContext(diagnostics=list(diagnostics), only=only),
            )
        )
        actions = [a for a in result or [] if isinstance(a, lsp.CodeAction)]
        resolved = []
        for a in actions:
            if a.edit is None and a.data is not None:
                a = await self.client.code_action_resolve_async(a)
            resolved.append(a)
        return resolved


def position_at(text: str, offset: int, encoding: str = "utf-16") -> lsp.Position:
    """Computed independently of the server's LineIndex, on purpose."""
    line = text.count("\n", 0, offset)
    col_text = text[text.rfind("\n", 0, offset) + 1 : offset]
    codec = {"utf-16": "utf-16-le", "utf-8": "utf-8", "utf-32": "utf-32-le"}[encoding]
    unit = {"utf-16": 2, "utf-8": 1, "utf-32": 4}[encoding]
    return lsp.Position(line, len(col_text.encode(codec, "surrogatepass")) // unit)


def apply_text_edits(text: str, edits: list[lsp.TextEdit], encoding: str = "utf-16") -> str:
    """Apply LSP edits to ``text``, as an editor would."""
    from pep725_ls.text_positions import LineIndex

    index = LineIndex(text, encoding)
    spans = []
    for e in edits:
        start = index.position_to_offset(e.range.start.line, e.range.start.character)
        end = index.position_to_offset(e.range.end.line, e.range.end.character)
        spans.append((start, end, e.new_text))
    for start, end, new in sorted(spans, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def workspace_edits(edit: lsp.WorkspaceEdit, uri: str) -> list[lsp.TextEdit]:
    if edit.changes:
        return list(edit.changes.get(uri, []))
    out = []
    for change in edit.document_changes or []:
        if isinstance(change, lsp.TextDocumentEdit) and change.text_document.uri == uri:
            out.extend(change.edits)
    return out


@pytest.fixture
def workspace() -> Path:
    return WORKSPACES
