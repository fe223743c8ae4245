"""民事诉讼法第九十条: a judgment, ruling or 调解书 goes electronically only with the
recipient's express consent, and the court provides paper when the recipient asks. Both rules
live in the actions: a direct POST or an API call meets them just as the page does."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification
from microcourt.service import actions
from microcourt.service.events import LedgerEvent
from microcourt.service.models import Service

from .conftest import pdf_bytes

pytestmark = pytest.mark.django_db

API = "/api/v1"


def judgment():
    return actions.document_upload(
        upload=SimpleUploadedFile("判决书.pdf", pdf_bytes("民事判决书"), "application/pdf"),
        title="民事判决书",
        kind="judgment",
    )


@pytest.fixture
def consented(case, parties, zhang, zhang_phone):
    """张三 agreed in his 送达地址确认书 to receive judgments electronically."""
    actions.address_confirm(
        case=case,
        participant=parties["张三"],
        actor=zhang,
        channels=["platform"],
        postal_address="浙江省宁波市海曙区中山西路1号",
        includes_judgments=True,
    )
    return parties["张三"]


def paper_api(client, service):
    return client.post(
        f"{API}/cases/{service.case_id}/service/{service.pk}/paper",
        {},
        content_type="application/json",
    )


def test_a_direct_post_cannot_serve_a_judgment_electronically_without_consent(
    client, case, clerk, parties
):
    client.force_login(clerk.user)
    page = client.post(
        reverse("service:case", args=[case.pk]),
        {
            "recipients": [parties["张三"].pk],
            "method": "electronic",
            "file": SimpleUploadedFile("判决书.pdf", pdf_bytes("民事判决书"), "application/pdf"),
            "title": "民事判决书",
            "kind": "judgment",
        },
    )
    assert "民事诉讼法第九十条" in page.content.decode()
    assert not Service.objects.exists()
    assert not Notification.objects.filter(event="service.served").exists()


def test_the_recipient_asks_for_paper_by_api_and_the_clerk_is_told(
    client, case, clerk, consented, plaintiff_zhang
):
    [service] = actions.service_serve(
        case=case, actor=clerk, recipient_ids=[consented.pk], documents=[judgment()]
    )
    client.force_login(plaintiff_zhang)
    detail = client.get(reverse("service:detail", args=[case.pk, service.pk]))
    assert detail.context["needs_paper_offer"] is True
    response = paper_api(client, service)
    assert response.status_code == 200 and response.json()["paper_requested_at"]
    assert paper_api(client, service).status_code == 200  # asking again records it once
    entry = Entry.objects.get(code=LedgerEvent.PAPER_REQUESTED)
    assert (entry.actor_role, entry.actor_user_id) == ("citizen", plaintiff_zhang.pk)
    told = Notification.objects.get(event="service.paper_requested", channel="inapp")
    assert told.recipient_id == clerk.user.pk
    assert told.title == f"当事人申请纸质文书：{case.number}"
    assert told.body == "张三申请领取纸质文书，请安排邮寄。"


def test_paper_is_not_for_other_documents_nor_for_someone_else(
    client, case, clerk, parties, complaint, plaintiff_zhang, defendant_wang, wang
):
    # A complaint copy served electronically: no paper right under 第九十条.
    [service] = actions.service_serve(
        case=case, actor=clerk, recipient_ids=[parties["张三"].pk], documents=[complaint]
    )
    before = Entry.objects.count()
    client.force_login(plaintiff_zhang)
    response = paper_api(client, service)
    assert response.status_code == 403 and "第九十条" in response.json()["error"]["message"]
    page = client.post(reverse("service:detail", args=[case.pk, service.pk]), {"do": "paper"})
    assert page.status_code == 403
    # A judgment that went by post is already on paper.
    posted = actions.service_postal(
        case=case, actor=clerk, recipient_id=parties["张三"].pk, documents=[judgment()],
        carrier="EMS", tracking_number="EA123456789CN", address="浙江省宁波市海曙区中山西路1号",
    )  # fmt: skip
    assert paper_api(client, posted).status_code == 403
    # 王五 cannot ask on 张三's behalf: he does not even see that service.
    client.force_login(defendant_wang)
    assert paper_api(client, service).status_code == 404
    service.refresh_from_db()
    posted.refresh_from_db()
    assert service.paper_requested_at is None and posted.paper_requested_at is None
    assert Entry.objects.count() == before + 1  # only the postal service's own entry
    assert not Notification.objects.filter(event="service.paper_requested").exists()
