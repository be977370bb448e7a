"""Browser-test fixtures: a live uvicorn server for the `app` fixture, and headless Chromium.

`app` (session scope) comes from tests/conftest.py: the real application on a real index.
Chromium is Debian's /usr/bin/chromium; when it is absent, every `browser` test is skipped.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(
        reason=f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)"
    )
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn in a background thread; yields the base URL."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail("the live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="session")
def _playwright() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(_playwright: Any) -> Iterator[Any]:
    """Headless Debian Chromium (never a Playwright-downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Chromium at {CHROMIUM}")
    browser = _playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class PageProblems:
    """JavaScript errors, CSP violations and native dialogs (alert/confirm) seen on a page."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.dialogs: list[str] = []


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


def _new_page(browser: Any, base_url: str, viewport: dict[str, int], problems: PageProblems) -> Any:
    context = browser.new_context(base_url=base_url, viewport=viewport, locale="nl-NL")
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.errors.append(f"pageerror: {exc}"))

    def on_console(msg: Any) -> None:
        text = msg.text
        if msg.type == "error" and "Failed to load resource" not in text:
            problems.errors.append(f"console: {text}")
        elif "Content Security Policy" in text or "Content-Security-Policy" in text:
            problems.errors.append(f"csp: {text}")

    def on_dialog(dialog: Any) -> None:
        problems.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("console", on_console)
    page.on("dialog", on_dialog)
    return page


@pytest.fixture
def page(browser: Any, live_server: str, page_problems: PageProblems) -> Iterator[Any]:
    """A fresh desktop-sized page on the live server; fails on JS errors or native dialogs."""
    page = _new_page(browser, live_server, DESKTOP, page_problems)
    yield page
    page.context.close()
    assert not page_problems.errors, page_problems.errors
    assert not page_problems.dialogs, page_problems.dialogs


@pytest.fixture
def phone_page(browser: Any, live_server: str, page_problems: PageProblems) -> Iterator[Any]:
    """A fresh page 375 px wide (a small phone)."""
    page = _new_page(browser, live_server, {"width": 375, "height": 800}, page_problems)
    yield page
    page.context.close()
    assert not page_problems.errors, page_problems.errors
    assert not page_problems.dialogs, page_problems.dialogs
