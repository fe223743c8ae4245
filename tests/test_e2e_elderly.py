"""End to end, 长辈模式 (适老化): 张三 (demo_citizen) switches it on from 我的 on her phone; the
home page then opens with the six most used services, two to a row, in larger type, and her
case page is larger too — on a 390 px phone and a 1440 px desk, never scrolling sideways,
and passing axe-core like every page (tests/axe.py)."""

import re

import pytest

from tests.browser import RESULTS, demo_server, log_in, screenshot
from tests.browser import phone as new_phone

pytestmark = pytest.mark.e2e

server = demo_server("e2e-elderly")

MOST_USED = ["file", "cases", "fees", "service", "contact", "courts"]


def font_size(page, selector: str) -> float:
    return page.eval_on_selector(selector, "e => parseFloat(getComputedStyle(e).fontSize)")


def test_zhang_switches_on_senior_mode_and_every_page_grows(server, browser):
    page = new_phone(browser, timeout=30000)
    log_in(page, server, "demo_citizen")
    usual_label = font_size(page, ".mc-grid .weui-grid__label")
    usual_tile = page.locator(".mc-grid .weui-grid").first.bounding_box()

    page.goto(server + "/accounts/me/")
    with page.expect_navigation():
        page.get_by_role("button", name="开启长辈模式").click()
    assert page.get_by_role("status").get_by_text("长辈模式已开启").is_visible()
    assert page.get_by_role("button", name="关闭长辈模式").is_visible()
    screenshot(page, "elderly-me-390")

    page.goto(server + "/")
    assert "mc-elderly" in page.locator("html").get_attribute("class")
    first = page.locator(".mc-grid_first .weui-grid")
    assert [first.nth(i).get_attribute("data-service") for i in range(6)] == MOST_USED
    assert font_size(page, ".mc-grid_first .weui-grid__label") >= usual_label + 6
    tile = first.first.bounding_box()
    assert tile["width"] > usual_tile["width"] and tile["height"] >= 120  # two to a row
    screenshot(page, "elderly-home-390")

    page.goto(server + "/cases/")
    page.locator("a[href^='/cases/']", has_text=re.compile("民初")).first.click()
    page.wait_for_load_state()
    assert font_size(page, ".weui-cells .weui-cell__bd p") >= 20
    screenshot(page, "elderly-case-390")
    case_url = page.url

    desk = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    desk.add_cookies([{"name": "mc_elderly", "value": "1", "url": server}])
    wide = desk.new_page()
    wide.set_default_timeout(30000)
    log_in(wide, server, "demo_citizen")
    screenshot(wide, "elderly-home-1440", width=1440)
    wide.goto(case_url)
    screenshot(wide, "elderly-case-1440", width=1440)

    # And off again, the same way: the usual home page comes back.
    page.goto(server + "/accounts/me/")
    with page.expect_navigation():
        page.get_by_role("button", name="关闭长辈模式").click()
    assert page.get_by_role("status").get_by_text("长辈模式已关闭").is_visible()
    page.goto(server + "/")
    assert page.locator(".mc-grid_first").count() == 0
    assert "mc-elderly" not in (page.locator("html").get_attribute("class") or "")
    assert (RESULTS / "elderly-case-1440.png").exists()
