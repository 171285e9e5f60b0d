"""textDocument/hover on a DepURL: what it is, its nixpkgs attribute(s), and what other
ecosystems call it. ``hover_markdown`` is pure (specifier + index → markdown)."""

from __future__ import annotations

import re

from lsprotocol import types as lsp

from .. import depurl, lsp_conversions
from ..data_index import DataIndex, NixMapping
from ..document import CursorInString, PyprojectDocument


# What can start markup inside a line (the text never starts one: it follows "**"):
# emphasis, code, links and images, autolinks and HTML, entities, tables, strikethrough.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]()<>!&|~])")


def markdown_text(text: str) -> str:
    """User text as literal Markdown: every character Markdown could read as markup (a
    link ``[x](command:…)``, emphasis, HTML, an autolink) escaped, line breaks flattened."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))


def markdown_code(text: str) -> str:
    """User text as an inline code span, whatever backticks it holds."""
    text = " ".join(text.splitlines())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def hover_markdown(spec: depurl.ExternalSpecifier, index: DataIndex) -> str | None:
    """The hover text for one specifier (its meaning: ``depurl.parse_effective``), or None
    when there is nothing to say."""
    package_id = spec.package_id
    if package_id is None:
        return None
    lines = [f"**{markdown_text(package_id)}**"]  # the user's text: never markup
    entry = index.lookup(spec.registry_id or package_id) or index.lookup(package_id)
    if entry is not None:
        if entry.description:
            lines += ["", entry.description]
        if not entry.is_canonical and entry.canonical_target:
            lines += ["", f"Alias of **{entry.canonical_target}** in the PEP 804 registry."]
        elif entry.provides:
            lines += ["", "Provides " + ", ".join(f"`{p}`" for p in entry.provides) + "."]
        target = entry.canonical_target if not entry.is_canonical else None
    else:
        target = None
        lines += ["", "_Not in the PEP 804 registry._"]
    if spec.version is not None:
        lines += ["", f"Version: {markdown_code(spec.version.text)}"]
    if spec.marker is not None:
        lines += ["", f"Only when: {markdown_code(spec.marker.text)}"]
    lines += nixpkgs_markdown(index.nixpkgs(spec.registry_id or package_id) or index.nixpkgs(package_id))
    rows = index.ecosystem_packages(target or package_id)
    if rows:
        lines += ["", "| Ecosystem | Packages |", "|---|---|"]
        for row in rows:
            lines.append(f"| {row.ecosystem_name} | {', '.join(f'`{p}`' for p in row.all)} |")
    return "\n".join(lines)


def nixpkgs_markdown(mapping: NixMapping | None) -> list[str]:
    """The nixpkgs section of a hover: attribute(s), version, outputs, sonames, links."""
    if mapping is None:
        return ["", "**nixpkgs:** _no attribute known_"]
    lines = [""]
    head = {"curated": "**nixpkgs**", "emm": "**nixpkgs** (PEP 804 nix mapping)",
            "nixpkgs-name": "**nixpkgs** (package of the same name; not curated)"}[mapping.source]
    lines.append(head)
    for a in mapping.attrs:
        if not a.present:
            lines.append(f"- `{a.attr}` — not in the vendored nixpkgs data")
            continue
        lines.append(f"- [`{a.attr}`]({a.search_url}) {a.version}".rstrip())
        details = []
        if a.description:
            details.append(a.description)
        outs = []
        if a.lib_output:
            outs.append(f"libraries in `{a.lib_output}`")
        if a.header_output:
            outs.append(f"headers in `{a.header_output}`")
        if outs:
            details.append(", ".join(outs))
        if a.sonames:
            more = f" and {len(a.sonames) - 8} more" if len(a.sonames) > 8 else ""
            details.append("provides " + ", ".join(f"`{so}`" for so in a.sonames[:8]) + more)
        if a.license or a.homepage:
            details.append(" · ".join(x for x in (a.license, a.homepage) if x))
        lines += [f"    - {d}" for d in details]
    for a in mapping.runtime:
        provides = ", ".join(f"`{so}`" for so in a.sonames[:12]) + (" …" if len(a.sonames) > 12 else "")
        lines.append(f"- at run time (in `dependencies`): `{a.attr}`" + (f" — provides {provides}" if provides else ""))
    if mapping.build_tools:
        lines.append("- to build against it: " + ", ".join(f"`{t}`" for t in mapping.build_tools))
    if mapping.library_dirs:
        lines.append("- libraries in " + ", ".join(f"`{d}`" for d in mapping.library_dirs) + ", not `lib/`")
    # (why a row is curated the way it is stays in the data, docs/data.md: not for a hover)
    if mapping.install_attrs:
        lines += ["", f"`nix-shell -p {' '.join(mapping.install_attrs)}`"]
    if mapping.exotic:
        lines += ["", f"_{mapping.exotic}_"]
    return lines


def hover(doc: PyprojectDocument, offset: int, index: DataIndex) -> lsp.Hover | None:
    cursor = doc.cursor(offset)
    if not isinstance(cursor, CursorInString):
        return None
    string = cursor.string
    text = hover_markdown(depurl.parse_effective(string.value), index)
    if text is None:
        return None
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text),
        range=lsp_conversions.lsp_range(doc, string.content_start, string.content_end),
    )


def register(server) -> None:
    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def on_hover(ls, params: lsp.HoverParams):
        if not ls.settings.hover_enable:
            return None
        analysis = yield from ls.ready(params.text_document.uri)
        if analysis is None:
            return None
        return hover(analysis.doc, lsp_conversions.offset_of(analysis.doc, params.position), ls.index)

    del on_hover
