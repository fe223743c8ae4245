"""End to end: the real server (`microcourt serve`: uvicorn + websockets + task worker)
on a fresh database, driven by headless Debian Chromium through Playwright."""

import shutil
import urllib.request
from pathlib import Path

import pytest

from tests.browser import CHROMIUM, RESULTS
from tests.live_server import live_server

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    assert shutil.which(CHROMIUM), "Debian chromium is missing: run `make test` (it installs it)"
    with live_server(tmp_path_factory.mktemp("e2e"), ready="/healthz", demo=True) as live:
        yield live.base


@pytest.fixture
def page(server, browser):  # the shared browser: axe-core checks every page (tests/axe.py)
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        locale="en-US",
        is_mobile=True,
        has_touch=True,
    )
    return context.new_page()


def test_health_reports_every_component(server):
    import json

    with urllib.request.urlopen(server + "/healthz", timeout=5) as response:
        body = json.load(response)
    assert set(body["components"]) == {
        "database",
        "cache",
        "channel_layer",
        "worker",
        "queue",
        "janus",
    }
    assert all(c["ok"] for c in body["components"].values())


def test_home_page_on_a_phone(server, page):
    page.goto(server + "/")
    # Chinese by default even though this browser asks for English.
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    for label in ("首页", "我的案件", "消息", "我的"):
        assert page.locator(".mc-tabbar").get_by_text(label, exact=True).is_visible()
    # The WeUI and shell styles really loaded: the tab bar sits fixed at the bottom.
    assert page.evaluate("getComputedStyle(document.querySelector('.mc-tabbar')).position") == (
        "fixed"
    )
    grid = page.locator(".mc-grid .weui-grid")
    assert grid.count() == 12
    box = grid.first.bounding_box()
    assert box["width"] >= 100 and box["height"] >= 90  # thumb-sized targets at 390 px
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    page.screenshot(path=str(RESULTS / "home-390x844.png"), full_page=True)
    page.get_by_text("调解", exact=True).click()  # a service not built yet says so plainly
    assert "正在建设中" in page.content()
    page.goto(server + "/")
    page.get_by_text("我要立案").click()  # filing asks a visitor to log in first
    page.wait_for_url("**/accounts/login/**")


def test_a_citizen_logs_in_sees_the_inbox_live_and_switches_to_english(server, page):
    page.goto(server + "/accounts/login/")
    page.fill("#id_login", "13800000001")  # password log-in by phone number
    page.fill("#id_password", "microcourt-demo")
    page.click("form.mc-auth-form button[type=submit]")
    page.wait_for_url(server + "/")
    page.goto(server + "/inbox/")
    assert page.get_by_text("欢迎使用微法院").is_visible()
    page.wait_for_function("document.body.dataset.wsState === 'open'", timeout=10000)
    page.screenshot(path=str(RESULTS / "inbox-390x844.png"), full_page=True)
    page.goto(server + "/")
    page.click(".mc-lang button")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_text("File a case").is_visible()
    page.screenshot(path=str(RESULTS / "home-en-390x844.png"), full_page=True)


def test_court_navigation_on_a_phone(server, page):
    page.goto(server + "/courts/")
    page.get_by_text("浙江省").click()
    page.get_by_text("宁波市").click()
    page.get_by_text("宁波市海曙区人民法院").click()
    assert page.get_by_text("浙0203").is_visible()
    page.screenshot(path=str(RESULTS / "court-390x844.png"), full_page=True)
