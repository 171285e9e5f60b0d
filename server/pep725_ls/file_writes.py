"""Every file pep725-ls writes into a project goes through ``write_project_file``.

A cloned repository is hostile input: it can commit a symlink where we would write a
temporary file (``.pyproject.toml.pep725-ls.tmp -> ~/.bashrc``) or make ``pyproject.toml``
itself a link to a file outside the project. So:

- the temporary file is a new, exclusively created file with a random name in the target's
  folder (``O_CREAT | O_EXCL``: an existing name or link is never opened);
- a target that is a symlink is written *through* (the real file is replaced, the link
  stays) only when the real file is inside the project; otherwise the write is refused;
- the replaced file keeps its mode, owner and group; a new file gets the umask's mode.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class RefusedWrite(OSError):
    """The write would leave the project or replace something that is not a file."""


def project_root(path: Path) -> Path:
    """The top of the git work tree holding ``path`` (its folder when there is none).

    Symlinks are not followed: the root is where the link stands, not where it points.
    """
    folder = Path(os.path.abspath(path)).parent
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return folder


def real_target(path: Path, root: Path | None = None) -> Path:
    """Where a write to ``path`` lands: ``path`` itself, or the file its links lead to.

    Raises ``RefusedWrite`` when the links lead outside ``root`` (default: the project root)
    or to something other than a regular file.
    """
    path = Path(os.path.abspath(path))
    root = Path(os.path.realpath(root if root is not None else project_root(path)))
    target = Path(os.path.realpath(path))
    if os.path.islink(path) and not target.is_relative_to(root):
        raise RefusedWrite(f"{path} is a link to {target}, outside the project {root}; not writing through it")
    if os.path.lexists(target) and not stat.S_ISREG(os.stat(target).st_mode):
        raise RefusedWrite(f"{target} is not a regular file; not replacing it")
    return target


def _umask() -> int:
    try:  # Linux: read it without the process-wide os.umask() round trip other threads could see
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o22)
    os.umask(mask)
    return mask


def replace_atomically(path: Path, data: bytes, mode: int | None = None, owner: tuple[int, int] | None = None) -> None:
    """Replace ``path`` (a file, not a link: see ``real_target``) with ``data``: readers see
    the old or the new content, never a mix; on any error nothing is left behind. The
    temporary file is new and exclusive (``mkstemp``: O_CREAT | O_EXCL, a random name), so a
    planted file or link at a predictable name is never opened. The one atomic writer:
    project files and the caches (code cache, nixpkgs metadata) all go through it."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".pep725-ls.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fchmod(out.fileno(), mode if mode is not None else 0o666 & ~_umask())
            if owner is not None:
                try:
                    os.fchown(out.fileno(), *owner)
                except PermissionError:
                    # Not ours to give away (a file owned by someone else, or a group we are
                    # not in): keep what we can rather than refuse the write.
                    try:
                        os.fchown(out.fileno(), -1, owner[1])
                    except PermissionError:
                        pass
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def write_project_file(path: Path, data: bytes, root: Path | None = None) -> Path:
    """Replace ``path`` with ``data`` atomically and safely; return the file written.

    Raises ``RefusedWrite`` or another ``OSError``; on any error the target is untouched and
    no temporary file is left.
    """
    target = real_target(path, root)
    try:
        old = os.stat(target)
    except FileNotFoundError:
        replace_atomically(target, data)
    else:
        replace_atomically(target, data, stat.S_IMODE(old.st_mode), (old.st_uid, old.st_gid))
    return target
