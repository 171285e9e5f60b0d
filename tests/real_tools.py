"""Real tools from Debian for the tests that need them, installed on first use.

CI runs on a fresh machine as root: a test that needs ``nix-instantiate`` or ``nvim``
installs the Debian package itself. Where that is impossible (not root, no apt-get), the
caller skips with the reason returned here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import threading

_lock = threading.Lock()
_updated = False


def debian_tool(binary: str, package: str) -> tuple[str | None, str | None]:
    """(path of ``binary``, None) — installing ``package`` if needed — or (None, why not)."""
    found = shutil.which(binary)
    if found:
        return found, None
    why = _apt_install(package, f"{binary} is not on PATH")
    if why:
        return None, why
    found = shutil.which(binary)
    return (found, None) if found else (None, f"{package} installed but {binary} is not on PATH")


def debian_file(path: str, package: str) -> str | None:
    """None once ``path`` exists — installing ``package`` if needed — else why not."""
    if os.path.exists(path):
        return None
    why = _apt_install(package, f"{path} does not exist")
    if why:
        return why
    return None if os.path.exists(path) else f"{package} installed but {path} does not exist"


def _apt_install(package: str, reason: str) -> str | None:
    global _updated
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        return f"{reason} and {package} cannot be installed here (not root, or no apt-get)"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    with _lock:
        try:
            if not _updated:
                subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True, env=env, timeout=600)
                _updated = True
            subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", package],
                           check=True, capture_output=True, env=env, timeout=900)
        except (subprocess.SubprocessError, OSError) as exc:
            return f"apt-get install {package} failed: {exc}"
    return None
