"""A signature request: the court (赵书记员) asks 张三 to sign the hearing transcript; 张三
opens /sign/<id>/ on the phone, passes the face check, signs on the pad and downloads the
signed PDF. 王五 cannot even see that the request exists."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.core.files.storage import default_storage

from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, InvalidInput, NotFound
from microcourt.ledger.models import Entry
from microcourt.signing import actions, selectors
from microcourt.signing.events import LedgerEvent
from microcourt.signing.models import RequestStatus, SignedDocument

from .conftest import age_checks, pdf_bytes, strokes_png

pytestmark = pytest.mark.django_db

TRANSCRIPT = pdf_bytes("庭审笔录", "审判员：现在开庭。原告张三到庭，被告王五到庭。")


def pad_value(png: bytes | None = None) -> str:
    return "data:image/png;base64," + base64.b64encode(png or strokes_png()).decode()


@pytest.fixture
def transcript_request(clerk, plaintiff_zhang):
    return actions.signature_request_create(
        pdf=TRANSCRIPT,
        title="庭审笔录",
        purpose="hearing",
        signer=plaintiff_zhang,
        case_id=7,
        actor=clerk,
    )


def test_a_request_stores_the_pdf_content_addressed_and_is_recorded(transcript_request, clerk):
    row = transcript_request
    assert row.status == RequestStatus.PENDING and row.case_id == 7
    assert row.source_path.startswith(f"signing/{row.source_sha256[:2]}/{row.source_sha256}")
    with default_storage.open(row.source_path, "rb") as handle:
        assert handle.read() == TRANSCRIPT
    entry = Entry.objects.get(code=LedgerEvent.REQUEST_CREATED)
    assert entry.subject_digest == f"sha256:{row.source_sha256}" and entry.case_id == 7
    assert entry.details["request"] == row.pk and entry.actor_user_id == clerk.user_id
    # The clerk asked: the signer is told where to sign, in the app and by SMS.
    from microcourt.notifications.models import Notification

    told = Notification.objects.filter(event="signing.requested", recipient=row.signer)
    assert set(told.values_list("channel", flat=True)) == {"inapp", "sms"}
    assert f"/sign/{row.pk}/" in told.get(channel="sms").body


def test_bad_requests_are_refused_naming_the_field(clerk, plaintiff_zhang):
    def create(**changes):
        values = {
            "pdf": TRANSCRIPT, "title": "庭审笔录", "purpose": "hearing",
            "signer": plaintiff_zhang, "actor": clerk, **changes,
        }  # fmt: skip
        with pytest.raises(InvalidInput) as caught:
            actions.signature_request_create(**values)
        return set(caught.value.fields)

    assert create(pdf=b"not a pdf at all") == {"pdf"}
    assert create(pdf=b"") == {"pdf"}
    assert create(title=" ") == {"title"}
    assert create(purpose="registration") == {"purpose"}
    assert create(signer=None) == {"signer"}


def test_the_signer_sees_it_in_the_list_and_is_asked_for_a_face_check_first(
    client, plaintiff_zhang, transcript_request
):
    client.force_login(plaintiff_zhang)
    listing = client.get("/sign/").content.decode()
    assert "庭审笔录" in listing and "待签署" in listing
    page = client.get(f"/sign/{transcript_request.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "请先完成实名认证" in html
    assert "/accounts/verify/?next=/sign/" in html
    assert "<canvas" not in html  # no pad until the check is done
    # Posting anyway (a stale page) changes nothing and says why.
    refused = client.post(f"/sign/{transcript_request.pk}/", {"handwriting": pad_value()})
    assert refused.status_code == 403
    transcript_request.refresh_from_db()
    assert transcript_request.status == RequestStatus.PENDING
    assert not SignedDocument.objects.exists()


def test_an_old_face_check_sends_the_signer_to_a_recheck(
    client, zhang, plaintiff_zhang, transcript_request
):
    age_checks(plaintiff_zhang, dt.timedelta(hours=1))
    client.force_login(plaintiff_zhang)
    html = client.get(f"/sign/{transcript_request.pk}/").content.decode()
    assert "人脸核验" in html
    assert "/accounts/verify/recheck/?purpose=hearing&amp;next=/sign/" in html


def test_the_signer_signs_on_the_pad_and_gets_the_signed_pdf_and_its_verification(
    client, zhang, plaintiff_zhang, transcript_request
):
    client.force_login(plaintiff_zhang)
    page = client.get(f"/sign/{transcript_request.pk}/").content.decode()
    assert "<canvas" in page and "签署" in page
    assert f"/sign/{transcript_request.pk}/document.pdf" in page
    document = client.get(f"/sign/{transcript_request.pk}/document.pdf")
    assert document["Content-Type"] == "application/pdf" and document.content == TRANSCRIPT
    assert "inline" in document["Content-Disposition"]

    done = client.post(f"/sign/{transcript_request.pk}/", {"handwriting": pad_value()})
    assert done.status_code == 302
    row = transcript_request
    row.refresh_from_db()
    assert row.status == RequestStatus.SIGNED and row.signed_at is not None
    signed = client.get(f"/sign/{row.pk}/signed.pdf?download=1")
    assert "attachment" in signed["Content-Disposition"]
    assert signed.content.startswith(TRANSCRIPT)  # the original, plus the signature
    report = selectors.pdf_verify(signed.content)
    assert report.valid and report.signatures[0].signer_name == "张三"
    entry = Entry.objects.get(code=LedgerEvent.SIGNATURE_APPLIED)
    assert entry.details["request"] == row.pk and entry.case_id == 7
    assert row.signed_document.ledger_entry == entry

    after = client.get(f"/sign/{row.pk}/").content.decode()
    assert "下载已签署的文件" in after and "有效" in after and "/ledger/receipts/" in after
    with pytest.raises(Conflict):
        actions.signature_request_sign(
            request_id=row.pk, actor=zhang, handwriting_png=strokes_png()
        )


def test_a_blank_pad_is_refused_with_the_reason(client, zhang, plaintiff_zhang, transcript_request):
    client.force_login(plaintiff_zhang)
    page = client.post(f"/sign/{transcript_request.pk}/", {"handwriting": ""})
    assert page.status_code == 400
    assert "请先在签名框内手写签名" in page.content.decode()
    transcript_request.refresh_from_db()
    assert transcript_request.status == RequestStatus.PENDING


def test_anyone_but_the_signer_gets_404_on_the_page_and_its_pdfs(
    client, wang, defendant_wang, transcript_request
):
    from microcourt.identity.tests.factories import UserFactory

    lawyer_liu = UserFactory(username="lawyer_liu", display_name="刘律师")
    for user in (defendant_wang, lawyer_liu):
        client.force_login(user)
        for path in ("", "document.pdf", "signed.pdf"):
            assert client.get(f"/sign/{transcript_request.pk}/{path}").status_code == 404
        assert (
            client.post(f"/sign/{transcript_request.pk}/", {"handwriting": pad_value()}).status_code
            == 404
        )
        assert "庭审笔录" not in client.get("/sign/").content.decode()
    with pytest.raises(NotFound):
        actions.signature_request_sign(
            request_id=transcript_request.pk, actor=wang, handwriting_png=strokes_png()
        )
    assert client.get("/sign/999999/").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, transcript_request):
    response = client.get(f"/sign/{transcript_request.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_requester_can_withdraw_a_pending_request(transcript_request, clerk, zhang):
    with pytest.raises(NotFound):
        actions.signature_request_cancel(request_id=transcript_request.pk, actor=zhang)
    row = actions.signature_request_cancel(request_id=transcript_request.pk, actor=clerk)
    assert row.status == RequestStatus.CANCELLED
    assert Entry.objects.filter(code=LedgerEvent.REQUEST_CANCELLED).count() == 1
    with pytest.raises(Conflict):
        actions.signature_request_sign(
            request_id=row.pk, actor=zhang, handwriting_png=strokes_png()
        )


def test_a_stored_pdf_that_changed_is_not_signed(transcript_request, zhang):
    with default_storage.open(transcript_request.source_path, "wb") as handle:
        handle.write(pdf_bytes("被改过的笔录"))
    with pytest.raises(Conflict) as caught:
        actions.signature_request_sign(
            request_id=transcript_request.pk, actor=zhang, handwriting_png=strokes_png()
        )
    assert "pdf" in caught.value.fields


def test_a_system_actor_can_ask_for_signatures_for_other_apps(plaintiff_zhang):
    row = actions.signature_request_create(
        pdf=TRANSCRIPT,
        title="送达地址确认书",
        purpose="signature",
        signer=plaintiff_zhang,
        actor=Actor.system("service: address confirmation"),
    )
    assert row.created_by is None and row.case_id is None


def test_the_list_costs_the_same_queries_for_one_request_or_many(
    client, clerk, plaintiff_zhang, transcript_request, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(plaintiff_zhang)
    client.get("/sign/")  # the first request after log-in also refreshes the session
    with CaptureQueriesContext(connection) as one:
        client.get("/sign/")
    for n in range(4):
        actions.signature_request_create(
            pdf=TRANSCRIPT, title=f"笔录{n}", purpose="hearing", signer=plaintiff_zhang,
            actor=clerk,
        )  # fmt: skip
    with django_assert_num_queries(len(one.captured_queries)):
        html = client.get("/sign/").content.decode()
    assert html.count("/sign/") >= 5
