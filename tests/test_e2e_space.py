"""End to end on phones (390×844), issue 7: in the case space of the demo case 张三 v. 李四,
张三 (demo_citizen) and the judge (demo_judge) exchange messages live over the websocket;
张三 submits an exhibit (a PDF) and sees its SHA-256; the judge opens an asynchronous
cross-examination for it; the defendant 李四 (demo_citizen2) states his 三性 opinions with
reasons, and the judge's matrix shows them."""

import datetime as dt
import hashlib
import re
import time
from zoneinfo import ZoneInfo

import pytest

from tests.browser import demo_server, log_in, screenshot
from tests.browser import phone as new_phone

pytestmark = pytest.mark.e2e

server = demo_server("e2e-space")

WAIT = 20000  # ms: the machine is shared with a full test run
CASE_NUMBER = re.compile(r"（\d{4}）浙0203民初\d+号")

# Every WebSocket the page opens is kept on window.__ws, so the test can wait until the
# space's socket is open before the other side speaks (the message must then come as a push).
TRACK_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.__ws = [];
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    window.__ws.push(socket);
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
})();
"""


def open_space(page, server, case_id):
    page.goto(f"{server}/cases/{case_id}/space/")
    page.wait_for_function(
        "window.__ws && window.__ws.some((w) => w.url.includes('/space/') && w.readyState === 1)",
        timeout=WAIT,
    )
    page.evaluate("window.__notReloaded = true")


def send(page, text):
    page.fill("#sp-text", text)
    page.click("#sp-form button[type=submit]")
    page.wait_for_selector(f"#sp-list .sp-msg.is-mine:has-text('{text}')", timeout=WAIT)
    # the websocket push may show the bubble before the POST answers and clears the box
    page.wait_for_function("document.getElementById('sp-text').value === ''", timeout=WAIT)


def seqs_and_texts(page):
    return page.eval_on_selector_all(
        "#sp-list li[data-seq]",
        "(items) => items.map((li) => [Number(li.dataset.seq), li.innerText])",
    )


def assert_in_seq_order(page, first, second):
    rows = seqs_and_texts(page)
    seqs = [seq for seq, _text in rows]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), rows  # shown by seq
    at = {text: next(seq for seq, shown in rows if text in shown) for text in (first, second)}
    assert at[first] < at[second], rows  # the reply has the later seq and is shown below
    return at


def exhibit_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(
        string="<p style=\"font-family: 'WenQuanYi Micro Hei'; font-size: 14pt\">"
        "借条：今借到张三人民币伍万元整，2025年9月1日前归还。借款人：李四 2025年3月1日</p>"
    ).write_pdf()


def test_plaintiff_and_judge_talk_live_then_the_defendant_cross_examines(server, browser):
    started = time.monotonic()
    zhang = phone(browser)
    log_in(zhang, server, "demo_citizen")
    zhang.goto(server + "/cases/")
    case_link = zhang.locator("a.weui-cell", has_text=CASE_NUMBER).first
    case_number = CASE_NUMBER.search(case_link.inner_text()).group(0)
    case_id = int(re.search(r"/cases/(\d+)/", case_link.get_attribute("href")).group(1))

    # 1. The case space: 张三 and the judge, each on a phone, talk without reloading.
    judge = phone(browser)
    log_in(judge, server, "demo_judge")
    open_space(zhang, server, case_id)
    open_space(judge, server, case_id)
    assert case_number in zhang.locator(".sp-title").inner_text()

    hello = "法官您好，借条原件我已保管好，稍后上传证据。"
    send(zhang, hello)
    judge.wait_for_selector(f"#sp-list .sp-msg:has-text('{hello}')", timeout=WAIT)
    reply = "收到，请在证据栏目提交，并注明证明目的。"
    send(judge, reply)
    zhang.wait_for_selector(f"#sp-list .sp-msg:has-text('{reply}')", timeout=WAIT)

    on_zhang = assert_in_seq_order(zhang, hello, reply)
    on_judge = assert_in_seq_order(judge, hello, reply)
    assert on_zhang == on_judge  # both sides agree on the sequence numbers
    for page in (zhang, judge):
        assert page.evaluate("window.__notReloaded") is True  # arrived live, no reload
    court_bubble = zhang.locator("#sp-list .sp-msg", has_text=reply)
    assert "is-court" in court_bubble.get_attribute("class")
    assert "陈法官" in court_bubble.locator(".sp-meta").inner_text()
    # The judge's page has read 张三's message: 张三 sees it marked 已读, live.
    zhang.locator("#sp-list .sp-msg.is-mine .sp-meta", has_text="已读").first.wait_for(timeout=WAIT)
    shot(zhang, "1-plaintiff")
    shot(judge, "2-judge")

    # 张三 exports the space: 正在生成… shows while the PDF is made and goes once it arrives.
    zhang.evaluate(
        """() => { window.__toasts = []; const t = document.getElementById('mc-toast');
        new MutationObserver(() => { if (!t.hidden) window.__toasts.push(t.textContent); })
          .observe(t, {attributes: true, childList: true, subtree: true}); }"""
    )
    with zhang.expect_download(timeout=WAIT) as download:
        zhang.locator(".sp-export").click()
    assert download.value.suggested_filename == f"space-{case_id}.pdf"
    zhang.locator("#mc-toast").wait_for(state="hidden", timeout=WAIT)
    assert any("正在生成案件空间记录 PDF" in t for t in zhang.evaluate("window.__toasts"))

    # 2. 张三 submits an exhibit; it is stored with its SHA-256.
    pdf = exhibit_pdf()
    zhang.goto(f"{server}/cases/{case_id}/evidence/")
    upload = zhang.locator("form.ev-upload")
    upload.locator("input[name=name]").fill("借条")
    upload.locator("input[name=source]").fill("原告自行保管")
    upload.locator("textarea[name=purpose]").fill("证明被告向原告借款伍万元的事实")
    upload.locator("input[name=pages]").fill("1")
    upload.locator("input[name=file]").set_input_files(
        {"name": "借条.pdf", "mimeType": "application/pdf", "buffer": pdf}
    )
    shot(zhang, "3-upload")
    upload.locator("button[type=submit]").click()
    zhang.wait_for_url(re.compile(rf".*/cases/{case_id}/evidence/\d+/$"), timeout=WAIT)
    number = int(re.search(r"/evidence/(\d+)/$", zhang.url).group(1))
    assert zhang.locator(".ev-title").inner_text().startswith(f"{number}. 借条")
    assert zhang.locator(".ev-digest").inner_text().strip() == hashlib.sha256(pdf).hexdigest()
    assert "证据已提交并存证" in zhang.content()  # the server's one-time confirmation is shown
    shot(zhang, "4-exhibit")

    # 3. The judge opens an asynchronous cross-examination on it, three days to answer.
    judge.goto(f"{server}/cases/{case_id}/evidence/")
    opening = judge.locator("form[action*='/cross-examinations/']")
    for box in opening.locator("input[name=exhibits]").all():
        box.set_checked(box.get_attribute("value") == str(number))
    opening.locator("select[name=mode]").select_option("async")
    deadline = dt.datetime.now(ZoneInfo("Asia/Shanghai")) + dt.timedelta(days=3)
    opening.locator("input[name=deadline]").fill(deadline.strftime("%Y-%m-%dT%H:%M"))
    shot(judge, "5-open")
    opening.locator("button[type=submit]").click()
    # The form's action ends in #open-xexam (a refusal comes back scrolled to it); a redirect
    # without a fragment keeps the request's.
    judge.wait_for_url(re.compile(r".*/cross-examinations/\d+/matrix/(#[\w-]*)?$"), timeout=WAIT)
    matrix_url = judge.url.split("#")[0]
    row = judge.locator(".ev-matrix tbody tr", has_text=f"{number}. 借条")
    assert "未发表" in row.inner_text()

    # 4. 李四, the defendant, states his opinions on the 三性 with reasons.
    li = phone(browser)
    log_in(li, server, "demo_citizen2")
    li.goto(f"{server}/cases/{case_id}/evidence/")
    li.locator("a.ev-period").first.click()
    li.wait_for_url(re.compile(r".*/cross-examinations/\d+/$"))
    assert deadline.strftime("%Y-%m-%d %H:%M") in li.locator(".ev-deadline").inner_text()
    card = li.locator(f"form#e{number}")
    stances = {"真实性": "认可", "合法性": "认可", "关联性": "部分认可"}
    for aspect, stance in stances.items():
        card.locator("fieldset", has_text=aspect).get_by_text(stance, exact=True).click()
    reasons = "借条真实，但借款已部分归还两万元，关联性仅部分认可。"
    card.locator("textarea[name=reasons]").fill(reasons)
    with li.expect_navigation(timeout=WAIT):
        card.get_by_role("button", name="提交意见").click()
    assert "质证意见已提交" in li.content()  # the confirmation is in view at the top
    card = li.locator(f"form#e{number}")
    assert card.get_by_role("button", name="修改意见").is_visible()
    assert card.locator("textarea[name=reasons]").input_value() == reasons
    assert card.locator("fieldset", has_text="关联性").locator("input:checked").get_attribute(
        "value"
    ) == ("partial")
    shot(li, "6-opinion")

    judge.goto(matrix_url)
    heads = judge.locator(".ev-matrix thead th").all_inner_texts()
    column = next(i for i, h in enumerate(heads) if h.startswith("李四"))
    cell = judge.locator(".ev-matrix tbody tr", has_text=f"{number}. 借条").locator("th, td")
    opinion = cell.nth(column).inner_text()
    for aspect, stance in stances.items():
        assert f"{aspect}：{stance}" in opinion, opinion
    assert reasons in opinion
    shot(judge, "7-matrix")  # the table scrolls inside .ev-matrix-wrap, never the page
    assert time.monotonic() - started < 120


def phone(browser):
    return new_phone(browser, timeout=WAIT, init_script=TRACK_SOCKETS)


def shot(page, name):
    screenshot(page, f"space-{name}")
