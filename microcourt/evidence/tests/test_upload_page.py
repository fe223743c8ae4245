"""Submitting evidence as a party meets it: the page says beforehand which kinds of file it
takes (as people name them, each once) and how large each may be, the browser refuses an
oversized file before sending it, and a refused type is explained in the same plain words —
never "MP4、MP4 … VND.OPENXMLFORMATS-…", and HTML is not taken."""

import re
from html import unescape

import pytest

from microcourt.core.errors import InvalidInput
from microcourt.evidence.models import Exhibit
from tests.rendered import rendered

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
CHAT_PAGE = (
    "<!DOCTYPE html><html><head><title>聊天</title></head>"
    "<body><p>王五：我借了五万</p></body></html>"
).encode()


def evidence_page(client, case, user):
    client.force_login(user)
    return client.get(f"/cases/{case.pk}/evidence/")


def test_a_refused_type_is_explained_in_kinds_people_know_each_once(case, plaintiff_zhang, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(plaintiff_zhang)
    response = client.post(
        f"/cases/{case.pk}/evidence/",
        {
            "name": "微信聊天记录",
            "source": "原告手机导出",
            "purpose": "证明被告承认借款",
            "file": SimpleUploadedFile("聊天记录.html", CHAT_PAGE, "text/html"),
        },
    )
    assert response.status_code == 400
    assert not Exhibit.objects.exists()  # an HTML page is not taken
    said = unescape(response.content.decode())
    explained = re.search(r"只接受 ([^<]*)", said).group(1)
    assert explained.startswith(
        "图片 JPG/PNG/WebP/GIF、PDF、Word 文档、Excel 表格、音频 MP3/M4A/OGG/WebM/WAV、"
        "视频 MP4/WebM、文本 TXT"
    )
    assert "这个文件是 网页 HTML" in explained
    accepted = explained.split("（")[0]
    assert "HTML" not in accepted and "VND" not in accepted and "MPEG" not in accepted
    assert accepted.count("MP4") == 1


def test_the_page_tells_the_kinds_and_limits_next_to_the_file_input(
    case, plaintiff_zhang, client, settings
):
    settings.EVIDENCE_MAX_IMAGE_MB = 20
    settings.EVIDENCE_MAX_VIDEO_MB = 500
    page = unescape(evidence_page(client, case, plaintiff_zhang).content.decode())
    file_input = re.search(r'<input id="ev-file"[^>]*>', page, re.S).group(0)
    assert f'data-max-bytes="{500 * MB}"' in file_input
    assert f'"image/": {20 * MB}' in file_input  # an image is checked against its own limit
    assert ".html" not in file_input
    told = re.search(r'<p[^>]*id="ev-file-limits"[^>]*>([^<]*)</p>', page).group(1)
    assert "图片 JPG/PNG/WebP/GIF" in told and "视频 MP4/WebM" in told
    assert "图片 20 MB" in told and "视频 500 MB" in told
    assert "ev-file-limits" in file_input  # read out with the input
    assert "shell/upload-limit.js" in page


def test_the_browser_refuses_an_oversized_photo_before_sending_it(
    case, plaintiff_zhang, client, settings
):
    settings.EVIDENCE_MAX_IMAGE_MB = 2  # small numbers keep the test light; 20 MB in use
    path = f"/cases/{case.pk}/evidence/"
    html = evidence_page(client, case, plaintiff_zhang).content.decode()
    with rendered(html, path=path, width=360) as page:
        sent = []
        page.on("request", lambda r: sent.append(r.url) if r.method == "POST" else None)
        page.fill("input[name=name]", "现场照片")
        page.fill("input[name=source]", "原告拍摄")
        page.fill("textarea[name=purpose]", "证明损坏情况")
        big = {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg(2.5 * MB)}
        page.set_input_files("#ev-file", big)
        alert = page.locator("#ev-file-size-error")
        alert.wait_for(state="visible")
        assert "“现场.jpg”有 2.5 MB，超过了 2 MB 的上限" in alert.inner_text()
        page.locator("form.ev-upload button[type=submit]").click()
        page.wait_for_timeout(300)
        assert sent == []  # nothing was sent
        # A photo within its limit is let through to the server.
        page.set_input_files(
            "#ev-file", {"name": "现场.jpg", "mimeType": "image/jpeg", "buffer": jpeg(MB)}
        )
        assert not alert.is_visible()
        page.locator("form.ev-upload button[type=submit]").click()
        page.wait_for_timeout(500)
        assert sent == [page.url]


def jpeg(size: float) -> bytes:
    return b"\xff\xd8\xff" + bytes(int(size) - 3)


def test_the_server_still_refuses_what_the_browser_let_through(case, zhang, settings, submit):
    settings.EVIDENCE_MAX_IMAGE_MB = 1
    from .conftest import png_bytes

    big = png_bytes() + b"\0" * (MB + 1)
    with pytest.raises(InvalidInput) as refused:
        submit(zhang, data=big)
    assert "1 MB" in str(refused.value.fields["file"])
