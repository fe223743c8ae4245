"""End to end on phones (390×844), issue 8: in the demo case 张三 v. 李四 the clerk
(demo_clerk) serves the complaint copy on the defendant 李四 from the case's 送达 page; the
SMS (read off the local gateway's outbox, the development "phone") carries his personal
link; he opens it, logs in, proves who he is and reads the document; service takes effect
and the worker seals the 电子送达凭证; he signs the 送达回证 by hand on the phone; a visitor
checks the certificate's seal on the public verification page; both are bound into the
e-dossier, and the ledger receipt of the certificate is accepted by the offline verifier
``microcourt_verify.py``."""

import json
import re
import subprocess
import sys
import time

import pytest

from tests.browser import RESULTS, ROOT, demo_server, log_in, screenshot
from tests.browser import phone as new_phone

pytestmark = pytest.mark.e2e

server = demo_server("e2e-service")

WAIT = 20000
CASE_NUMBER = re.compile(r"（\d{4}）浙0203民初\d+号")
# 李四's own service SMS (张三 was served in the demo data too).
# 李四 is served the complaint copy (the demo served 张三 only his acceptance notice).
LINK = re.compile(r"送达了《[^》<]*起诉状[^》<]*》[^<]*?/s/([A-Za-z0-9_-]+)/")


def shot(page, name):
    screenshot(page, f"service-{name}")


def poll(page, url, selector, *, seconds=60):
    """Reload until ``selector`` shows: the worker does its part in its own time."""
    deadline = time.monotonic() + seconds
    while True:
        page.goto(url)
        if page.locator(selector).count():
            return page.locator(selector).first
        assert time.monotonic() < deadline, f"{selector} never appeared on {url}"
        time.sleep(1)


def test_the_defendant_is_served_by_sms_link_and_the_certificate_verifies(
    server, browser, tmp_path
):
    # 1. The clerk serves the complaint copy on 李四 from the case's service page.
    clerk = new_phone(browser)
    log_in(clerk, server, "demo_clerk")
    clerk.goto(server + "/cases/")
    case_link = clerk.locator("a", has_text=CASE_NUMBER).first
    case_id = int(re.search(r"/cases/(\d+)/", case_link.get_attribute("href")).group(1))
    clerk.goto(f"{server}/cases/{case_id}/service/")
    recipient = clerk.locator("label.weui-cell", has_text="李四")
    recipient.locator("input[name=recipients]").check()
    clerk.locator("label.weui-cell", has_text="起诉状").locator("input[name=documents]").check()
    shot(clerk, "1-clerk-serves")
    clerk.click("form.sv-serve button[type=submit]")
    clerk.wait_for_selector("a.sv-item:has-text('李四')", timeout=WAIT)

    # 2. The SMS reaches 李四's phone (the local gateway's outbox) with his link.
    admin = new_phone(browser)
    log_in(admin, server, "demo_admin")
    deadline = time.monotonic() + 30
    while True:
        admin.goto(server + "/notifications/outbox/")
        found = LINK.search(admin.content())
        if found:
            break
        assert time.monotonic() < deadline, "the service SMS never reached the local gateway"
        time.sleep(1)
    token = found.group(1)

    # 3. 李四 follows the link, logs in, proves who he is and reads the complaint copy.
    lisi = new_phone(browser)
    lisi.goto(f"{server}/s/{token}/")
    lisi.wait_for_url(re.compile(r".*/accounts/login/.*"))
    lisi.fill("#id_login", "demo_citizen2")
    lisi.fill("#id_password", "microcourt-demo")
    lisi.click("form.mc-auth-form button[type=submit]")
    lisi.wait_for_url(f"{server}/s/{token}/", timeout=WAIT)
    shot(lisi, "2-link")
    lisi.click("button.sv-open")
    lisi.wait_for_url(re.compile(rf".*/cases/{case_id}/service/\d+/$"), timeout=WAIT)
    detail = lisi.url
    document = lisi.locator("a.sv-doc").first
    assert "起诉状" in document.inner_text()
    pdf = lisi.request.get(server + document.get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    shot(lisi, "3-read")

    # 4. Service took effect; the worker seals the certificate.
    certificate_link = poll(lisi, detail, "a[href$='/certificate/']")
    assert "送达生效" in lisi.content()
    shot(lisi, "4-served")
    certificate = lisi.request.get(server + certificate_link.get_attribute("href")).body()
    assert certificate.startswith(b"%PDF")
    (tmp_path / "certificate.pdf").write_bytes(certificate)

    # 5. 李四 signs the 送达回证 with his finger (he was verified in person minutes ago, so
    # his identity check is fresh), and the signed receipt verifies.
    lisi.goto(detail)
    lisi.click("button.sv-sign")
    lisi.wait_for_url(re.compile(r".*/sign/\d+/$"), timeout=WAIT)
    box = lisi.locator("canvas.sg-pad__canvas").bounding_box()
    lisi.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    lisi.mouse.down()
    for step in range(1, 12):
        lisi.mouse.move(box["x"] + 20 + step * 20, box["y"] + box["height"] / 2 + (-1) ** step * 25)
    lisi.mouse.up()
    shot(lisi, "5-sign")
    lisi.click("form.sg-sign button[type=submit]")
    lisi.wait_for_selector(".sg-verdict_ok", timeout=WAIT)
    assert "李四" in lisi.locator(".mc-signing").inner_text()
    shot(lisi, "6-signed")

    # 6. Anyone can check the sealed certificate on the public verification page.
    visitor = new_phone(browser)
    visitor.goto(server + "/verify/pdf/")
    visitor.set_input_files("#id_file", str(tmp_path / "certificate.pdf"))
    visitor.click("form.weui-form button[type=submit]")
    verdict = visitor.wait_for_selector(".sg-verdict", timeout=WAIT)
    assert "sg-verdict_ok" in verdict.get_attribute("class")
    assert "宁波市海曙区人民法院" in visitor.content()
    shot(visitor, "7-verify")

    # 7. The certificate and the signed receipt are in 李四's e-dossier.
    lisi.goto(f"{server}/cases/{case_id}/dossier/")
    lisi.click("form[action$='/dossier/new/'] button")
    lisi.wait_for_selector("#builds .weui-cell:has-text('送达凭证')", timeout=60000)
    assert lisi.locator("#builds .weui-cell:has-text('送达回证')").count() == 1
    shot(lisi, "8-dossier")

    # 8. Anyone can check it offline: the ledger's receipt for the file's digest, verified
    # by the stand-alone verifier against the log's key.
    found = lisi.request.post(
        f"{server}/api/v1/ledger/verify",
        multipart={
            "file": {
                "name": "certificate.pdf",
                "mimeType": "application/pdf",
                "buffer": certificate,
            }
        },
    ).json()
    assert found["entries"], "the certificate's digest is not in the ledger"
    (tmp_path / "receipt.json").write_text(json.dumps(found["entries"][-1]))
    key = lisi.request.get(f"{server}/api/v1/ledger/key").text().strip()
    result = subprocess.run(
        [sys.executable, str(ROOT / "microcourt_verify.py"), "receipt",
         str(tmp_path / "receipt.json"), "--file", str(tmp_path / "certificate.pdf"),
         "--key", key],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    (RESULTS / "service-receipt-verify.txt").write_text(result.stdout)
