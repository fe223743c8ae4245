"""End to end, issue 15 (分案): the filing officer (demo_filing) accepts 李四's waiting loan
case; 分案 gives it to the civil division's judge at once; the judge (demo_judge) logs in on a
phone (390 px), finds the new case on the workbench and opens its space."""

import re

import pytest

from tests.browser import demo_server, log_in, screenshot
from tests.browser import phone as new_phone

pytestmark = pytest.mark.e2e

server = demo_server("e2e-assignment")

WAIT = 60000  # ms: the machine is shared (the first requests meet a cold server)


def test_the_judge_finds_the_newly_accepted_case_on_the_workbench_and_opens_its_space(
    server, browser
):
    officer = new_phone(browser, timeout=WAIT)
    log_in(officer, server, "demo_filing")
    officer.goto(server + "/workbench/filing/")
    officer.locator("table a[href*='/workbench/filing/']").first.click()
    officer.get_by_role("button", name="登记立案，生成案号").click()
    officer.wait_for_load_state()
    number = officer.locator(".mc-case-number").inner_text().strip()
    assert re.search(r"浙0203民初\d+号", number)

    judge = new_phone(browser, timeout=WAIT)
    log_in(judge, server, "demo_judge")
    judge.goto(server + "/workbench/")
    card = judge.locator(".mc-mycase").filter(has_text=number)
    assert card.is_visible()
    assert "已受理" in card.inner_text() and "审限届满" in card.inner_text()
    screenshot(judge, "assignment-workbench-390")
    card.get_by_role("link", name="案件空间").click()
    judge.wait_for_url(re.compile(r"/cases/\d+/space/$"))
    assert number in judge.locator(".sp-title").inner_text()

    # The same workbench on the narrowest phone, and on a desk (1440 px) with the head's board.
    judge.set_viewport_size({"width": 360, "height": 780})
    judge.goto(server + "/workbench/")
    screenshot(judge, "assignment-workbench-360", width=360)
    desk = browser.new_context(
        viewport={"width": 1440, "height": 900}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    desk.set_default_timeout(WAIT)
    head = desk.new_page()
    log_in(head, server, "demo_head")
    head.goto(server + "/workbench/assignment/")
    assert number in head.locator(".mc-board").first.inner_text()
    screenshot(head, "assignment-board-1440", width=1440)
