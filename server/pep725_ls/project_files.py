"""Which files pep725-ls serves, and the project folder of each."""

from __future__ import annotations

from pathlib import Path

from pygls.uris import to_fs_path


def is_pyproject(uri: str) -> bool:
    return uri.rsplit("/", 1)[-1] == "pyproject.toml"


def project_dir(uri: str) -> Path | None:
    """The folder of a file: URI; None for unsaved buffers and other schemes."""
    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return Path(path).parent if path else None
