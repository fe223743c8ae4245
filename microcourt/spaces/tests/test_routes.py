"""Every space page and API route answers 404 to anyone who is not an active participant of
the case (ARCHITECTURE §5), whatever the method; the routes are read from the URL
configuration and the published API schema, so a new route is covered without editing this."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from microcourt.identity.tests.test_mfa import enrol_totp
from microcourt.spaces import actions
from microcourt.spaces.models import Message

from .conftest import pdf_bytes

pytestmark = pytest.mark.django_db

API = "/api/v1"


def api_routes():
    from microcourt.api import api

    paths = api.get_openapi_schema()["paths"]
    return [
        (method, path.removeprefix(API))
        for path, operations in paths.items()
        if path.startswith(f"{API}/cases/{{case_id}}/space")
        for method in operations
    ]


def test_the_page_routes_are_the_ones_we_know():
    from microcourt.spaces import urls

    assert {p.name for p in urls.urlpatterns} == {"space", "export", "attachment"}


@pytest.fixture
def world(loan_case, zhang, judge, court_haishu, outsider_zhou, officer_li):
    from microcourt.cases.models import CaseParticipant
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory
    from microcourt.identity.tests.factories import UserFactory

    upload = SimpleUploadedFile("借条.pdf", pdf_bytes(), "application/pdf")
    message = actions.message_post(case=loan_case, actor=zhang, upload=upload)
    removed = UserFactory(username="removed_sun", display_name="孙律师")
    plaintiff = CaseParticipant.objects.get(case=loan_case, role="plaintiff")
    CaseParticipant.objects.create(
        case=loan_case, user=removed, display_name="孙律师", role="agent",
        represents=plaintiff, active=False,
    )  # fmt: skip
    elsewhere = StaffFactory(court=CourtFactory(), role="judge").user
    for staff in (elsewhere, officer_li.user):
        enrol_totp(staff)
    return {
        "ids": {"case_id": loan_case.pk, "message_id": message.pk, "thread_id": message.thread_id},
        "outsiders": {
            "a citizen not in the case": outsider_zhou,
            "a removed agent": removed,
            "the court's filing officer, not on the case": officer_li.user,
            "a judge of another court": elsewhere,
        },
    }


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_get_404_on_every_page(client, world, method):
    from microcourt.spaces import urls

    names = [p.name for p in urls.urlpatterns]
    for who, user in world["outsiders"].items():
        client.force_login(user)
        for name in names:
            kwargs = {k: v for k, v in world["ids"].items() if k != "thread_id"}
            if name != "attachment":
                kwargs.pop("message_id")
            url = reverse(f"spaces:{name}", kwargs=kwargs)
            response = getattr(client, method)(url)
            assert response.status_code in (404, 405), (who, method, url, response.status_code)
            if method == "get":
                assert response.status_code == 404, (who, url)


def test_outsiders_get_404_on_every_api_route(client, world):
    routes = api_routes()
    assert len(routes) >= 10, routes
    before = Message.objects.count()
    for who, user in world["outsiders"].items():
        client.force_login(user)
        for method, route in routes:
            url = API + route.format(**world["ids"])
            kwargs = {"content_type": "application/json", "data": {"seq": 1}}
            response = getattr(client, method)(url, **kwargs)
            assert response.status_code == 404, (who, method, url, response.content)
            assert response.json()["error"]["code"] == "not_found"
    assert Message.objects.count() == before


def test_a_member_uses_the_page_and_the_api(client, world, plaintiff_zhang, defendant_wang):
    ids = world["ids"]
    client.force_login(defendant_wang)
    page = client.get(reverse("spaces:space", kwargs={"case_id": ids["case_id"]}))
    assert page.status_code == 200 and b"space.js" in page.content
    assert '<span class="mc-sub">被告</span>' in page.content.decode()  # who I am here
    base = f"{API}/cases/{ids['case_id']}/space"
    posted = client.post(f"{base}/messages", {"text": "@张三 收到借条"})
    assert posted.status_code == 201, posted.content
    assert posted.json()["seq"] == 2 and posted.json()["sender_role"] == "defendant"
    listed = client.get(f"{base}/messages", {"after": 1}).json()
    assert [m["seq"] for m in listed] == [2]
    exe = SimpleUploadedFile("a.pdf", b"MZ\x90\x00" + b"\x00" * 300, "application/pdf")
    refused = client.post(f"{base}/messages", {"file": exe})
    assert refused.status_code == 400 and "file" in refused.json()["error"]["fields"]
    read = client.post(
        f"{base}/threads/{ids['thread_id']}/read", {"seq": 2}, content_type="application/json"
    )
    assert read.json() == {"thread": ids["thread_id"], "last_read_seq": 2}
    attachment = client.get(
        reverse(
            "spaces:attachment", kwargs={"case_id": ids["case_id"], "message_id": ids["message_id"]}
        )
    )
    assert attachment.status_code == 200 and b"".join(attachment.streaming_content)[:4] == b"%PDF"
    export = client.get(reverse("spaces:export", kwargs={"case_id": ids["case_id"]}))
    assert export.status_code == 200 and export["Content-Type"] == "application/pdf"
    space = client.get(base).json()
    assert space["role"] == "defendant" and not space["court"]
