"""The stdio transport: reading JSON-RPC frames from stdin without a thread hop per line.

pygls reads stdin through its thread pool: each header line and each body is one
``run_in_executor`` round trip (a thread wakes, reads, hands the bytes back to the event
loop). That is three round trips per message, ~1 ms of every request's time on a busy
2-core machine. When stdin is a pipe, a socket or a terminal (as when an editor starts the
server) it is read by the event loop itself (``connect_read_pipe``); anything else (a
regular file) goes through pygls's reader. pygls's own message loop (``pygls.io_.run_async``)
parses the frames either way.

Both readers refuse absurd frames (``MAX_MESSAGE_BYTES``): a Content-Length past what an
index holds killed the server, and a huge one would allocate it all. Such a body is read as
one blank byte: pygls logs invalid JSON and finds the next header.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import sys
from typing import BinaryIO

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 256 * 1024 * 1024
MAX_HEADER_LINE = 1024 * 1024  # a longer header line is dropped, not kept in memory


def _refuse(n: int) -> bytes:
    print(f"pep725-ls: refusing a {n}-byte message", file=sys.stderr)
    return b" "


class BoundedStdin:
    """stdin as pygls's thread-pool reader reads it, refusing absurd frames."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream

    def readline(self) -> bytes:
        return self.stream.readline()

    def read(self, n: int) -> bytes:
        if n > MAX_MESSAGE_BYTES:
            return _refuse(n)
        return self.stream.read(n)


def _event_loop_can_poll(stdin: BinaryIO) -> bool:
    """Whether epoll accepts ``stdin``: pipes, sockets and terminals, not /dev/null.

    epoll refuses other character devices (``pep725-ls </dev/null``) with EPERM, but only
    later, inside the event loop's callback: ``connect_read_pipe`` itself succeeds, the error
    is printed as a traceback, and the server waits forever for input that never comes.
    """
    try:
        fd = stdin.fileno()
        mode = os.fstat(fd).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or (stat.S_ISCHR(mode) and os.isatty(fd))


class PipeReader:
    """pygls's AsyncReader interface over an asyncio stream of stdin."""

    def __init__(self, stream: asyncio.StreamReader) -> None:
        self.stream = stream

    @classmethod
    async def open(cls, stdin: BinaryIO) -> PipeReader | None:
        """A reader on ``stdin`` served by the event loop, or None where it cannot be."""
        if not _event_loop_can_poll(stdin):
            return None
        loop = asyncio.get_running_loop()
        stream = asyncio.StreamReader(limit=MAX_HEADER_LINE, loop=loop)
        try:
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream, loop=loop), stdin)
        except Exception as exc:  # a regular file (ValueError), an event loop without pipes (Windows)...
            log.debug("stdin is read through threads: %r", exc)
            return None
        return cls(stream)

    async def readline(self) -> bytes:
        try:
            return await self.stream.readline()
        except ValueError:  # past MAX_HEADER_LINE: asyncio has dropped it; not a header we know
            return b"X-Dropped: header line too long\r\n"

    async def readexactly(self, n: int) -> bytes:
        if n > MAX_MESSAGE_BYTES:
            return _refuse(n)
        try:
            return await self.stream.readexactly(n)
        except asyncio.IncompleteReadError:  # the client went away mid-message: nothing more to read
            return b""
