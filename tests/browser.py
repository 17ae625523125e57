"""Browser tests' shared parts: Debian's Chromium under Playwright, parties served on loopback, axe-core.

* one Chromium per test module (``chromium`` fixture: Playwright's sync API keeps its event loop marked
  as running in the thread while it is started, which the anyio tests of other modules cannot share),
  launched from ``/usr/bin/chromium`` with the no-background-networking flags; Playwright's own
  browser download is never used;
* without Chromium the browser tests skip — except under CI (``CI=true``), where a missing browser is
  a failure (``.ci/run`` installs it);
* ``served(make)`` runs the ASGI app ``make(base_url)`` builds with uvicorn in a thread on a free
  loopback port: the socket listens before the thread starts, so a request made at once waits in the
  backlog (no polling);
* ``assert_accessible(page)`` runs axe-core (shipped by the axe-playwright-python package) and fails on
  any serious or critical violation.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]  # fmt: skip


def need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{CHROMIUM} is missing under CI: .ci/run installs it (apt-get install -y chromium)")
    pytest.skip(f"browser test skipped: {CHROMIUM} is not installed (apt-get install -y chromium)")


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(locale="nb-NO", accept_downloads=True)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


class _Server:
    def __init__(self, make: Callable[[str], Any]) -> None:
        import uvicorn

        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        config = uvicorn.Config(make(self.url), log_config=None, access_log=False, lifespan="on", log_level="warning")
        self.server = uvicorn.Server(config)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            await self.server.serve(sockets=[self.sock])

        asyncio.run(main())

    def call(self, coroutine: Any, timeout: float = 30) -> Any:
        """Run ``coroutine`` on the server's loop (where the app's engines live) and return its result."""
        assert self.loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


@contextlib.contextmanager
def served(make: Callable[[str], Any]) -> Iterator[_Server]:
    """``make(base_url)``'s app served on a free loopback port until the block ends."""
    server = _Server(make)
    server.thread.start()
    try:
        yield server
    finally:
        server.server.should_exit = True
        server.thread.join(timeout=15)
        server.sock.close()


def assert_accessible(page: Any) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    assert not serious, f"{page.url}: " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}" for v in serious
    )


__all__ = ["ARGS", "CHROMIUM", "assert_accessible", "chromium", "need_chromium", "page", "served"]
