"""Who may serve, confirm addresses and ask for paper — proved through the page, the API
and the actions alike (service/policies.py). The attack that found it: a mediator of the
court, on no panel of the case, served documents on 张三 through the API (201). Now the
court's people not on the case, and staff of another court, find nothing (404); a mediator on
the panel and a party may see the case but not serve (403); refused requests store nothing."""

import hashlib
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from microcourt.core.actor import actor_for
from microcourt.core.errors import Forbidden, NotFound
from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification
from microcourt.service import actions, selectors
from microcourt.service.events import LedgerEvent
from microcourt.service.models import AddressConfirmation, Service

from .conftest import on_panel, pdf_bytes, staff

pytestmark = pytest.mark.django_db

API = "/api/v1"


def snapshot():
    """What a refused request must not change."""
    return (
        Service.objects.count(),
        Entry.objects.count(),
        Notification.objects.count(),
        AddressConfirmation.objects.count(),
    )


def serve_payload(case, parties):
    complaint = next(d for d in selectors.documents_to_serve(case) if "起诉状" in d["title"])
    return {"recipients": [parties["张三"].pk], "documents": [complaint["key"]]}


def serve_by_api(client, case, parties):
    return client.post(
        f"{API}/cases/{case.pk}/service",
        serve_payload(case, parties),
        content_type="application/json",
    )


def serve_on_page(client, case, parties):
    body = serve_payload(case, parties) | {"method": "electronic"}
    return client.post(reverse("service:case", args=[case.pk]), body)


def test_the_attack_staff_off_the_case_find_nothing_and_serve_nothing(
    client, case, parties, mediator_off_panel, judge_elsewhere, court_haishu
):
    judge_off_panel = staff(court_haishu, "judge", "judge_sun", "孙法官")
    before = snapshot()
    for user in (mediator_off_panel, judge_off_panel, judge_elsewhere):
        client.force_login(user)
        assert client.get(reverse("service:case", args=[case.pk])).status_code == 404
        response = serve_by_api(client, case, parties)
        assert response.status_code == 404, (user, response.content)
        assert response.json()["error"]["code"] == "not_found"
        assert serve_on_page(client, case, parties).status_code == 404
        # And the action itself, whatever interface calls it.
        with pytest.raises(NotFound):
            actions.services_serve_by(
                case=case,
                actor=actor_for(user),
                method="electronic",
                recipient_ids=[parties["张三"].pk],
                document_keys=serve_payload(case, parties)["documents"],
            )
    assert snapshot() == before


def test_a_mediator_on_the_panel_sees_the_case_but_may_not_serve(
    client, case, parties, mediator_on_panel
):
    client.force_login(mediator_on_panel)
    assert client.get(reverse("service:case", args=[case.pk])).status_code == 200
    before = snapshot()
    response = serve_by_api(client, case, parties)
    assert response.status_code == 403
    assert "调解员不能送达" in response.json()["error"]["message"]
    page = serve_on_page(client, case, parties)
    assert page.status_code == 403 and "调解员不能送达" in page.content.decode()
    assert snapshot() == before


def test_a_party_may_not_serve(client, case, parties, plaintiff_zhang, zhang):
    client.force_login(plaintiff_zhang)
    before = snapshot()
    response = serve_by_api(client, case, parties)
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"
    assert serve_on_page(client, case, parties).status_code == 403
    # A party does not list the court's documents either.
    assert client.get(f"{API}/cases/{case.pk}/service/documents").status_code == 404
    assert snapshot() == before


def test_the_panel_clerk_serves_and_the_ledger_records_a_clerk(client, case, parties, clerk):
    client.force_login(clerk.user)
    response = serve_by_api(client, case, parties)
    assert response.status_code == 201
    entry = Entry.objects.get(code=LedgerEvent.SERVED)
    assert (entry.actor_role, entry.actor_user_id) == ("clerk", clerk.user.pk)


def test_the_filing_officer_serves_the_filing_documents_but_not_a_judgment(
    client, case, parties, officer_li
):
    from microcourt.identity.tests.test_mfa import enrol_totp

    enrol_totp(officer_li.user)
    client.force_login(officer_li.user)
    # 立案送达: the complaint copy goes out from the filing division.
    assert serve_by_api(client, case, parties).status_code == 201
    assert Entry.objects.get(code=LedgerEvent.SERVED).actor_role == "filing_officer"
    # A judgment is the panel's to serve: refused before the upload is even stored.
    data = pdf_bytes(f"民事判决书 {uuid.uuid4()}")
    stored_as = (
        f"service/{hashlib.sha256(data).hexdigest()[:2]}/{hashlib.sha256(data).hexdigest()}.pdf"
    )
    before = snapshot()
    page = client.post(
        reverse("service:case", args=[case.pk]),
        {
            "recipients": [parties["张三"].pk],
            "method": "postal",
            "tracking_number": "EA123456789CN",
            "file": SimpleUploadedFile("判决书.pdf", data, "application/pdf"),
            "title": "民事判决书",
            "kind": "judgment",
        },
    )
    assert page.status_code == 403 and "立案法官只能送达立案阶段的文书" in page.content.decode()
    assert snapshot() == before
    assert not default_storage.exists(stored_as)


def test_a_party_sees_only_the_services_on_itself(
    client, case, clerk, parties, complaint, plaintiff_zhang, zhang
):
    mine, theirs = (
        actions.service_serve(
            case=case, actor=clerk, recipient_ids=[parties[name].pk], documents=[complaint]
        )[0]
        for name in ("张三", "王五")
    )
    client.force_login(plaintiff_zhang)
    listed = client.get(f"{API}/cases/{case.pk}/service").json()
    assert [s["id"] for s in listed] == [mine.pk]
    assert client.get(f"{API}/cases/{case.pk}/service/{theirs.pk}").status_code == 404
    assert client.get(reverse("service:detail", args=[case.pk, theirs.pk])).status_code == 404
    # The clerk on the panel sees both.
    client.force_login(clerk.user)
    listed = client.get(f"{API}/cases/{case.pk}/service").json()
    assert {s["id"] for s in listed} == {mine.pk, theirs.pk}


def test_the_desk_offers_and_accepts_only_the_cases_one_serves(
    client, case, notices, officer_li, clerk_zhao, court_haishu, mediator_off_panel
):
    from microcourt.identity.tests.test_mfa import enrol_totp

    enrol_totp(clerk_zhao)
    desk = reverse("service:desk")
    # 赵书记员 is a clerk of this court but not yet on this case's panel.
    client.force_login(clerk_zhao)
    page = client.get(desk)
    assert page.status_code == 200 and case.number not in page.content.decode()
    before = snapshot()
    refused = client.post(desk, {"document": "complaint", "cases": [case.pk]})
    assert "只能选择您承办的、正在审理的案件" in refused.content.decode()
    assert snapshot() == before
    # A mediator serves nothing: no desk.
    client.force_login(mediator_off_panel)
    assert client.get(desk).status_code == 404
    assert client.post(desk, {"document": "complaint", "cases": [case.pk]}).status_code == 404
    assert snapshot() == before
    # Put on the panel (分案), the clerk is offered the case and serves it.
    on_panel(case, officer_li, clerk_zhao, "clerk", "赵书记员")
    client.force_login(clerk_zhao)
    assert case.number in client.get(desk).content.decode()
    client.post(desk, {"document": "complaint", "cases": [case.pk]})
    assert Service.objects.get().recipient.display_name == "王五"


def test_staff_of_the_case_record_a_statement_by_phone_but_only_a_party_confirms_online(
    case, clerk, parties, zhang, officer_li, mediator_on_panel, court_haishu
):
    wang = parties["王五"]
    statement = {
        "channels": ["sms"],
        "phone": "13933334444",
        "postal_address": "浙江省宁波市鄞州区天童南路2号",
    }
    # 王五 said so on the phone; the clerk and the filing officer may record it.
    for actor in (clerk, officer_li):
        row = actions.address_confirm(
            case=case, participant=wang, actor=actor, method="phone", **statement
        )
        assert row.method == "phone"
    roles = list(
        Entry.objects.filter(code=LedgerEvent.ADDRESS_CONFIRMED).values_list(
            "actor_role", flat=True
        )
    )
    assert roles == ["clerk", "filing_officer"]
    before = snapshot()
    # Online is the party's own statement: the clerk cannot make it for him …
    with pytest.raises(Forbidden, match="当事人本人"):
        actions.address_confirm(case=case, participant=wang, actor=clerk, **statement)
    # … a party does not record phone statements …
    with pytest.raises(Forbidden, match="法院工作人员记录"):
        actions.address_confirm(
            case=case, participant=parties["张三"], actor=zhang, method="written", **statement
        )
    # … the mediator on the panel and the administrator see the case but take no statements …
    admin = staff(court_haishu, "court_admin", "admin_wu", "吴管理员")
    for user in (mediator_on_panel, admin):
        with pytest.raises(Forbidden):
            actions.address_confirm(
                case=case, participant=wang, actor=actor_for(user), method="phone", **statement
            )
    # … and staff off the case find nothing.
    off = staff(court_haishu, "clerk", "clerk_qian", "钱书记员")
    with pytest.raises(NotFound):
        actions.address_confirm(
            case=case, participant=wang, actor=actor_for(off), method="phone", **statement
        )
    assert snapshot() == before
