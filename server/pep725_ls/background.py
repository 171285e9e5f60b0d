"""Work off the event loop in daemon threads, so a slow job never keeps the process alive.

``asyncio.to_thread`` runs jobs in the loop's default executor, whose threads the
interpreter joins at exit (and ``asyncio.run`` waits for them): one long virtualenv scan
kept the server running after the editor said ``exit``. A daemon thread per job ends with
the process; jobs also check ``cancelled`` to stop early.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


async def run_in_daemon_thread(job: Callable[[], T], name: str = "pep725-ls worker") -> T:
    """The result of ``job()``, run in a new daemon thread; the loop keeps serving meanwhile."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future = loop.create_future()

    def settle(ok: bool, value) -> None:
        if not future.done():  # the awaiting task may have been cancelled
            future.set_result(value) if ok else future.set_exception(value)

    def work() -> None:
        try:
            value, ok = job(), True
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting task
            value, ok = exc, False
        try:
            loop.call_soon_threadsafe(settle, ok, value)
        except RuntimeError:  # the loop is closed: the process is exiting, nobody waits
            pass

    threading.Thread(target=work, name=name, daemon=True).start()
    return await future
