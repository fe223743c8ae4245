"""Stories of 送达: 赵书记员 serves the complaint copy on 王五, who is not on the platform
yet; 张三 confirmed his addresses when he filed; judgments need consent; postal and public
notice service; the certificate. Nothing is ever marked served that was not."""

import datetime as dt

import pytest
from django.utils import timezone

from microcourt.core.errors import Conflict, Forbidden, InvalidInput
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification
from microcourt.service import actions, selectors
from microcourt.service.events import LedgerEvent
from microcourt.service.models import Basis, Service, Status

from .conftest import pdf_bytes

pytestmark = pytest.mark.django_db


def link_token(service):
    sms = Notification.objects.get(idempotency_key=f"service:{service.pk}:sms")
    return sms.body.split("/s/")[1].split("/")[0]


def judgment():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return actions.document_upload(
        upload=SimpleUploadedFile("判决书.pdf", pdf_bytes("民事判决书"), "application/pdf"),
        title="民事判决书",
        kind="judgment",
    )


def test_the_defendant_is_served_by_sms_link_and_service_takes_effect_when_he_opens_it(
    case,
    clerk,
    parties,
    complaint,
    defendant_wang,
    wang,
    run_tasks,
    django_capture_on_commit_callbacks,
):
    wang_party = parties["王五"]
    with django_capture_on_commit_callbacks(execute=True):
        [service] = actions.service_serve(
            case=case, actor=clerk, recipient_ids=[wang_party.pk], documents=[complaint]
        )
    run_tasks()
    service.refresh_from_db()
    # The SMS went to the number the complaint gave, but 王五 never confirmed it: arrival
    # alone does not serve him (第三十一条第二款).
    delivery = service.deliveries.get()
    assert (delivery.channel, delivery.confirmed) == ("sms", False)
    assert delivery.address == "+8613933334444"
    assert service.status == Status.PENDING
    sms = Notification.objects.get(idempotency_key=f"service:{service.pk}:sms")
    assert sms.status == "sent" and "起诉状副本" in sms.body
    assert Entry.objects.filter(code=LedgerEvent.SERVED, case_id=case.pk).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        opened = actions.service_open_link(token=link_token(service), actor=wang)
    for _ in range(2):  # settle, then the certificate it enqueues
        with django_capture_on_commit_callbacks(execute=True):
            run_tasks()
    opened.refresh_from_db()
    # He proved who he is, so his account is now the party's; opening is acting on it.
    wang_party.refresh_from_db()
    assert wang_party.user_id == defendant_wang.pk
    assert opened.status == Status.SERVED
    assert opened.basis == Basis.ACTED
    assert opened.effective_at == opened.opened_at
    assert Entry.objects.filter(code=LedgerEvent.EFFECTIVE, case_id=case.pk).count() == 1
    # The certificate was made by the worker, sealed, and went into the ledger.
    assert opened.certificate_sha256
    entry = Entry.objects.get(code=LedgerEvent.CERTIFICATE, case_id=case.pk)
    assert entry.subject_digest == f"sha256:{opened.certificate_sha256}"
    items = selectors.dossier_items(case)
    assert [i["sha256"] for i in items] == [opened.certificate_sha256]


def test_a_confirmed_address_is_served_on_arrival_on_the_earliest_channel(
    case, clerk, parties, complaint, run_tasks, django_capture_on_commit_callbacks
):
    # 张三 filed online, agreed to online service and gave his own number in his complaint.
    with django_capture_on_commit_callbacks(execute=True):
        [service] = actions.service_serve(
            case=case, actor=clerk, recipient_ids=[parties["张三"].pk], documents=[complaint]
        )
    run_tasks()
    service.refresh_from_db()
    channels = {d.channel: d for d in service.deliveries.all()}
    assert set(channels) == {"platform", "sms"}
    assert all(d.confirmed for d in channels.values())
    # The platform inbox is reached at once, before the SMS gateway answers.
    assert service.status == Status.SERVED
    assert service.basis == Basis.REACHED
    assert service.effective_channel == "platform"
    assert service.effective_at == channels["platform"].reached_at
    assert channels["sms"].reached_at >= service.effective_at


def test_an_impostor_with_the_link_sees_nothing_and_nothing_is_served(
    case, clerk, parties, complaint, stranger, django_capture_on_commit_callbacks
):
    [service] = actions.service_serve(
        case=case, actor=clerk, recipient_ids=[parties["王五"].pk], documents=[complaint]
    )
    with pytest.raises(Forbidden, match="实名信息"):
        actions.service_open_link(token=link_token(service), actor=stranger)
    service.refresh_from_db()
    assert service.opened_at is None and service.status == Status.PENDING
    assert not Entry.objects.filter(code=LedgerEvent.OPENED).exists()


def test_an_expired_link_says_so_and_marks_nothing(case, clerk, parties, complaint, wang):
    [service] = actions.service_serve(
        case=case, actor=clerk, recipient_ids=[parties["王五"].pk], documents=[complaint]
    )
    Service.objects.filter(pk=service.pk).update(
        link_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(Conflict, match="链接已过期") as error:
        actions.service_open_link(token=link_token(service), actor=wang)
    assert error.value.code == "link_expired"
    service.refresh_from_db()
    assert service.opened_at is None and service.status == Status.PENDING


def test_an_unknown_recipient_is_refused_and_nobody_is_served(case, clerk, parties, complaint):
    with pytest.raises(InvalidInput) as error:
        actions.service_serve(
            case=case,
            actor=clerk,
            recipient_ids=[parties["王五"].pk, 999999],
            documents=[complaint],
        )
    assert "recipients" in error.value.fields
    assert not Service.objects.exists()
    assert not Notification.objects.filter(event="service.served").exists()


def test_a_party_cannot_serve(case, zhang, parties, complaint):
    with pytest.raises(Forbidden):
        actions.service_serve(
            case=case, actor=zhang, recipient_ids=[parties["王五"].pk], documents=[complaint]
        )


def test_judgments_go_electronically_only_with_express_consent(
    case, clerk, parties, zhang, zhang_phone
):
    zhang_party = parties["张三"]
    with pytest.raises(InvalidInput, match="须经同意") as error:
        actions.service_serve(
            case=case, actor=clerk, recipient_ids=[zhang_party.pk], documents=[judgment()]
        )
    assert "民事诉讼法第九十条" in str(error.value.fields["documents"])
    assert not Service.objects.exists()
    actions.address_confirm(
        case=case,
        participant=zhang_party,
        actor=zhang,
        channels=["platform", "sms"],
        phone="13811112222",
        postal_address="浙江省宁波市海曙区中山西路1号",
        includes_judgments=True,
    )
    [service] = actions.service_serve(
        case=case, actor=clerk, recipient_ids=[zhang_party.pk], documents=[judgment()]
    )
    assert service.documents.get().kind == "judgment"
    # Paper on request (民诉法第九十条).
    actions.service_paper_request(service=service, actor=zhang)
    service.refresh_from_db()
    assert service.paper_requested_at is not None
    assert service in selectors.desk(clerk)


def test_address_confirmation_refuses_an_unverified_number(case, parties, zhang):
    with pytest.raises(InvalidInput) as error:
        actions.address_confirm(
            case=case,
            participant=parties["张三"],
            actor=zhang,
            channels=["sms"],
            phone="13900000000",
            postal_address="浙江省宁波市海曙区中山西路1号",
        )
    assert "未经验证" in str(error.value.fields["phone"])
    assert not parties["张三"].address_confirmations.exists()


def test_address_confirmation_is_recorded_with_consent_and_can_refuse_e_service(
    case, clerk, parties, zhang, complaint
):
    from microcourt.cases import selectors as case_selectors

    row = actions.address_confirm(
        case=case,
        participant=parties["张三"],
        actor=zhang,
        channels=[],
        consent=False,
        postal_address="浙江省宁波市海曙区中山西路1号",
    )
    assert row.consent is False
    assert case_selectors.consent_for(parties["张三"], "service") is False
    assert Entry.objects.filter(code=LedgerEvent.ADDRESS_CONFIRMED).count() == 1
    with pytest.raises(InvalidInput, match="无法电子送达"):
        actions.service_serve(
            case=case, actor=clerk, recipient_ids=[parties["张三"].pk], documents=[complaint]
        )
    # Someone else's party cannot be confirmed for.
    from microcourt.core.errors import NotFound

    with pytest.raises(NotFound):
        actions.address_confirm(
            case=case,
            participant=parties["王五"],
            actor=zhang,
            channels=["sms"],
            phone="13811112222",
            postal_address="x",
        )


def test_batch_service_serves_every_recipient_in_one_act(case, notices, clerk, parties, complaint):
    services = actions.service_serve(
        case=case,
        actor=clerk,
        recipient_ids=[parties["张三"].pk, parties["王五"].pk],
        documents=[complaint, judgment_free_notice(case)],
    )
    assert len(services) == 2
    assert len({s.batch for s in services}) == 1
    assert all(s.documents.count() == 2 for s in services)
    # Served again: a new act with its own link (re-service is a court's choice).
    assert Entry.objects.filter(code=LedgerEvent.SERVED).count() == 2


def judgment_free_notice(case):
    notice = next(d for d in selectors.documents_to_serve(case) if "通知" in d["title"])
    return actions.document_of_case(case=case, key=notice["key"])


def test_postal_service_is_effective_when_signed_for(case, clerk, parties, complaint, run_tasks):
    with pytest.raises(InvalidInput) as error:
        actions.service_postal(
            case=case,
            actor=clerk,
            recipient_id=parties["王五"].pk,
            documents=[complaint],
            carrier="EMS",
            tracking_number="12AB",
            address="浙江省宁波市鄞州区天童南路2号",
        )
    assert "tracking_number" in error.value.fields
    service = actions.service_postal(
        case=case,
        actor=clerk,
        recipient_id=parties["王五"].pk,
        documents=[complaint],
        carrier="EMS",
        tracking_number="ea123456789cn",
        address="浙江省宁波市鄞州区天童南路2号",
    )
    assert service.tracking_number == "EA123456789CN"
    # A postal service is never settled by the sweep: only the post office's answer counts.
    actions.services_settle_due()
    service.refresh_from_db()
    assert service.status == Status.PENDING
    with pytest.raises(InvalidInput):
        actions.service_postal_result(
            service=service, actor=clerk, signed=True, at=timezone.now() + dt.timedelta(days=1)
        )
    signed_at = timezone.now()
    actions.service_postal_result(service=service, actor=clerk, signed=True, at=signed_at)
    service.refresh_from_db()
    assert (service.status, service.basis, service.effective_at) == (
        Status.SERVED,
        Basis.POSTAL,
        signed_at,
    )
    with pytest.raises(Conflict):
        actions.service_postal_result(service=service, actor=clerk, signed=False, at=signed_at)


def test_a_returned_letter_is_a_failed_service(case, clerk, parties, complaint):
    service = actions.service_postal(
        case=case,
        actor=clerk,
        recipient_id=parties["王五"].pk,
        documents=[complaint],
        carrier="EMS",
        tracking_number="1234567890123",
        address="浙江省宁波市鄞州区天童南路2号",
    )
    with pytest.raises(InvalidInput):
        actions.service_postal_result(service=service, actor=clerk, signed=False, at=timezone.now())
    actions.service_postal_result(
        service=service, actor=clerk, signed=False, at=timezone.now(), reason="查无此人"
    )
    service.refresh_from_db()
    assert service.status == Status.FAILED and "查无此人" in service.failure_reason
    assert service.effective_at is None


def test_public_notice_service_is_deemed_after_thirty_days(case, clerk, parties, complaint):
    service = actions.service_public_notice(
        case=case,
        actor=clerk,
        recipient_id=parties["王五"].pk,
        documents=[complaint],
        text="王五：本院受理原告张三诉你民间借贷纠纷一案，现依法向你公告送达起诉状副本。",
    )
    assert service in selectors.public_notices()
    published = service.notice_published_at
    actions.services_settle_due(now=published + dt.timedelta(days=29, hours=23))
    service.refresh_from_db()
    assert service.status == Status.PENDING
    actions.services_settle_due(now=published + dt.timedelta(days=30))
    service.refresh_from_db()
    assert service.status == Status.SERVED
    assert service.basis == Basis.NOTICE
    assert service.effective_at == published + dt.timedelta(days=30)


def test_settling_again_changes_nothing(case, clerk, parties, complaint, run_tasks):
    [service] = actions.service_serve(
        case=case, actor=clerk, recipient_ids=[parties["张三"].pk], documents=[complaint]
    )
    first = actions.service_settle(service_id=service.pk)
    again = actions.service_settle(service_id=service.pk)
    assert first.effective_at == again.effective_at
    assert Entry.objects.filter(code=LedgerEvent.EFFECTIVE).count() == 1


def test_when_every_channel_fails_the_service_fails_and_the_clerk_is_told(
    case, clerk, parties, complaint
):
    [service] = actions.service_serve(
        case=case, actor=clerk, recipient_ids=[parties["王五"].pk], documents=[complaint]
    )
    # The gateway gave up on the only channel (王五 has no account yet).
    Notification.objects.filter(idempotency_key=f"service:{service.pk}:sms").update(
        status="failed", last_error="isv.MOBILE_NUMBER_ILLEGAL"
    )
    # 赵书记员 reads the platform in English: the notice comes from the event's template in
    # her language, not from text built where the service failed.
    clerk.user.preferred_language = "en"
    clerk.user.save(update_fields=["preferred_language"])
    settled = actions.service_settle(service_id=service.pk)
    assert settled.status == Status.FAILED and settled.effective_at is None
    assert "MOBILE_NUMBER_ILLEGAL" in service.deliveries.get().outcome
    told = Notification.objects.get(event="service.failed", channel="inapp")
    assert told.recipient_id == clerk.user.pk
    assert told.title == f"Service failed: {case.number}"
    assert told.body.startswith("Service on 王五 could not be completed")
    entry = Entry.objects.get(code=LedgerEvent.FAILED)
    assert entry.actor_role == "system" and entry.details["service"] == service.pk


def test_the_recipient_signs_the_receipt_and_it_joins_the_dossier(
    case, clerk, parties, complaint, zhang
):
    from microcourt.signing import actions as signing
    from microcourt.signing import selectors as signing_selectors
    from microcourt.signing.tests.conftest import strokes_png

    [service] = actions.service_serve(
        case=case, actor=clerk, recipient_ids=[parties["张三"].pk], documents=[complaint]
    )
    with pytest.raises(Conflict, match="请先核验身份并查看文书"):
        actions.service_receipt_request(service=service, actor=zhang)
    actions.service_open(service=service, actor=zhang)
    request = actions.service_receipt_request(service=service, actor=zhang)
    assert actions.service_receipt_request(service=service, actor=zhang).pk == request.pk
    # 张三 was verified in person minutes ago: fresh enough to sign (在线诉讼规则第七条).
    signed = signing.signature_request_sign(
        request_id=request.pk, actor=zhang, handwriting_png=strokes_png()
    )
    assert signed.status == "signed"
    from django.core.files.storage import default_storage

    report = signing_selectors.pdf_verify(default_storage.open(signed.signed_path).read())
    assert report.valid and report.signatures[0].signer_name == "张三"
    titles = [i["title"] for i in selectors.dossier_items(case)]
    assert "送达回证：张三" in titles


def test_a_clerk_serves_the_same_document_across_cases_and_hears_which_failed(
    case, notices, clerk, officer_li, clerk_zhao, parties, complaint
):
    from microcourt.cases.models import Case, CaseParticipant
    from microcourt.core.actor import actor_for

    from .conftest import on_panel

    # A second case whose only defendant refused electronic service.
    other = Case.objects.create(
        court=case.court, case_type=case.case_type, year=2026, serial=99,
        number="（2026）浙0203民初99号", title="张三诉赵六", cause="民间借贷纠纷",
        status="accepted", filed_by=case.filed_by, filed_at=timezone.now(),
        accepted_at=timezone.now(),
    )  # fmt: skip
    CaseParticipant.objects.create(case=other, display_name="赵六", role="defendant")
    on_panel(other, officer_li, clerk_zhao, "clerk", "赵书记员")
    with pytest.raises(InvalidInput) as error:
        actions.services_serve_cases(actor=clerk, case_ids=[case.pk, 424242], document="complaint")
    assert "cases" in error.value.fields
    served, problems = actions.services_serve_cases(
        actor=clerk, case_ids=[case.pk, other.pk], document="complaint"
    )
    # 王五 is served in the first case; the second case has no complaint and no address.
    assert [s.recipient.display_name for s in served] == ["王五"]
    assert served[0].documents.get().title == "起诉状副本"
    assert list(problems) == ["（2026）浙0203民初99号"]
    served, problems = actions.services_serve_cases(
        actor=clerk, case_ids=[case.pk], document="evidence", recipients="all"
    )
    assert sorted(s.recipient.display_name for s in served) == ["张三", "王五"]
    assert served[0].documents.get().title.startswith("举证通知书")
    # A party has no desk to serve from.
    assert not selectors.batch_cases(actor_for(parties["张三"].user)).exists()
