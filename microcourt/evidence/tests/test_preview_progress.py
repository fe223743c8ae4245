"""Issue 15 (progress): while an exhibit's preview is being made, its page says so with a
spinner and checks again by itself every two seconds; once made, the same check brings the
preview in and stops. Nobody is told to refresh the page."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_exhibit_page_shows_the_preview_coming_and_fetches_it_when_ready(
    client, case, zhang, submit, run_tasks
):
    exhibit = submit(zhang)  # the preview is queued for the worker, not yet made
    assert exhibit.preview_status == "pending"
    client.force_login(zhang.user)
    page_url = reverse("evidence:exhibit", args=[case.pk, exhibit.number])

    page = client.get(page_url).content.decode()
    poll = f'hx-get="{page_url}?partial=preview" hx-trigger="every 2s" hx-swap="outerHTML"'
    assert poll in page
    assert "正在生成预览" in page and "weui-loading" in page and 'role="status"' in page
    assert "请稍后刷新" not in page
    # Without JavaScript, a plain link to the page itself.
    assert f'<a href="{page_url}">' in page

    # Still pending: the check answers with the same waiting block, still polling.
    waiting = client.get(page_url, {"partial": "preview"}, **HTMX).content.decode()
    assert poll in waiting and "<html" not in waiting

    run_tasks()  # the worker makes the preview
    done = client.get(page_url, {"partial": "preview"}, **HTMX).content.decode()
    assert reverse("evidence:preview", args=[case.pk, exhibit.number]) in done
    assert 'id="ev-preview"' in done  # it replaces the waiting block in place
    assert "hx-trigger" not in done and "正在生成预览" not in done
    assert "<html" not in done and "提交方" not in done  # only the block, not the page
