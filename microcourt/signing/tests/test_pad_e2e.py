"""张三 signs the hearing transcript on a 360 px phone: draws on the pad with a finger (a
mouse here), taps 签署, and gets the signed PDF with its verification — the whole page in
Debian's headless Chromium against a live server."""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings
from django.test import Client

from microcourt.signing import actions
from microcourt.signing.models import RequestStatus

from .conftest import pdf_bytes

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium is missing"),
]


def test_signing_on_the_pad_at_360_px(live_server, zhang, plaintiff_zhang, clerk, tmp_path):
    from playwright.sync_api import sync_playwright

    request = actions.signature_request_create(
        pdf=pdf_bytes("庭审笔录", "原告张三到庭。"),
        title="庭审笔录",
        purpose="hearing",
        signer=plaintiff_zhang,
        actor=clerk,
    )
    client = Client()
    client.force_login(plaintiff_zhang)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        context = browser.new_context(
            viewport={"width": 360, "height": 740}, device_scale_factor=2, locale="zh-CN"
        )
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/sign/{request.pk}/")
        canvas = page.locator("canvas.sg-pad__canvas")
        box = canvas.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360  # fits the phone
        # Nothing drawn yet: the hidden field stays empty and the server says why.
        page.get_by_role("button", name="签署").click()
        assert "请先在签名框内手写签名" in page.content()

        canvas = page.locator("canvas.sg-pad__canvas")
        box = canvas.bounding_box()
        page.mouse.move(box["x"] + 20, box["y"] + 120)
        page.mouse.down()
        for x, y in ((80, 30), (140, 110), (200, 40), (280, 100)):
            page.mouse.move(box["x"] + x, box["y"] + y, steps=8)
        page.mouse.up()
        value = page.locator("[data-pad-value]").input_value()
        assert value.startswith("data:image/png;base64,")
        page.get_by_role("button", name="签署").click()
        page.get_by_text("下载已签署的文件").wait_for()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
        page.screenshot(path=str(tmp_path / "signed.png"), full_page=True)
        browser.close()

    request.refresh_from_db()
    assert request.status == RequestStatus.SIGNED
