"""The service pages and API: the clerk serves in one form, the recipient reads after the
identity check, outsiders get 404 on every route and change nothing."""

import pytest
from django.urls import reverse

from microcourt.ledger.models import Entry
from microcourt.notifications.models import Notification
from microcourt.service import actions, selectors
from microcourt.service.models import Service, Status
from microcourt.service.urls import urlpatterns

pytestmark = pytest.mark.django_db


@pytest.fixture
def served(case, clerk, parties, complaint):
    [service] = actions.service_serve(
        case=case, actor=clerk, recipient_ids=[parties["王五"].pk], documents=[complaint]
    )
    return service


def page_routes(case, service) -> dict[str, str]:
    return {
        "case": reverse("service:case", args=[case.pk]),
        "address": reverse("service:address", args=[case.pk]),
        "detail": reverse("service:detail", args=[case.pk, service.pk]),
        "document": reverse("service:document", args=[case.pk, service.pk, 0]),
        "certificate": reverse("service:certificate", args=[case.pk, service.pk]),
        "settle": reverse("service:settle", args=[case.pk, service.pk]),
    }


def api_routes(case, service):
    base = f"/api/v1/cases/{case.pk}/service"
    return [
        ("get", base, None),
        ("post", base, {"recipients": [service.recipient_id], "documents": []}),
        ("get", f"{base}/documents", None),
        ("get", f"{base}/{service.pk}", None),
        ("post", f"{base}/{service.pk}/open", {}),
        ("post", f"{base}/{service.pk}/paper", {}),
        ("post", f"{base}/address", {"channels": ["sms"], "phone": "13700001111"}),
    ]


def test_outsiders_get_404_on_every_page_and_api_route(
    client, case, served, stranger, mediator_off_panel, judge_elsewhere, court_haishu
):
    from .conftest import staff

    judge_off_panel = staff(court_haishu, "judge", "judge_sun", "孙法官")
    routes = page_routes(case, served)
    case_scoped = {p.name for p in urlpatterns if "<int:case_id>" in str(p.pattern)}
    assert case_scoped == set(routes)
    from microcourt.service import api

    # Every case route of the router is tried below (the others are the user's own).
    case_paths = {p for p in api.router.path_operations if p.startswith("/cases/")}
    assert len(case_paths) == len({url for _m, url, _b in api_routes(case, served)})
    before = Entry.objects.count()
    # A stranger; the court's own mediator and judge on no panel of this case (分案 did not
    # give it to them); a judge of another court.
    for user in (stranger.user, mediator_off_panel, judge_off_panel, judge_elsewhere):
        client.force_login(user)
        for name, url in routes.items():
            for method in ("get", "post"):
                response = getattr(client, method)(url, {"do": "open"})
                assert response.status_code in (404, 405), (user, name, method)
        for method, url, body in api_routes(case, served):
            if body is None:
                response = client.get(url)
            else:
                response = client.post(url, body, content_type="application/json")
            assert response.status_code == 404, (user, method, url, response.content)
            assert response.json()["error"]["code"] == "not_found"
    assert Entry.objects.count() == before
    served.refresh_from_db()
    assert served.opened_at is None and served.status == Status.PENDING


def test_the_clerk_serves_a_batch_from_the_case_page(
    client, case, notices, clerk, clerk_zhao, parties
):
    client.force_login(clerk_zhao)
    page = client.get(reverse("service:case", args=[case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "王五" in text and "139****4444" in text and "13933334444" not in text
    keys = [d["key"] for d in selectors.documents_to_serve(case)][:2]
    response = client.post(
        reverse("service:case", args=[case.pk]),
        {
            "recipients": [parties["王五"].pk, parties["张三"].pk],
            "documents": keys,
            "method": "electronic",
        },
    )
    assert response.status_code == 302
    assert Service.objects.filter(case=case).count() == 2
    assert Notification.objects.filter(event="service.served", channel="sms").count() == 2


def test_bad_input_on_the_page_names_the_field_and_serves_nobody(
    client, case, clerk, clerk_zhao, parties
):
    client.force_login(clerk_zhao)
    response = client.post(
        reverse("service:case", args=[case.pk]),
        {"recipients": [parties["王五"].pk], "method": "electronic"},
    )
    assert response.status_code == 200
    assert "请至少选择一份文书" in response.content.decode()
    assert not Service.objects.exists()


def test_the_recipient_reads_only_after_the_identity_check(
    client, case, served, defendant_wang, wang, run_tasks, django_capture_on_commit_callbacks
):
    client.force_login(defendant_wang)
    token = Notification.objects.get(idempotency_key=f"service:{served.pk}:sms").body
    token = token.split("/s/")[1].split("/")[0]
    link = reverse("service:link", args=[token])
    assert client.get(link).status_code == 200
    # Before opening, the party cannot fetch the document (it is not even theirs yet).
    document = reverse("service:document", args=[case.pk, served.pk, 0])
    assert client.get(document).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(link)
    run_tasks()
    assert response.status_code == 302
    assert response["Location"] == reverse("service:detail", args=[case.pk, served.pk])
    pdf = client.get(document)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    served.refresh_from_db()
    assert served.status == Status.SERVED
    mine = client.get(reverse("service:mine"))
    assert "起诉状" in mine.content.decode()
    api = client.get("/api/v1/service/mine").json()
    assert api[0]["status"] == "served" and api[0]["basis"] == "acted"


def test_a_party_confirms_its_address_on_the_page(
    client, case, plaintiff_zhang, zhang, zhang_phone
):
    client.force_login(plaintiff_zhang)
    url = reverse("service:address", args=[case.pk])
    page = client.get(url)
    assert "法律效力" in page.content.decode()
    bad = client.post(
        url, {"consent": "yes", "channels": ["sms"], "phone": "13811112222", "postal_address": ""}
    )
    assert "请填写邮寄地址" in bad.content.decode()
    ok = client.post(
        url,
        {
            "consent": "yes",
            "channels": ["platform", "sms"],
            "phone": "13811112222",
            "postal_address": "浙江省宁波市海曙区中山西路1号",
        },
    )
    assert ok.status_code == 302


def test_public_notices_are_public(client, case, clerk, parties, complaint):
    actions.service_public_notice(
        case=case,
        actor=clerk,
        recipient_id=parties["王五"].pk,
        documents=[complaint],
        text="王五：本院受理原告张三诉你民间借贷纠纷一案，现依法向你公告送达起诉状副本。",
    )
    page = client.get(reverse("service:notices"))
    assert page.status_code == 200 and "公告送达起诉状副本" in page.content.decode()


def test_the_desk_lists_what_is_not_yet_served(
    client, case, served, clerk, clerk_zhao, defendant_wang
):
    client.force_login(clerk_zhao)
    page = client.get(reverse("service:desk"))
    assert page.status_code == 200 and "王五" in page.content.decode()
    client.force_login(defendant_wang)
    assert client.get(reverse("service:desk")).status_code == 404


def test_service_shows_on_the_case_timeline(client, case, served, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    page = client.get(reverse("filing:case", args=[case.pk])).content.decode()
    # Parties follow milestones (filing/tests/test_case_timeline.py): 文书送达 once served.
    assert "文书送达" in page
    assert reverse("service:case", args=[case.pk]) in page


def test_a_party_sees_where_it_is_served_before_confirming(client, case, plaintiff_zhang, zhang):
    client.force_login(plaintiff_zhang)
    page = client.get(reverse("service:case", args=[case.pk])).content.decode()
    # He agreed to online service when filing: his account and number already count.
    assert "目前向以下地址送达" in page
    assert "138****2222（已确认）" in page and "13811112222" not in page


def test_the_desk_serves_a_batch_across_cases(client, case, clerk, clerk_zhao):
    client.force_login(clerk_zhao)
    page = client.get(reverse("service:desk")).content.decode()
    assert case.number in page and "批量送达" in page
    bad = client.post(reverse("service:desk"), {"document": "complaint"})
    assert "请至少选择一件案件" in bad.content.decode()
    assert not Service.objects.exists()
    done = client.post(
        reverse("service:desk"), {"document": "complaint", "cases": [case.pk]}, follow=True
    )
    assert "已向1位受送达人发出送达" in done.content.decode()
    assert Service.objects.get().recipient.display_name == "王五"
