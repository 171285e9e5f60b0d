"""What a check reports: a code, a message, a span of the document and its fixes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..codes import CODES, Severity
from ..edits import Fix


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message: str
    start: int
    end: int
    fixes: tuple[Fix, ...] = ()
    data: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A message is one line whatever the user's string holds (a pasted newline would
        # break the CLI's text output and a client's problem list): escape control characters.
        if not self.message.isprintable():
            shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in self.message)
            object.__setattr__(self, "message", shown)

    @property
    def default_severity(self) -> Severity:
        return CODES[self.code].severity
