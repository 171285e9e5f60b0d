"""background.run_in_daemon_thread: results and errors reach the caller, jobs never wait for
one another, idle threads are reused (at most MAX_IDLE of them) and hold nothing of their
last job."""

from __future__ import annotations

import asyncio
import gc
import threading
import weakref

import pytest

from pep725_ls.background import MAX_IDLE, run_in_daemon_thread


def test_the_result_and_the_error_reach_the_caller():
    async def main():
        assert await run_in_daemon_thread(lambda: 6 * 7) == 42

        def fail():
            raise ValueError("boom")

        with pytest.raises(ValueError, match="boom"):
            await run_in_daemon_thread(fail)

    asyncio.run(main())


def test_a_job_never_waits_for_a_running_one():
    release = threading.Event()

    async def main():
        blocked = asyncio.ensure_future(run_in_daemon_thread(lambda: release.wait(30)))
        await asyncio.sleep(0)
        # runs while the first job still blocks its thread
        assert await asyncio.wait_for(run_in_daemon_thread(lambda: "second"), 30) == "second"
        assert not blocked.done()
        release.set()
        assert await blocked is True

    asyncio.run(main())


def test_threads_are_daemons_and_an_idle_one_takes_the_next_job():
    async def main():
        first = await run_in_daemon_thread(threading.current_thread)
        assert first.daemon
        idle = set(threading.enumerate()) - {threading.current_thread()}
        assert first in idle  # waiting for the next job, not ended
        second = await run_in_daemon_thread(threading.current_thread, name="pep725-ls second job")
        assert second in idle  # no thread was started for it
        assert second.name == "pep725-ls second job"

    asyncio.run(main())


def test_at_most_max_idle_threads_stay():
    count = MAX_IDLE + 3
    release = threading.Event()
    started = threading.Barrier(count + 1)
    threads: list[threading.Thread] = []

    def job():
        threads.append(threading.current_thread())
        started.wait(30)
        release.wait(30)

    async def main():
        running = [asyncio.ensure_future(run_in_daemon_thread(job)) for _ in range(count)]
        await asyncio.sleep(0)
        await asyncio.to_thread(started.wait, 30)  # all of them at once: one thread each
        release.set()
        await asyncio.gather(*running)

    asyncio.run(main())
    assert len(set(threads)) == count
    for thread in threads:
        thread.join(0.05)
    deadline = threading.Event()
    for _ in range(200):  # the extra threads end after their job
        if sum(t.is_alive() for t in threads) <= MAX_IDLE:
            break
        deadline.wait(0.05)
    assert sum(t.is_alive() for t in threads) <= MAX_IDLE


def test_an_idle_thread_keeps_nothing_of_its_last_job():
    class Payload:
        pass

    payload = Payload()
    ref = weakref.ref(payload)

    async def main():
        job = (lambda p: (lambda: type(p).__name__))(payload)
        assert await run_in_daemon_thread(job) == "Payload"

    asyncio.run(main())
    del payload
    for _ in range(100):  # the thread lets go of the job once it has handed over the result
        gc.collect()
        if ref() is None:
            break
        threading.Event().wait(0.02)
    assert ref() is None
