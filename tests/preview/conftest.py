"""Fixtures of the preview's browser tests: the demo on a free port and the system Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cardin.preview.launch import CHROMIUM, CHROMIUM_ARGS, running_demo


@pytest.fixture
def browser() -> Iterator[Any]:
    """Headless system Chromium (Playwright's own browser download does not work here).

    Started per test: the sync API keeps its event loop running while it is open, which would
    break the asyncio tests that run after it in the same process.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"no {CHROMIUM}: install it with `apt-get install -y chromium`")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=list(CHROMIUM_ARGS)
        )
        yield chromium
        chromium.close()


@pytest.fixture
def demo_url(browser: Any, tmp_path: Path) -> Iterator[str]:
    """The demo served on a free loopback port with its own data folder."""
    with running_demo(tmp_path) as url:
        yield url


@pytest.fixture
def page(browser: Any, demo_url: str) -> Iterator[Any]:
    """A fresh tab (its own cookies, so its own side panel) on the demo's inbox."""
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.goto(demo_url + "/")
    yield tab
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
