"""Completion end to end, including in documents that are not valid TOML yet."""

from __future__ import annotations

import pytest
from lsprotocol import types as lsp

from conftest import WORKSPACES, Session

pytestmark = pytest.mark.asyncio
PATH = WORKSPACES / "core/clean/pyproject.toml"


async def complete_at_end(client, text: str, marker: str | None = None):
    """Open ``text``; complete at ``marker`` (removed from the text) or at the end."""
    offset = len(text) if marker is None else text.index(marker)
    text = text.replace(marker, "") if marker else text
    s = Session(client, PATH, text=text).open()
    from conftest import position_at

    result = await s.completion(position_at(text, offset, s.encoding))
    return s, result


def accept(s: Session, item: lsp.CompletionItem) -> str:
    assert item.text_edit is not None, "items replace an explicit range"
    return s.apply([item.text_edit])


def by_label(result: lsp.CompletionList, label: str) -> lsp.CompletionItem:
    for item in result.items:
        if item.label == label:
            return item
    raise AssertionError(f"{label!r} not in {[i.label for i in result.items][:30]}")


async def test_keys_in_external_table(client):
    s, result = await complete_at_end(client, '[external]\nbuild-requires = []\nhost-')
    labels = [i.label for i in result.items]
    assert "build-requires" not in labels  # already present
    assert labels[:2] == ["host-requires", "dependencies"]
    assert len(labels) == 6
    assert accept(s, by_label(result, "host-requires")).endswith("\nhost-requires")


async def test_dotted_keys_at_top_level(client):
    s, result = await complete_at_end(client, '[project]\nname = "x"\n', None)
    assert result is None or result.items == []
    s, result = await complete_at_end(client, 'external.opt|\n[project]\nname = "x"\n', "|")
    assert accept(s, by_label(result, "optional-host-requires")).startswith("external.optional-host-requires\n")


async def test_unterminated_string_at_end_of_file(client):
    s, result = await complete_at_end(client, '[external]\nhost-requires = ["dep:gen')
    item = by_label(result, "generic/")
    assert accept(s, item) == '[external]\nhost-requires = ["dep:generic/'


async def test_names_in_unterminated_array_followed_by_a_table(client):
    text = '[external]\nhost-requires = [\n  "dep:generic/zl|\n\n[tool.other]\nx = 1\n'
    s, result = await complete_at_end(client, text, "|")
    item = by_label(result, "zlib")
    assert accept(s, item).startswith('[external]\nhost-requires = [\n  "dep:generic/zlib\n\n[tool.other]')


async def test_names_inside_closed_string_replace_the_whole_name(client):
    s, result = await complete_at_end(client, '[external]\nhost-requires = ["dep:generic/op|enXX"]\n', "|")
    assert accept(s, by_label(result, "openssl")) == '[external]\nhost-requires = ["dep:generic/openssl"]\n'


async def test_scheme_is_never_duplicated(client):
    s, result = await complete_at_end(client, '[external]\nhost-requires = ["de|"]\n', "|")
    assert accept(s, by_label(result, "dep:generic/")) == '[external]\nhost-requires = ["dep:generic/"]\n'
    s, result = await complete_at_end(client, '[external]\nhost-requires = ["dep:|"]\n', "|")
    assert accept(s, by_label(result, "generic/")) == '[external]\nhost-requires = ["dep:generic/"]\n'


async def test_virtual_namespaces_then_names(client):
    s, result = await complete_at_end(client, "[external]\nbuild-requires = ['dep:virtual/")
    assert [i.label for i in result.items] == ["compiler/", "interface/"]
    s, result = await complete_at_end(client, "[external]\nbuild-requires = ['dep:virtual/compiler/|']\n", "|")
    labels = [i.label for i in result.items]
    assert {"c", "cxx", "fortran", "rust"} <= set(labels)
    assert accept(s, by_label(result, "cxx")) == "[external]\nbuild-requires = ['dep:virtual/compiler/cxx']\n"


async def test_between_elements_offers_quoted_depurls(client):
    s, result = await complete_at_end(client, "[external]\nhost-requires = ['dep:generic/zlib', |]\n", "|")
    assert accept(s, by_label(result, "dep:generic/openssl")) == (
        "[external]\nhost-requires = ['dep:generic/zlib', 'dep:generic/openssl']\n"
    )


async def test_version_operators_and_markers(client):
    s, result = await complete_at_end(client, '[external]\nhost-requires = ["dep:generic/zlib@|"]\n', "|")
    assert [i.label for i in result.items][:2] == [">=", "<"]
    s, result = await complete_at_end(client, '[external]\nhost-requires = ["dep:generic/zlib; sys_|"]\n', "|")
    assert accept(s, by_label(result, "sys_platform")) == '[external]\nhost-requires = ["dep:generic/zlib; sys_platform"]\n'


async def test_nothing_outside_external(client):
    s, result = await complete_at_end(client, '[project]\ndependencies = ["dep:gen|"]\n', "|")
    assert result is None or result.items == []


async def test_lists_are_as_small_as_the_client_allows(client):
    text = '[external]\nhost-requires = ["dep:generic/lib|"]\n'
    offset = text.index("|")
    text = text.replace("|", "")
    s = Session(client, PATH, text=text).open()
    from conftest import position_at

    raw = await s.completion(position_at(text, offset, s.encoding), raw=True)
    completion = client.capabilities.text_document.completion
    defaults = completion.completion_list and completion.completion_list.item_defaults or []
    name_range = lsp.Range(position_at(text, offset - len("lib"), s.encoding), position_at(text, offset, s.encoding))
    if "editRange" in defaults:  # Neovim 0.11: one range for the whole list
        assert raw.item_defaults.edit_range == name_range
        assert all(item.text_edit is None for item in raw.items)
    else:  # VS Code 1.65: every item says its range
        assert all(item.text_edit.range == name_range for item in raw.items)
    resolvable = completion.completion_item.resolve_support.properties
    first = raw.items[0]
    assert (first.documentation is None) == ("documentation" in resolvable)
    assert (first.detail is None) == ("detail" in resolvable)
    resolved = await s.resolve(first)
    assert resolved.label == first.label and resolved.detail
    assert resolved.documentation.value.startswith(f"**dep:generic/{first.label}**")


async def test_resolving_an_item_that_needs_nothing_returns_it(client):
    s = Session(client, PATH, text='[external]\nhost-requires = ["dep:"]\n').open()
    from conftest import position_at

    text = s.text
    result = await s.completion(position_at(text, text.index('dep:"') + 4, s.encoding))
    item = by_label(result, "generic/")
    resolved = await s.resolve(item)
    assert (resolved.label, resolved.detail, resolved.documentation) == (item.label, item.detail, None)
    junk = lsp.CompletionItem(label="x", data={"not": "ours"})
    assert (await s.resolve(junk)).label == "x"
