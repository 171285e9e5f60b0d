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

    @property
    def default_severity(self) -> Severity:
        return CODES[self.code].severity
