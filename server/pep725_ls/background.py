"""Work off the event loop in daemon threads, so a slow job never keeps the process alive.

``asyncio.to_thread`` runs jobs in the loop's default executor, whose threads the
interpreter joins at exit (and ``asyncio.run`` waits for them): one long virtualenv scan
kept the server running after the editor said ``exit``. Jobs run in daemon threads, which
end with the process; jobs also check ``cancelled`` to stop early.

A finished thread waits for the next job instead of ending (up to ``MAX_IDLE`` of them):
starting a thread took 1.5-3.5 ms on the 2-core machine (``threading.Thread.start`` to the
job's first line), a third of the time to diagnostics after a keystroke at 30,000 lines,
where waking an idle one takes ~0.03 ms. A job never waits for another: with no idle
thread, a new one starts.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

MAX_IDLE = 2  # threads kept waiting for work; more than that end after their job


class _DaemonThreads:
    """Daemon threads that run one job each at a time and, idle, wait for the next one.

    Invariant: ``_idle`` counts the threads that will take a job from ``_jobs`` (each
    increments it under the lock, then waits there), and ``submit`` puts a job there only
    after taking one of them off the count; so every job put there has a thread for it,
    and a job never queues behind another. A thread counts itself idle before it hands
    over its result, so a caller that awaits one job and then submits the next finds it.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0

    def submit(self, job: Callable[[], T], deliver: Callable[[bool, object], None], name: str) -> None:
        """Run ``job()`` in a daemon thread, then ``deliver(True, result)`` or ``deliver(False,
        exception)`` there."""
        with self._lock:
            if self._idle:
                self._idle -= 1
                self._jobs.put((job, deliver, name))
                return
        threading.Thread(target=self._serve, args=(job, deliver), name=name, daemon=True).start()

    def _serve(self, job, deliver) -> None:
        while True:
            try:
                value, ok = job(), True
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                value, ok = exc, False
            with self._lock:
                stay = self._idle < MAX_IDLE
                if stay:
                    self._idle += 1
            deliver(ok, value)
            job = deliver = value = None  # an idle thread holds nothing of its last job
            if not stay:
                return
            job, deliver, name = self._jobs.get()
            threading.current_thread().name = name


_threads = _DaemonThreads()


async def run_in_daemon_thread(job: Callable[[], T], name: str = "pep725-ls worker") -> T:
    """The result of ``job()``, run in a daemon thread; the loop keeps serving meanwhile."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future = loop.create_future()

    def settle(ok: bool, value) -> None:
        if not future.done():  # the awaiting task may have been cancelled
            future.set_result(value) if ok else future.set_exception(value)

    def deliver(ok: bool, value) -> None:
        try:
            loop.call_soon_threadsafe(settle, ok, value)
        except RuntimeError:  # the loop is closed: the process is exiting, nobody waits
            pass

    _threads.submit(job, deliver, name)
    return await future
