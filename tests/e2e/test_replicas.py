"""Two replicas behind HAProxy, started by deploy/replicas.py with deploy/haproxy.cfg: two
learners land on different replicas, each trains live on its own, and each stays on its
replica (and its session) across reruns and a reload, through the balancer's cookie.

The test never skips: without haproxy it fails (CI installs it). Waits are Playwright
waits, never sleeps.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
from collections.abc import Iterator

import pytest
from browser_launch import free_port
from conftest import ARTIFACTS, serve
from playwright.sync_api import Page, expect
from test_browser import open_page, read_step, run_toggle, stop_run, wait_for_app_idle
from test_browser import wait_step_above as wait_step_rise
from test_links import press_step

pytestmark = pytest.mark.e2e

COOKIE = "DLVIZ_REPLICA"  # deploy/haproxy.cfg: cookie DLVIZ_REPLICA insert indirect nocache
START_S = 150.0  # deploy/replicas.py waits up to 120 s for its replicas, then starts haproxy


def consecutive_free_ports() -> int:
    """A port p on 127.0.0.1 such that p and p + 1 are both free right now."""
    for _ in range(50):
        first = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", first + 1))
            except OSError:
                continue
        return first
    pytest.fail("no two consecutive free ports on 127.0.0.1")


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    """Overrides conftest's app_url for this module (so `new_page` opens pages here): the
    balancer of `python deploy/replicas.py --replicas 2` on free ports."""
    if not shutil.which("haproxy", path=f"{os.environ.get('PATH', '')}:/usr/sbin"):
        pytest.fail("haproxy not found: apt-get install -y haproxy (the test never skips)")
    ARTIFACTS.mkdir(exist_ok=True)
    port, first = free_port(), consecutive_free_ports()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "HF_HUB_OFFLINE": "1"}
    env.pop("DLVIZ_ALLOW_DOWNLOADS", None)
    cmd = [sys.executable, "deploy/replicas.py", "--replicas", "2", "--bind", "127.0.0.1",
           "--port", str(port), "--first-port", str(first)]  # fmt: skip
    yield from serve(cmd, env, url, ARTIFACTS / "replicas.log", START_S, "deploy/replicas.py")


def replica_shown(page: Page) -> str:
    """The replica named by the sidebar's caption "Compute: ... · server <name>"."""
    caption = page.get_by_test_id("stSidebar").get_by_text(re.compile(r"^Compute: "))
    expect(caption).to_have_count(1)
    expect(caption).to_have_text(re.compile(r" · server r[12]$"))
    return caption.inner_text().rsplit(" ", 1)[-1]


def replica_cookie(page: Page) -> str | None:
    """The balancer's sticky cookie in this page's browser context."""
    values = [c["value"] for c in page.context.cookies() if c["name"] == COOKIE]
    return values[0] if len(values) == 1 else None


def toggle_classroom(page: Page) -> None:
    """Switch the sidebar's Classroom view on and off again: two reruns of the page."""
    label = page.locator(".st-key-classroom label").first
    box = page.locator(".st-key-classroom input[type=checkbox]")
    for checked in (True, False):
        label.click()
        expect(box).to_be_checked(checked=checked)
        wait_for_app_idle(page)


def test_learners_spread_over_replicas_and_keep_theirs(new_page):
    learners = [new_page(), new_page()]
    replicas = []
    for page in learners:
        open_page(page, "/playground")
        replicas.append(replica_shown(page))
        # The page's script ran on the replica the cookie names: the websocket followed it.
        assert replica_cookie(page) == replicas[-1], page.context.cookies()
    assert sorted(replicas) == ["r1", "r2"], "round robin sends the second learner elsewhere"

    # Both train at once, each on its own replica.
    toggles, seen = [], []
    for page in learners:
        label, box = run_toggle(page)
        expect(box).not_to_be_checked()
        label.click()
        expect(box).to_be_checked()
        toggles.append((label, box))
        seen.append(wait_step_rise(page, 0))
    seen = [wait_step_rise(page, step) for page, step in zip(learners, seen)]

    # Reruns (Run off, the Classroom view on and off) keep each learner's session: the
    # Step count stays where it stopped, not 0, on the same replica; Step goes on from it.
    for page, (label, box), step, replica in zip(learners, toggles, seen, replicas):
        stop_run(label, box)
        wait_for_app_idle(page)
        paused = read_step(page)
        assert paused >= step > 0
        toggle_classroom(page)
        assert read_step(page) == paused, "a rerun lost the learner's session"
        assert replica_shown(page) == replica
        assert press_step(page, "pg", 1) > paused

    # A reload in the same browser context comes back to the same replica (the cookie).
    for page, replica in zip(learners, replicas):
        page.reload()
        wait_for_app_idle(page)
        assert replica_shown(page) == replica
        assert replica_cookie(page) == replica
    for page in learners:
        assert page.errors.all() == [], "\n".join(page.errors.all())
