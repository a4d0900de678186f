"""`watching`: await one call while others run beside it, failing at once when one of them fails."""

from __future__ import annotations

import asyncio
import gc

import pytest

from cardin.lookup.tasks import watching


async def _after(seconds: float, value: object = None, error: Exception | None = None) -> object:
    await asyncio.sleep(seconds)
    if error is not None:
        raise error
    return value


async def test_the_main_call_s_result_and_a_watched_call_left_running() -> None:
    beside = asyncio.ensure_future(_after(10.0, "later"))
    assert await watching(_after(0.0, "main"), beside) == "main"
    assert not beside.done()
    beside.cancel()


async def test_a_watched_call_failed_before_the_watch_began_is_raised() -> None:
    beside = asyncio.ensure_future(_after(0.0, error=PermissionError("refused")))
    await asyncio.sleep(0.01)
    assert beside.done()
    with pytest.raises(PermissionError):
        await asyncio.wait_for(watching(_after(10.0), beside), 2.0)


async def test_every_watched_failure_is_retrieved() -> None:
    loop = asyncio.get_running_loop()
    reported: list[object] = []
    loop.set_exception_handler(lambda _, context: reported.append(context))
    first = asyncio.ensure_future(_after(0.0, error=PermissionError("one")))
    second = asyncio.ensure_future(_after(0.0, error=PermissionError("two")))
    with pytest.raises(PermissionError):
        await watching(_after(10.0), first, second)
    del first, second
    gc.collect()
    await asyncio.sleep(0)
    assert reported == []


async def test_a_watched_call_that_succeeds_first_changes_nothing() -> None:
    beside = asyncio.ensure_future(_after(0.0, "first"))
    assert await watching(_after(0.02, "main"), beside) == "main"


async def test_a_watched_failure_cancels_the_main_call_and_is_raised() -> None:
    main = asyncio.ensure_future(_after(10.0, "never"))
    beside = asyncio.ensure_future(_after(0.0, error=PermissionError("refused")))
    with pytest.raises(PermissionError, match="refused"):
        await asyncio.wait_for(watching(main, beside), 2.0)
    assert main.cancelled()


async def test_the_main_call_s_failure_is_raised() -> None:
    beside = asyncio.ensure_future(_after(10.0))
    with pytest.raises(LookupError):
        await watching(_after(0.0, error=LookupError("main")), beside)
    beside.cancel()


async def test_cancelling_the_watch_cancels_the_main_call() -> None:
    main = asyncio.ensure_future(_after(10.0))
    watch = asyncio.ensure_future(watching(main))
    await asyncio.sleep(0.01)
    watch.cancel()
    with pytest.raises(asyncio.CancelledError):
        await watch
    assert main.cancelled()
