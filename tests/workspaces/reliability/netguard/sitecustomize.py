"""Loaded by any Python started with this folder on PYTHONPATH (tests/reliability/test_security.py):
records, then refuses, every attempt to open an Internet socket or resolve a name.
Unix sockets stay allowed: asyncio's event loop wakes itself through a socketpair."""

import os
import socket
import traceback

_LOG = os.environ.get("PEP725_NETGUARD_LOG")


def _record(what: str) -> None:
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as f:
            f.write(f"{what}\n{''.join(traceback.format_stack(limit=8))}\n")


class _GuardedSocket(socket.socket):
    def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
        if fileno is None and (family == -1 or family in (socket.AF_INET, socket.AF_INET6)):
            _record(f"socket(family={family}, type={type})")
            raise PermissionError("network access blocked by the pep725-ls test guard")
        super().__init__(family, type, proto, fileno)


def _blocked(name):
    def guard(*args, **kwargs):
        _record(f"{name}{args!r}")
        raise PermissionError(f"{name} blocked by the pep725-ls test guard")
    return guard


socket.socket = _GuardedSocket
socket.getaddrinfo = _blocked("getaddrinfo")
socket.gethostbyname = _blocked("gethostbyname")
socket.create_connection = _blocked("create_connection")
if _LOG:
    with open(_LOG + ".loaded", "w") as f:
        f.write(str(os.getpid()))
