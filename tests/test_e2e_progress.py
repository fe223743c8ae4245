"""End to end (issue 15, progress): what takes more than a second shows that it is working and
updates itself when done. On a phone, 张三 (demo_citizen) checks a PDF at /verify/pdf/ and sees
the button busy with a spinner and 正在核验… until the verdict comes; she submits an exhibit
while no worker is running, sees its preview being made, and — when a worker makes it — the
preview appears on the same page without a reload."""

import re
import shutil

import pytest

from tests.browser import CHROMIUM, log_in, screenshot
from tests.browser import phone as new_phone
from tests.live_server import live_server

pytestmark = pytest.mark.e2e

WAIT = 30000  # ms: the machine is shared
VERIFY = "form:has(#id_file) button[type=submit]"  # not the language switch's


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    """The demo server with no task worker: background work waits until the test runs one."""
    assert shutil.which(CHROMIUM), "Debian chromium is missing: run `make test` (installs it)"
    data = tmp_path_factory.mktemp("e2e-progress")
    with live_server(data, ready="/verify/pdf/", worker=False, demo=True) as server:
        yield server


# Every state the verify button passes through, as the page saw it (a MutationObserver runs
# right after each change, so even a fast answer leaves its busy state on record).
WATCH_BUTTON = """
(() => {
  const button = document.querySelector("form:has(#id_file) button[type=submit]");
  window.__states = [];
  const note = () => {
    const live = button.parentNode.querySelector("[data-busy-status]");
    window.__states.push({disabled: button.disabled, text: button.textContent.trim(),
      spinner: !!button.querySelector(".weui-loading"), status: live ? live.textContent : null,
      role: live ? live.getAttribute("role") : null});
  };
  new MutationObserver(note).observe(button.parentNode,
    {subtree: true, childList: true, attributes: true, characterData: true});
})();
"""


def a_png() -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


def test_the_verifier_and_an_exhibit_preview_show_progress_and_finish_by_themselves(live, browser):
    server = live.base
    page = new_phone(browser, timeout=WAIT)

    # 1. The PDF verifier: busy while it checks, then the verdict, and the button back.
    page.goto(server + "/verify/pdf/")
    not_signed = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    page.set_input_files(
        "#id_file", {"name": "a.pdf", "mimeType": "application/pdf", "buffer": not_signed}
    )
    page.evaluate(WATCH_BUTTON)
    page.click(VERIFY)
    page.wait_for_selector("#result :is([role=alert], [role=status])")
    states = page.evaluate("window.__states")
    busy = [s for s in states if s["disabled"]]
    assert busy, states
    assert busy[0]["text"] == "正在核验…" and busy[0]["spinner"]
    assert busy[0]["status"] == "正在核验…" and busy[0]["role"] == "status"
    button = page.locator(VERIFY)
    button.filter(has_text="验证").wait_for()
    assert button.is_enabled()

    # 2. An exhibit: its preview is being made (no worker yet) …
    log_in(page, server, "demo_citizen")
    page.goto(server + "/cases/")
    link = page.locator("a.weui-cell", has_text=re.compile(r"民初\d+号")).first
    case_id = int(re.search(r"/cases/(\d+)/", link.get_attribute("href")).group(1))
    page.goto(f"{server}/cases/{case_id}/evidence/")
    form = page.locator("form.ev-upload")
    form.locator("input[name=name]").fill("转账截图")
    form.locator("input[name=source]").fill("原告手机截图")
    form.locator("textarea[name=purpose]").fill("证明原告向被告转账伍万元")
    form.locator("input[name=pages]").fill("1")
    form.locator("input[name=file]").set_input_files(
        {"name": "转账.png", "mimeType": "image/png", "buffer": a_png()}
    )
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*/cases/{case_id}/evidence/\d+/$"))
    waiting = page.locator("#ev-preview [role=status]")
    assert "正在生成预览" in waiting.inner_text()
    assert page.locator("#ev-preview img").count() == 0
    screenshot(page, "progress-exhibit-pending")
    page.evaluate("window.__notReloaded = true")

    # … a worker makes it, and the page shows it by itself.
    ran = live.run("worker", "--batch", timeout=300)
    assert ran.returncode == 0, ran.stderr[-2000:]
    page.locator("#ev-preview img").wait_for(timeout=WAIT)
    assert page.evaluate("window.__notReloaded") is True  # no reload: the page polled
    assert page.locator("#ev-preview [role=status]").count() == 0
    assert page.locator("#ev-preview[hx-trigger]").count() == 0  # and stopped asking
    screenshot(page, "progress-exhibit-ready")
