"""Refresh nixpkgs metadata from the user's own nixpkgs, in the background, with a disk cache.

When the setting ``pep725.nix.source`` is ``nix-env`` (or ``nix-search``) and ``nix-env``
(``nix``) is on PATH, pep725-ls asks the user's nixpkgs for version, description, licence,
homepage and outputs of the attributes its mapping uses, and overlays them on the
vendored data (DataIndex.set_live_metadata). The query:

- evaluates only nixpkgs (``<nixpkgs>``, or the path in $PEP725_LS_NIXPKGS) through an
  expression of ours, never a file of the workspace; ``--option substitute false`` /
  ``--offline``: no network;
- runs in a worker thread, in its own process group, killed at ``pep725.nix.timeout``;
- is cached as JSON under the user cache dir (platformdirs), written atomically; a corrupt
  cache is logged, removed and rebuilt; a fresh cache (< 24 h, same source) skips nix;
- is reported with ``$/progress``; a failure or time-out falls back to vendored data with
  a log line and a window/showMessage.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .quoting import nix_string
from .file_writes import replace_atomically
from .stale_temporaries import remove_stale_temporaries

log = logging.getLogger(__name__)

CACHE_VERSION = 1
CACHE_TTL = 24 * 3600
NIXPKGS_ENV = "PEP725_LS_NIXPKGS"  # a nixpkgs path or <nixpkgs> (default)


@dataclass
class LiveResult:
    """What one refresh produced: attr -> metadata, and how it went, in words."""

    ok: bool
    meta: dict[str, dict] = field(default_factory=dict)
    message: str = ""
    source: str = ""
    from_cache: bool = False


def cache_path() -> Path:
    from platformdirs import user_cache_path

    return user_cache_path("pep725-ls", appauthor=False) / "nixpkgs-meta.json"


def nixpkgs_expr() -> str:
    return os.environ.get(NIXPKGS_ENV) or "<nixpkgs>"


# -- cache ------------------------------------------------------------------------------
def read_cache(path: Path, source: str, now: float | None = None) -> dict[str, dict] | None:
    """The cached metadata if it is valid, fresh and from ``source``; a corrupt file is removed."""
    try:
        raw = path.read_bytes().decode("utf-8", "replace")  # not UTF-8: corrupt, below
    except FileNotFoundError:
        return None
    except OSError as exc:
        log.warning("nixpkgs cache %s unreadable: %s", path, exc)
        return None
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            raise ValueError("unknown cache format")
        meta = data["attrs"]
        if not isinstance(meta, dict) or not all(isinstance(v, dict) for v in meta.values()):
            raise ValueError("attrs is not a table of tables")
        created = float(data["created"])
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("nixpkgs cache %s is corrupt (%s); rebuilding it", path, exc)
        try:
            path.unlink()
        except OSError:
            pass
        return None
    now = time.time() if now is None else now
    if data.get("source") != source or not 0 <= now - created < CACHE_TTL:
        return None
    return meta


def write_cache(path: Path, source: str, meta: dict[str, dict]) -> None:
    """Write atomically: a temporary file in the same folder, then rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path.parent, f".{path.name}.")  # left by a process killed mid-write
    payload = json.dumps({"version": CACHE_VERSION, "created": time.time(), "source": source, "attrs": meta})
    replace_atomically(path, payload.encode("utf-8"))


# -- running nix ----------------------------------------------------------------------------
class NixTimeout(Exception):
    pass


class NixFailed(Exception):
    pass


def _run(argv: list[str], timeout: float) -> str:
    """Run ``argv`` in its own process group; kill the whole group at ``timeout``."""
    env = dict(os.environ)
    with tempfile.TemporaryDirectory(prefix="pep725-nix-") as cwd:  # never the workspace
        proc = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            cwd=cwd, env=env, start_new_session=True, text=True,
        )
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise NixTimeout(f"{argv[0]} did not answer within {timeout:g} s") from None
    if proc.returncode != 0:
        raise NixFailed(err.strip()[-2000:] or f"{argv[0]} exited with {proc.returncode}")
    return out


def _kill_group(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        proc.kill()
    try:
        proc.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def parse_nix_env_json(text: str) -> dict[str, dict]:
    """``nix-env -qaP --json --meta`` output -> attr -> {version, description, license, homepage, outputs}."""
    data = json.loads(text)
    out: dict[str, dict] = {}
    for attr, info in data.items():
        if not isinstance(info, dict):
            continue
        meta = info.get("meta") or {}
        row = {
            "version": info.get("version") or _version_from_name(info.get("name", ""), info.get("pname", "")),
            "description": meta.get("description") or "",
            "license": _license(meta.get("license")),
            "homepage": _first(meta.get("homepage")),
            "outputs": _outputs(info),
        }
        out[attr] = {k: v for k, v in row.items() if v}
    return out


def parse_nix_search_json(text: str) -> dict[str, dict]:
    """``nix search --json`` output (keys like legacyPackages.<system>.<attr>)."""
    data = json.loads(text)
    out: dict[str, dict] = {}
    for key, info in data.items():
        if not isinstance(info, dict):
            continue
        attr = re.sub(r"^(legacyPackages|packages)\.[^.]+\.", "", key)
        row = {"version": info.get("version", ""), "description": info.get("description", "")}
        out[attr] = {k: v for k, v in row.items() if v}
    return out


def _version_from_name(name: str, pname: str) -> str:
    if pname and name.startswith(pname + "-"):
        return name[len(pname) + 1 :]
    m = re.search(r"-(\d[^-]*)$", name)
    return m.group(1) if m else ""


def _license(value) -> str:
    if isinstance(value, list):
        return ", ".join(filter(None, (_license(v) for v in value)))
    if isinstance(value, dict):
        return str(value.get("spdxId") or value.get("shortName") or value.get("fullName") or "")
    return str(value) if value else ""


def _first(value) -> str:
    if isinstance(value, list):
        return str(value[0]) if value else ""
    return str(value) if value else ""


def _outputs(info: dict) -> list[str]:
    outputs = info.get("outputs")
    if isinstance(outputs, dict):
        names = list(outputs)
    elif isinstance(outputs, list):
        names = [str(o) for o in outputs]
    else:
        names = []
    if "out" in names:  # nixpkgs' convention: out first
        names.remove("out")
        names.insert(0, "out")
    return names


_SAFE_ATTR = re.compile(r"[A-Za-z_][A-Za-z0-9_'+-]*(\.[A-Za-z_][A-Za-z0-9_'+-]*)*")

# Our own expression (written to a temporary folder, never read from the workspace): pick
# the wanted attributes out of nixpkgs, skipping missing or throwing ones (removed aliases
# throw), so one nix-env run answers for all of them.
_PICK_EXPR = """
let
  pkgs = import {nixpkgs} {{ config = {{ allowUnfree = false; }}; overlays = [ ]; }};
  getPath = set: parts:
    if parts == [ ] then set
    else if builtins.isAttrs set && builtins.hasAttr (builtins.head parts) set
    then getPath set.${{builtins.head parts}} (builtins.tail parts)
    else null;
  isDrv = v: builtins.isAttrs v && (v.type or null) == "derivation";
  pick = name:
    let r = builtins.tryEval (
      let v = getPath pkgs (builtins.filter builtins.isString (builtins.split "[.]" name));
      in if isDrv v then v else null);
    in if r.success then r.value else null;
  names = builtins.fromJSON {names};
in
builtins.listToAttrs (builtins.filter (x: x.value != null) (map (n: {{ name = n; value = pick n; }}) names))
"""


def pick_expression(attrs: list[str], expr: str) -> str:
    """The Nix expression that selects ``attrs`` from the nixpkgs at ``expr``."""
    nixpkgs = expr if re.fullmatch(r"<[A-Za-z0-9_.+/-]+>", expr) else f"(/. + {nix_string(os.path.abspath(expr))})"
    names = [a for a in attrs if _SAFE_ATTR.fullmatch(a)]
    return _PICK_EXPR.format(nixpkgs=nixpkgs, names=nix_string(json.dumps(names)))


def query_nix_env(attrs: list[str], timeout: float, nix_env: str = "nix-env", expr: str | None = None) -> dict[str, dict]:
    """Metadata for ``attrs`` from one ``nix-env -f <picker> -qaP --json --meta`` run."""
    with tempfile.TemporaryDirectory(prefix="pep725-pick-") as d:
        picker = Path(d) / "pick.nix"
        picker.write_text(pick_expression(attrs, expr or nixpkgs_expr()), "utf-8")
        argv = [nix_env, "-f", str(picker), "-qaP", "--json", "--meta", "--option", "substitute", "false"]
        return parse_nix_env_json(_run(argv, timeout))


def query_nix_search(attrs: list[str], timeout: float, nix: str = "nix", expr: str | None = None) -> dict[str, dict]:
    """Metadata from ``nix search --offline --json --file <picker>`` (nix-command)."""
    with tempfile.TemporaryDirectory(prefix="pep725-pick-") as d:
        picker = Path(d) / "pick.nix"
        picker.write_text(pick_expression(attrs, expr or nixpkgs_expr()), "utf-8")
        argv = [nix, "--extra-experimental-features", "nix-command", "search", "--offline", "--json",
                "--option", "substitute", "false", "--file", str(picker), "", "^"]
        return parse_nix_search_json(_run(argv, timeout))


def refresh(attrs: list[str], source: str, timeout: float, cache: Path | None = None, use_cache: bool = True) -> LiveResult:
    """Blocking: metadata for ``attrs`` from the cache or from nix. Never raises."""
    tool = "nix" if source == "nix-search" else "nix-env"
    exe = shutil.which(tool)
    cache = cache or cache_path()
    key = f"{source}:{nixpkgs_expr()}"
    if use_cache:
        cached = read_cache(cache, key)
        if cached is not None:
            return LiveResult(True, cached, f"nixpkgs metadata from cache ({len(cached)} attributes)", key, True)
    if exe is None:
        return LiveResult(False, message=f"{tool} is not on PATH; using the vendored nixpkgs data", source=key)
    try:
        if source == "nix-search":
            meta = query_nix_search(attrs, timeout, exe)
        else:
            meta = query_nix_env(attrs, timeout, exe)
    except NixTimeout as exc:
        return LiveResult(False, message=f"{exc}; using the vendored nixpkgs data", source=key)
    except (TypeError, AttributeError, KeyError) as exc:  # valid JSON of the wrong shape
        return LiveResult(False, message=f"{tool} answered JSON of an unexpected shape ({exc}); using the vendored nixpkgs data", source=key)
    except (NixFailed, OSError, ValueError) as exc:
        first = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        return LiveResult(False, message=f"{tool} failed ({first}); using the vendored nixpkgs data", source=key)
    try:
        write_cache(cache, key, meta)
    except OSError as exc:
        log.warning("cannot write nixpkgs cache %s: %s", cache, exc)
    return LiveResult(True, meta, f"nixpkgs metadata refreshed from {tool} ({len(meta)} attributes)", key)


def wanted_attrs(index) -> list[str]:
    """The user-facing attributes of the curated mapping: what hover and checks show."""
    out: dict[str, None] = {}
    for depurl_id in index.curated_ids():
        mapping = index.nixpkgs(depurl_id)
        for a in mapping.attrs if mapping else ():
            out.setdefault(a.attr)
    return list(out)


# -- the LSP side ----------------------------------------------------------------------------
async def start_background_refresh(ls) -> asyncio.Task | None:
    """Called from ``initialized``: schedule a refresh and return at once."""
    source = getattr(ls.settings, "nix_source", "vendored")
    if source == "vendored":
        return None
    task = asyncio.ensure_future(_refresh_task(ls, source, ls.settings.nix_timeout))
    ls.nix_refresh_task = task  # keep a reference (and let tests await it)
    return task


async def _refresh_task(ls, source: str, timeout: float) -> None:
    from lsprotocol import types as lsp

    token = None
    caps = ls.client_capabilities.window
    if caps and caps.work_done_progress:
        token = f"pep725-nix-{os.getpid()}-{int(time.time() * 1000)}"
        try:
            await asyncio.wait_for(ls.work_done_progress.create_async(token), 5)
            ls.work_done_progress.begin(token, lsp.WorkDoneProgressBegin(
                title="pep725-ls: nixpkgs metadata", message=f"asking {source}…", cancellable=False, percentage=0))
        except Exception as exc:  # a client that refuses progress still gets the refresh
            log.debug("no $/progress: %s", exc)
            token = None
    try:
        attrs = wanted_attrs(ls.index)
        if token:
            ls.work_done_progress.report(token, lsp.WorkDoneProgressReport(message=f"{len(attrs)} attributes", percentage=10))
        result = await asyncio.to_thread(refresh, attrs, source, timeout)
    except Exception as exc:  # never let the refresh take the server down
        log.exception("nixpkgs refresh failed")
        result = LiveResult(False, message=f"nixpkgs refresh failed: {exc}; using the vendored nixpkgs data")
    if result.ok:
        ls.index.set_live_metadata(result.meta, result.source)
        log.info("%s", result.message)
        ls.learned("nixpkgs metadata from " + result.source)  # was: re-published stale analyses
    else:
        log.warning("%s", result.message)
        ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Warning, message=f"pep725-ls: {result.message}"))
    if token:
        ls.work_done_progress.end(token, lsp.WorkDoneProgressEnd(message=result.message))
