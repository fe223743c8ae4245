"""验证: anyone (no log-in) drops a PDF on the page or posts it to the API and learns whether
its signatures and seals hold, who signed, when, and where the ledger receipt is."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from .conftest import pdf_bytes

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "调解协议.pdf", kind: str = "application/pdf"):
    return SimpleUploadedFile(name, data, kind)


def test_the_verification_page_is_public_and_mobile_first(client):
    page = client.get("/verify/pdf/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="viewport"' in html and 'type="file"' in html
    assert "/pki/ca.pem" in html and "/pki/crl.der" in html


def test_a_signed_pdf_is_shown_valid_with_signer_time_and_receipt(client, signed_by_zhang):
    page = client.post("/verify/pdf/", {"file": upload(signed_by_zhang.pdf)})
    assert page.status_code == 200
    html = page.content.decode()
    assert "有效" in html and "无效" not in html
    assert "张三" in html
    assert "可信时间戳有效" in html
    assert "/ledger/receipts/" in html


def test_a_tampered_pdf_is_shown_invalid_with_the_reason(client, signed_by_zhang):
    data = bytearray(signed_by_zhang.pdf)
    start = data.index(b"stream\n") + 20  # inside the first (page content) stream
    data[start] ^= 0x01
    html = client.post("/verify/pdf/", {"file": upload(bytes(data))}).content.decode()
    assert "无效" in html and "篡改" in html


def test_htmx_gets_only_the_result(client, signed_by_zhang):
    page = client.post(
        "/verify/pdf/", {"file": upload(signed_by_zhang.pdf)}, headers={"HX-Request": "true"}
    )
    html = page.content.decode()
    assert html.lstrip().startswith('<div id="result">')
    assert "<html" not in html


def test_htmx_gets_a_bad_file_explained_in_the_fragment(client):
    page = client.post(
        "/verify/pdf/", {"file": upload(b"GIF89a....")}, headers={"HX-Request": "true"}
    )
    assert page.status_code == 200  # htmx swaps 2xx only
    assert "只接受 PDF" in page.content.decode()


def test_a_pdf_without_signatures_says_so(client):
    html = client.post("/verify/pdf/", {"file": upload(pdf_bytes("起诉状"))}).content.decode()
    assert "没有电子签名" in html


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        ({}, "请选择"),
        ({"file": upload(b"GIF89a....", "x.pdf", "application/pdf")}, "只接受 PDF"),
        ({"file": upload(b"", "empty.pdf")}, "文件为空"),
    ],
)
def test_bad_files_get_a_clear_error_naming_the_field(client, files, reason):
    page = client.post("/verify/pdf/", files)
    assert page.status_code == 400
    html = page.content.decode()
    assert reason in html and 'id="file-error"' in html


def test_the_api_returns_the_report_as_json(client, signed_by_zhang):
    response = client.post("/api/v1/signing/verify", {"file": upload(signed_by_zhang.pdf)})
    assert response.status_code == 200
    body = response.json()
    assert body["valid"] is True
    (signature,) = body["signatures"]
    assert signature["signer_name"] == "张三"
    assert signature["purpose"] == "signature"
    assert signature["signing_time"].endswith("+00:00")
    assert signature["receipt_url"].startswith("/ledger/receipts/")
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/signing/verify" in spec["paths"]


def test_the_api_refuses_bad_input_in_the_one_error_shape(client):
    missing = client.post("/api/v1/signing/verify", {})
    assert missing.status_code == 400
    assert "file" in missing.json()["error"]["fields"]
    not_pdf = client.post(
        "/api/v1/signing/verify", {"file": upload(b"\x89PNG\r\n\x1a\n....", "a.pdf")}
    )
    assert not_pdf.status_code == 400
    error = not_pdf.json()["error"]
    assert error["code"] == "invalid" and "PDF" in error["fields"]["file"]
    broken = client.post("/api/v1/signing/verify", {"file": upload(b"%PDF-1.7\n%%EOF\n")})
    assert broken.status_code == 400
    assert "损坏" in broken.json()["error"]["fields"]["file"]


def test_the_pad_partial_renders_a_canvas_a_hidden_field_and_its_scripts():
    html = render_to_string("signing/pad.html", {"field_name": "handwriting"})
    assert "<canvas" in html and 'name="handwriting"' in html and "data-pad-clear" in html
    assert "vendor/signature_pad/signature_pad.umd.min.js" in html
    assert "signing/pad.js" in html
    # Served from the npm package, as shipped.
    assert finders.find("vendor/signature_pad/signature_pad.umd.min.js")
    assert finders.find("signing/pad.js")
