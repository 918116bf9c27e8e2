"""Real-browser harness: one `streamlit run app.py` server and one headless Debian Chromium
per test session, a fresh browser context per test, screenshots under artifacts/.

A browser test never skips: if Chromium or the server cannot start, the test fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from browser_launch import CHROMIUM, CHROMIUM_ARGS, free_port
from playwright.sync_api import Browser, Error, Page, expect, sync_playwright

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
SERVER_START_S = 60.0
# First page loads import torch inside the script run, so allow generous waits.
WAIT_MS = 30_000
WIDE = {"width": 1400, "height": 1000}

# Console errors that are Streamlit's own harmless noise. On a deep link (/playground) the
# frontend first probes /playground/_stcore/{health,host-config}, gets a 404, then falls
# back to the server root; Chromium logs each 404 as a console error.
HARMLESS_CONSOLE = [
    re.compile(r"/_stcore/(health|host-config)$"),
]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().decode().strip() == "ok"
    except (urllib.error.URLError, OSError):
        return False


def _stop(proc: subprocess.Popen) -> None:
    """Terminate the server's whole process group, then kill it if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="session")
def app_url(tiny_hub_cache: Path) -> Iterator[str]:
    """Base URL of a real `streamlit run app.py` started from the repo root. Its Hugging
    Face cache is a temporary one holding only the tiny test BERT, and it never goes online."""
    ARTIFACTS.mkdir(exist_ok=True)
    for stale in ARTIFACTS.glob("failed-*.png"):
        stale.unlink()
    port = free_port()
    url = f"http://localhost:{port}"
    log_path = ARTIFACTS / "streamlit-server.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "HF_HUB_CACHE": str(tiny_hub_cache),
           "HF_HUB_OFFLINE": "1"}  # fmt: skip
    env.pop("DLVIZ_ALLOW_DOWNLOADS", None)
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    yield from serve(cmd, env, url, log_path, SERVER_START_S, "streamlit server")


def serve(cmd: list[str], env: dict[str, str], url: str, log_path: Path, start_s: float,
          name: str) -> Iterator[str]:  # fmt: skip
    """Run `cmd` from the repo root (its output in `log_path`, its own process group) until
    `url`/_stcore/health says ok, yield `url`, then stop the whole group. Fails the test, with
    the log's tail, if it exits or is not healthy within `start_s` seconds."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + start_s
        while not _healthy(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                why = f"exited with {proc.returncode}" if proc.poll() is not None else "timed out"
                _stop(proc)
                out = log_path.read_text(errors="replace")[-6000:]
                pytest.fail(f"{name} {why} before /_stcore/health said ok:\n{out}")
            time.sleep(0.25)  # polling a subprocess, not waiting in a browser
        yield url
    finally:
        _stop(proc)


@pytest.fixture(scope="session")
def dlviz_browser() -> Iterator[Browser]:
    """Headless Debian Chromium, launched by explicit path (Playwright cannot download one)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's chromium "
            "(apt-get install -y chromium). They never skip."
        )
    with sync_playwright() as pw:
        try:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=60_000
            )
        except Error as exc:
            pytest.fail(f"could not launch {CHROMIUM}: {exc}")
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    """Keep each phase's report on the item (for failure screenshots); under
    DLVIZ_REQUIRE_BROWSER=1 (CI) a skipped browser test counts as a failure."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    if os.environ.get("DLVIZ_REQUIRE_BROWSER") == "1" and report.skipped:
        report.outcome = "failed"
        report.longrepr = f"browser test skipped under DLVIZ_REQUIRE_BROWSER=1: {report.longrepr}"
    return report


class PageErrors:
    """Console errors and uncaught page exceptions seen by one page."""

    def __init__(self, page: Page) -> None:
        self.console: list[str] = []
        self.uncaught: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.uncaught.append(str(exc)))

    def _on_console(self, msg) -> None:  # playwright ConsoleMessage
        if msg.type != "error":
            return
        where = msg.location.get("url", "") if msg.location else ""
        if any(p.search(where) for p in HARMLESS_CONSOLE):
            return
        self.console.append(f"{msg.text} @ {where}")

    def all(self) -> list[str]:
        return self.console + [f"uncaught: {e}" for e in self.uncaught]


@pytest.fixture
def new_page(
    dlviz_browser: Browser, app_url: str, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Page]]:
    """Factory: a page in a fresh browser context (fresh Streamlit session) per call.

    `page.errors` (PageErrors) collects console errors from the moment it opens.
    On a failing test every page is screenshotted to artifacts/failed-<test>-<n>.png.
    """
    contexts = []
    pages: list[Page] = []
    expect.set_options(timeout=WAIT_MS)

    def make(viewport: dict[str, int] = WIDE) -> Page:
        context = dlviz_browser.new_context(base_url=app_url, viewport=viewport)
        context.set_default_timeout(WAIT_MS)
        contexts.append(context)
        page = context.new_page()
        page.errors = PageErrors(page)  # type: ignore[attr-defined]
        pages.append(page)
        return page

    yield make
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        for n, page in enumerate(pages):
            with contextlib.suppress(Error):
                page.screenshot(path=ARTIFACTS / f"failed-{name}-{n}.png", full_page=True)
    for context in contexts:
        context.close()  # closing the tab ends the Streamlit session: nothing trains on
