"""Hover text holds the user's DepURL as literal text: rendered by markdown-it (the parser
VS Code uses), a hostile specifier makes no link, image, HTML or emphasis."""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt

from pep725_ls import depurl
from pep725_ls.data_index import default_index
from pep725_ls.features.hover import hover_markdown

HOSTILE = [
    "dep:generic/[x](command:pep725.rescanVirtualenv)",
    "dep:generic/x![i](https://evil.example/p.png)",
    "dep:generic/<img src=x onerror=alert(1)>",
    "dep:generic/<https://evil.example>",
    "dep:generic/**bold**_em_~~s~~",
    "dep:generic/a`code`b",
    "dep:generic/&lt;amp&#62;",
    "dep:generic/zlib@`>=1`[x](command:x)",
    "dep:generic/zlib; sys_platform == '`' or '[x](command:y)'",
]


@pytest.mark.parametrize("spec", HOSTILE)
def test_hostile_depurls_render_as_plain_text(spec):
    """The raw DepURL went inside **…** unescaped: `[x](command:…)` became a link."""
    markdown = hover_markdown(depurl.parse(spec), default_index())
    assert markdown is not None
    rendered = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(markdown)
    first = rendered.split("\n", 1)[0]
    links = re.findall(r'<a href="([^"]*)"', rendered)
    assert not [link for link in links if "command:" in link or "evil" in link], links  # links come from the data only
    assert "<img" not in rendered and "<em>" not in first and "<del>" not in first, rendered
    package_id = depurl.parse(spec).package_id
    assert first == f"<p><strong>{html.escape(package_id, quote=False)}</strong></p>", (first, package_id)
    for part in (depurl.parse(spec).version, depurl.parse(spec).marker):  # shown as code, exactly as written
        if part is not None:
            assert f"<code>{html.escape(part.text.strip(), quote=False)}</code>" in rendered, rendered
