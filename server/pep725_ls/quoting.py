"""How text from a pyproject.toml is written into generated shell commands and Nix files.

That text is hostile input: a specifier like ``"x\\ntouch PWNED"`` must stay text when the
output is piped to ``sh`` or evaluated by Nix. Every generator uses these functions:
words are quoted, comments are flattened to one line of visible characters.
"""

from __future__ import annotations

import re
import shlex
import unicodedata

_SAFE_WORD = re.compile(r"[A-Za-z0-9_@%+=:,./#-]+")
_NIX_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_'-]*")
_NIX_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Characters that end a line, move the cursor or hide text in a terminal or an editor.
_INVISIBLE = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"))


def shell_word(word: str) -> str:
    """``word`` as one POSIX shell word: as it is when that is safe, else single-quoted."""
    return word if _SAFE_WORD.fullmatch(word) and not word.startswith("#") else shlex.quote(word)


def comment_text(text: str) -> str:
    """``text`` on one line of visible characters, for a ``#`` comment in shell or Nix.

    Line breaks, escape sequences and other invisible characters become ``\\n``, ``\\x1b``,
    ``\\u2028``…, so a comment can never end early nor rewrite the terminal.
    """
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if unicodedata.category(ch) in _INVISIBLE:
            code = ord(ch)
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch)
                       or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"))
        else:
            out.append(ch)
    return "".join(out)


def nix_string(text: str) -> str:
    """A Nix string literal of ``text``: quotes, backslashes, ``${`` and line breaks escaped."""
    escaped = "".join(_NIX_ESCAPES.get(ch, ch) for ch in text)
    return '"' + escaped.replace("${", "\\${") + '"'


def nix_attr_path(attr: str, root: str = "pkgs") -> str:
    """``pkgs.xorg.libxcb`` (``xorg.libxcb`` with ``root=""``, inside ``with pkgs;``);
    segments that are not plain identifiers are quoted."""
    parts = [p if _NIX_IDENTIFIER.fullmatch(p) else nix_string(p) for p in attr.split(".")]
    return ".".join([root, *parts]) if root else ".".join(parts)
