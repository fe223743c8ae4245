"""End to end on a phone (390×844): 张三 (demo_citizen) files a 民间借贷 case through the
complaint assistant and submits it; the filing officer (demo_filing, 海曙法院) accepts it at
the desk; the 案号 and the fee notice appear on 张三's case page."""

import re

import pytest

from tests.browser import RESULTS, demo_server, log_in, screenshot
from tests.browser import phone as new_phone

pytestmark = pytest.mark.e2e

server = demo_server("e2e-filing")

ZHANG_ID = "330203198801021235"
WANG_ID = "330203198505051237"


def next_step(page, label="保存，下一步"):
    # Wait for the next page itself: on a busy machine the click's navigation may not have
    # started when a plain wait_for_load_state() returns.
    with page.expect_navigation():
        page.get_by_role("button", name=label).last.click()


def add_party(page, side_label, name, id_number, phone_number, address, confirm=False):
    page.get_by_role("link", name=f"添加{side_label}", exact=True).click()
    page.fill("#id_name", name)
    page.fill("#id_id_number", id_number)
    page.fill("#id_phone", phone_number)
    page.fill("#id_address", address)
    if confirm:
        page.click("label[for=id_service_address_confirmed]")
    page.get_by_role("button", name="保存当事人").click()
    page.wait_for_load_state()
    assert name in page.locator(".mc-side").all_inner_texts().__str__()


def test_a_citizen_files_a_loan_case_and_the_court_accepts_it(server, browser):
    page = phone(browser)
    log_in(page, server, "demo_citizen")
    page.goto(server + "/file/")
    shot(page, "0-start")
    page.get_by_role("button", name="开始新的立案申请").click()
    page.wait_for_url(re.compile(r".*/step/capacity/$"))
    page.get_by_text("本人起诉", exact=True).click()
    shot(page, "1-capacity")
    next_step(page)

    page.fill("#court-q", "海曙")
    # htmx live search: let the results settle before choosing, or a late swap unchecks it
    page.wait_for_load_state("networkidle")
    page.locator("#court-results label", has_text="宁波市海曙区人民法院").first.click()
    assert page.locator("#court-results input[type=radio]:checked").count() == 1
    shot(page, "2-court")
    next_step(page)

    page.fill("#cause-q", "民间借贷")
    page.wait_for_load_state("networkidle")
    page.locator("#cause-results label", has_text="民间借贷纠纷").first.click()
    assert page.locator("#cause-results input[type=radio]:checked").count() == 1
    shot(page, "3-kind")
    next_step(page)

    add_party(page, "原告", "张三", ZHANG_ID, "13800000001", "浙江省宁波市海曙区中山西路1号", True)
    add_party(page, "被告", "王五", WANG_ID, "13933334444", "浙江省宁波市鄞州区天童南路2号")
    assert WANG_ID not in page.content()  # masked in the list
    shot(page, "4-parties")
    next_step(page, "下一步")

    page.fill("#el-loan_date", "2025-01-01")
    page.fill("#el-principal", "50000")
    page.select_option("#el-delivery_method", "bank_transfer")
    page.select_option("#el-loan_document", "iou")
    page.click("label[for=el-has_transfer_record]")
    page.fill("#el-repayment_date", "2025-06-30")
    page.select_option("#el-guarantee", "none")
    page.get_by_role("button", name="生成起诉状").click()
    page.wait_for_load_state()
    assert page.get_by_text("民事起诉状.pdf").is_visible()
    assert "伍万元整" in page.content()
    shot(page, "5-claims")
    next_step(page, "确认无误，下一步")

    assert "民事起诉状.pdf" in page.content()
    # The upload goes through the shell's progress XHR (JavaScript on): the form's own
    # <input name="action"> must not send it to the wrong address.
    page.select_option("#id_kind", "evidence")
    page.set_input_files("#id_file", files=[_iou_photo()])
    with page.expect_navigation():
        page.get_by_role("button", name="上传", exact=True).click()
    assert "/step/materials/" in page.url, page.url
    assert page.locator(".mc-material", has_text="借条照片.png").count() == 1
    assert "证据材料" in page.locator(".mc-material", has_text="借条照片.png").inner_text()
    shot(page, "6-materials")
    next_step(page, "下一步")

    for i in range(4):
        page.click(f"label[for=id_{['mediation', 'evidence_exchange', 'hearing', 'service'][i]}_0]")
    shot(page, "7-consent")
    next_step(page)

    assert page.locator(".mc-problems").count() == 0
    shot(page, "8-review")
    page.get_by_role("button", name="提交立案申请").click()
    page.wait_for_load_state()
    assert "/receipt/" in page.url, page.locator("main").inner_text()[:800]
    number = re.search(r"/file/([^/]+)/receipt/", page.url).group(1)
    page.get_by_text("下载收件凭证（PDF）").wait_for(timeout=20000)  # htmx polls until issued
    shot(page, "9-receipt")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk.set_default_timeout(15000)
    officer = desk.new_page()
    log_in(officer, server, "demo_filing")
    officer.goto(server + "/workbench/filing/")
    officer.get_by_role("link", name=number).click()
    officer.screenshot(path=str(RESULTS / "filing-10-review.png"), full_page=True)
    officer.get_by_role("button", name="登记立案，生成案号").click()
    officer.wait_for_load_state()
    case_number = officer.locator(".mc-case-number").inner_text()
    assert re.search(r"浙0203民初\d+号", case_number)

    page.goto(server + "/cases/")
    page.get_by_text(case_number).click()
    page.wait_for_load_state()
    assert page.locator(".mc-case-number").inner_text() == case_number
    assert page.get_by_text("交费通知").is_visible()
    assert "壹仟零伍拾元整" in page.content()
    shot(page, "11-case")


def test_a_citizen_uploads_the_complaint_she_already_has(server, browser):
    """步骤五“已有起诉状？上传自动识别”, JavaScript on: the file is kept as the complaint and
    what it names is offered for confirmation."""
    page = phone(browser)
    log_in(page, server, "demo_citizen")
    page.goto(server + "/file/")
    page.get_by_role("button", name="开始新的立案申请").click()
    page.wait_for_url(re.compile(r".*/step/capacity/$"))
    page.goto(page.url.replace("/step/capacity/", "/step/claims/"))
    page.get_by_text("已有起诉状？上传自动识别").click()
    page.set_input_files(".mc-upload-complaint input[type=file]", files=[_complaint_pdf()])
    page.get_by_role("button", name="上传并识别").click()
    # The answer is this step again, written in place by the upload XHR (no navigation).
    page.get_by_text("起诉状已上传保存").wait_for(timeout=60000)
    assert "/step/claims/" in page.url, page.url
    guessed = page.locator(".mc-upload-complaint").inner_text()
    assert "赵六" in guessed and "钱七" in guessed, guessed[:500]
    shot(page, "5-uploaded-complaint")


def _iou_photo():
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), "white")
    ImageDraw.Draw(image).rectangle((20, 20, 460, 300), outline="black", width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return {"name": "借条照片.png", "mimeType": "image/png", "buffer": out.getvalue()}


def _complaint_pdf():
    from weasyprint import HTML

    html = (
        "<html><body style='font-family: WenQuanYi Micro Hei'><h1>民事起诉状</h1>"
        "<p>原告：赵六，男，1980年1月2日出生，汉族，住浙江省宁波市海曙区中山西路3号。</p>"
        "<p>被告：钱七，男，1982年3月4日出生，汉族，住浙江省宁波市鄞州区天童南路5号。</p>"
        "<p>诉讼请求：</p><p>1. 判令被告偿还借款本金人民币10000元；</p>"
        "<p>2. 本案诉讼费用由被告承担。</p><p>事实与理由：被告于2024年1月1日向原告借款"
        "10000元，至今未还。</p><p>此致</p><p>宁波市海曙区人民法院</p></body></html>"
    )
    return {
        "name": "起诉状.pdf",
        "mimeType": "application/pdf",
        "buffer": HTML(string=html).write_pdf(),
    }


def phone(browser):
    return new_phone(browser, timeout=30000)  # the server shares 2 cores with its worker


def shot(page, name):
    screenshot(page, f"filing-{name}")
