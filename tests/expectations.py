"""Fixture files say what they expect: ``# expect: <code> <flagged text>`` lines."""

from __future__ import annotations

import re
from pathlib import Path

_EXPECT = re.compile(r"^# expect: (\S+) (.+)$", re.M)


def expected_findings(path: Path) -> list[tuple[str, str]]:
    return sorted(_EXPECT.findall(path.read_text("utf-8")))
