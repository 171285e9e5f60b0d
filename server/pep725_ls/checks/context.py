"""What checks may know beyond the file's text: its folder and the virtualenv scan."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..venv_scan import VenvScan


@dataclass(frozen=True, slots=True)
class CheckContext:
    """``project_dir`` is the folder of the pyproject.toml (None for unsaved text);
    ``venv`` the result of the last virtualenv scan, if one ran; ``install`` how the user
    installs their Python dependencies ("wheels" or "source", the
    ``missingDependencies.install`` setting)."""

    project_dir: Path | None = None
    venv: VenvScan | None = None
    install: str = "wheels"
