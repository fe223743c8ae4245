"""The filing wizard's uploads say their limit and the kinds they take before anything is
sent, and carry it for the browser's own check (static/shell/upload-limit.js) — a 21 MB
photo is no longer refused only after it has travelled."""

import re
from html import unescape

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


@pytest.mark.parametrize(
    ("step", "describedby"), [("materials", "material"), ("claims", "complaint")]
)
def test_each_upload_tells_its_limit_before_sending(
    client, zhang, draft, settings, step, describedby
):
    settings.FILING_MAX_UPLOAD_BYTES = 20 * MB
    client.force_login(zhang.user)
    page = unescape(client.get(reverse("filing:step", args=[draft.number, step])).content.decode())
    file_input = re.search(r'<input class="mc-file" type="file"[^>]*>', page, re.S).group(0)
    assert f'data-max-bytes="{20 * MB}"' in file_input
    assert f"{describedby}-size-error" in file_input and "%(limit)s MB" in file_input
    limit_id = re.search(r'aria-describedby="([^" ]+)', file_input).group(1)
    told = re.search(rf'<p[^>]*id="{limit_id}"[^>]*>([^<]*)</p>', page).group(1)
    assert "20 MB" in told
    if step == "materials":
        assert "图片 JPG/PNG/WebP、PDF、Word 文档" in told
    assert "shell/upload-limit.js" in page
