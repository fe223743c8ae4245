"""Issue 15 (progress): once service takes effect the sealed 电子送达凭证 is made in the
background; the service page says so with a spinner and checks again by itself every two
seconds until the certificate can be downloaded. Nobody is told to refresh."""

import pytest
from django.urls import reverse

from microcourt.notifications.models import Notification
from microcourt.service import actions
from microcourt.service.models import Status

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_service_page_waits_for_the_certificate_and_shows_it_when_made(
    client, case, clerk, parties, complaint, defendant_wang, wang, run_tasks,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        [service] = actions.service_serve(
            case=case, actor=clerk, recipient_ids=[parties["王五"].pk], documents=[complaint]
        )
    run_tasks()  # the SMS with the link goes out
    client.force_login(defendant_wang)
    token = Notification.objects.get(idempotency_key=f"service:{service.pk}:sms").body
    link = reverse("service:link", args=[token.split("/s/")[1].split("/")[0]])
    assert client.get(link).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(link).status_code == 302  # 王五 proves who he is and opens
    with django_capture_on_commit_callbacks(execute=True):
        run_tasks()  # service settles: served; the certificate is queued for the worker
    service.refresh_from_db()
    assert service.status == Status.SERVED and service.effective_at
    assert not service.certificate_path  # made by the worker, not yet

    page_url = reverse("service:detail", args=[case.pk, service.pk])
    page = client.get(page_url).content.decode()
    poll = f'hx-get="{page_url}?partial=certificate" hx-trigger="every 2s" hx-swap="outerHTML"'
    assert poll in page
    assert "电子送达凭证生成中" in page and "weui-loading" in page and 'role="status"' in page
    assert f'<a href="{page_url}">' in page  # without JavaScript: a link to the page

    run_tasks()  # the worker makes and seals the certificate
    done = client.get(page_url, {"partial": "certificate"}, **HTMX).content.decode()
    assert reverse("service:certificate", args=[case.pk, service.pk]) in done
    assert 'id="sv-certificate"' in done and "hx-trigger" not in done
    assert "生成中" not in done and "<html" not in done and "送达文书" not in done
