"""Shared pieces of the end-to-end tests: Debian's Chromium (never `playwright install`), a
demo server per test module, a phone-sized page, logging in, screenshots. Every page a test
visits in this browser is checked with axe-core (tests/axe.py): a critical or serious WCAG 2.1
AA violation fails the test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests import axe
from tests.live_server import live_server

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "test-results"
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}  # fmt: skip
DEMO_PASSWORD = "microcourt-demo"


def demo_server(name: str):
    """A module-scoped fixture: the real server with demo data on its own data directory."""

    @pytest.fixture(scope="module")
    def server(tmp_path_factory):
        assert shutil.which(CHROMIUM), "Debian chromium is missing: run `make test` (installs it)"
        with live_server(tmp_path_factory.mktemp(name), ready="/healthz", demo=True) as live:
            yield live.base

    return server


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    RESULTS.mkdir(exist_ok=True)
    with sync_playwright() as p, axe.guard():
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        contexts = audited(chromium)
        yield chromium
        found = [v for context in contexts for v in axe.finish(context)]
        pages = [url for context in contexts for url in axe.checked(context)]
        chromium.close()
    assert pages or not contexts, "axe-core checked no page: is it loaded (tests/axe.py)?"
    axe.assert_accessible(found)


def audited(chromium) -> list:
    """Make every context of ``chromium`` check its pages with axe; the contexts made so far."""
    contexts: list = []
    new_context = chromium.new_context

    def audited_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        axe.watch(context)
        contexts.append(context)
        return context

    chromium.new_context = audited_context
    return contexts


def phone(browser, *, timeout: int = 15000, init_script: str = "", **options):
    """A new phone-sized page in its own context (its own log-in)."""
    context = browser.new_context(**PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(timeout)
    if init_script:
        context.add_init_script(init_script)
    return context.new_page()


def log_in(page, server: str, username: str) -> None:
    page.goto(server + "/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("form.mc-auth-form button[type=submit]")
    page.wait_for_url(server + "/")


def screenshot(page, name: str, *, width: int = 390) -> None:
    """Save the page, after checking nothing makes a phone scroll sideways."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)


# Hearings (issue 16): Chromium's fake camera and microphone, granted without a prompt.
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]


@pytest.fixture
def media_browser():
    """Like ``browser``, with a fake camera and microphone (every page still checked by axe)."""
    from playwright.sync_api import sync_playwright

    RESULTS.mkdir(exist_ok=True)
    with sync_playwright() as p, axe.guard():
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[*FLAGS, *FAKE_MEDIA])
        contexts = audited(chromium)
        yield chromium
        found = [v for context in contexts for v in axe.finish(context)]
        pages = [url for context in contexts for url in axe.checked(context)]
        chromium.close()
    assert pages or not contexts, "axe-core checked no page: is it loaded (tests/axe.py)?"
    axe.assert_accessible(found)
