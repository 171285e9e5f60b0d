"""Hover end to end on registry DepURLs, aliases, legacy forms and non-DepURL text."""

from __future__ import annotations

import pytest
from lsprotocol import types as lsp

from conftest import WORKSPACES, Session

pytestmark = pytest.mark.asyncio


async def test_hover_on_registry_depurl(client):
    s = Session(client, WORKSPACES / "core/clean/pyproject.toml").open()
    hover = await s.hover(s.position("dep:generic/libpq", 6))
    assert hover.contents.kind == lsp.MarkupKind.Markdown
    text = hover.contents.value
    assert "**dep:generic/libpq**" in text
    assert "PostgreSQL" in text  # the registry description
    assert "| Ubuntu 24.04 |" in text and "libpq" in text
    assert hover.range.start == s.position("dep:generic/libpq")


async def test_hover_on_legacy_and_alias(client):
    text = '[external]\nhost-requires = ["pkg:generic/zlib", "dep:github/Kitware/CMake"]\n'
    s = Session(client, WORKSPACES / "core/clean/pyproject.toml", text=text).open()
    legacy = (await s.hover(s.position("pkg:generic", 3))).contents.value
    assert legacy.startswith("**dep:generic/zlib**")
    alias = (await s.hover(s.position("Kitware", 2))).contents.value
    assert "Alias of **dep:generic/cmake**" in alias


async def test_no_hover_outside_requirement_strings(client):
    s = Session(client, WORKSPACES / "core/clean/pyproject.toml").open()
    assert await s.hover(s.position("[external]", 2)) is None
    assert await s.hover(s.position('name = "clean"', 9)) is None
