"""Pages and API: the story over HTTP, and 404 for outsiders on every route."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from microcourt.evidence import actions
from microcourt.evidence.events import LedgerEvent as E
from microcourt.evidence.models import Exhibit
from microcourt.evidence.urls import urlpatterns
from microcourt.ledger.models import Entry

from .conftest import png_bytes, upload
from .test_actions import EXE

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(case, zhang, wang, judge, submit):
    submit(zhang, name="借条")
    submit(wang, name="还款凭证")
    return actions.cross_examination_open(
        case=case, actor=judge, exhibit_numbers=[1, 2], mode="async",
        deadline=timezone.now() + dt.timedelta(days=3),
    )  # fmt: skip


def page_routes(case, period):
    args = {"case_id": case.pk}
    return {
        "list": reverse("evidence:list", kwargs=args),
        "exhibit": reverse("evidence:exhibit", kwargs={**args, "number": 1}),
        "file": reverse("evidence:file", kwargs={**args, "number": 1}),
        "preview": reverse("evidence:preview", kwargs={**args, "number": 1}),
        "objection": reverse("evidence:objection", kwargs={**args, "number": 1}),
        "original": reverse("evidence:original", kwargs={**args, "number": 1}),
        "court_only": reverse("evidence:court_only", kwargs={**args, "number": 1}),
        "xexam_open": reverse("evidence:xexam_open", kwargs=args),
        "xexam": reverse("evidence:xexam", kwargs={**args, "pk": period.pk}),
        "xexam_mode": reverse("evidence:xexam_mode", kwargs={**args, "pk": period.pk}),
        "matrix": reverse("evidence:matrix", kwargs={**args, "pk": period.pk}),
    }


def api_routes(case, period):
    base = f"/api/v1/cases/{case.pk}"
    x = f"{base}/cross-examinations/{period.pk}"
    deadline = (timezone.now() + dt.timedelta(days=2)).isoformat()
    # Valid bodies, so the refusal is the access check and not the validation.
    return [
        ("get", f"{base}/exhibits", None),
        ("post", f"{base}/exhibits", "multipart"),
        ("get", f"{base}/exhibits/1", None),
        ("post", f"{base}/exhibits/1/objections", {"reasons": "非原件"}),
        ("post", f"{base}/exhibits/1/original", {"action": "require", "reason": "court"}),
        ("post", f"{base}/exhibits/1/court-only", {"court_only": True}),
        (
            "post",
            f"{base}/cross-examinations",
            {"exhibits": [1], "mode": "async", "deadline": deadline},
        ),
        ("get", x, None),
        ("post", f"{x}/mode", {"mode": "sync"}),
        (
            "post",
            f"{x}/opinions",
            {"exhibit": 1, "authenticity": "agree", "legality": "agree", "relevance": "agree"},
        ),
        ("get", f"{x}/matrix", None),
    ]


@pytest.fixture
def off_panel(db, court_haishu):
    """Staff with no standing on the case: a mediator and a judge of its own court who are
    not on its panel, and a judge of another court."""
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory

    from .conftest import with_second_factor

    users = {
        "an off-panel mediator": StaffFactory(court=court_haishu, role="mediator").user,
        "an off-panel judge": StaffFactory(court=court_haishu, role="judge").user,
        "another court's judge": StaffFactory(court=CourtFactory(), role="judge").user,
    }
    for user in users.values():
        with_second_factor(user)
    return users


def test_outsiders_get_404_on_every_page_and_api_route(
    client, case, period, outsider, off_panel, run_tasks
):
    run_tasks()  # previews exist, so a 404 is not just a missing preview
    routes = page_routes(case, period)
    assert {p.name for p in urlpatterns} == set(routes)  # every route is covered
    from microcourt.evidence import api

    assert len(api.router.path_operations) == len({p for _m, p, _b in api_routes(case, period)})
    before = Entry.objects.count()
    for user in (outsider, *off_panel.values()):
        client.force_login(user)
        for name, url in routes.items():
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code in (404, 405), (user, name, method)
        for method, url, body in api_routes(case, period):
            if body is None:
                response = client.get(url)
            elif body == "multipart":
                response = client.post(
                    url, {"name": "x", "source": "y", "purpose": "z", "file": upload("a.png")}
                )
            else:
                response = client.post(url, body, content_type="application/json")
            assert response.status_code == 404, (user, method, url, response.content)
            assert response.json()["error"]["code"] == "not_found"
    assert Entry.objects.count() == before
    assert Exhibit.objects.get(number=1).original_status == "copy"


def test_a_party_uploads_over_the_page_and_sees_the_exhibit(
    client, case, zhang, run_tasks, django_capture_on_commit_callbacks
):
    client.force_login(zhang.user)
    url = reverse("evidence:list", args=[case.pk])
    assert "提交证据" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
        url,
        {"name": "借条", "source": "原告保管", "purpose": "证明借款", "pages": "1",
         "file": upload("借条.png")},
    )  # fmt: skip
    assert response.status_code == 302
    exhibit = Exhibit.objects.get()
    run_tasks()
    page = client.get(response.url).content.decode()
    assert exhibit.sha256 in page and "/ledger/receipts/" in page
    assert client.get(reverse("evidence:preview", args=[case.pk, 1])).status_code == 200
    file = client.get(reverse("evidence:file", args=[case.pk, 1]))
    assert b"".join(file.streaming_content) == png_bytes()
    # a bad upload re-renders the list with the error
    bad = client.post(
        url, {"name": "x", "source": "y", "purpose": "z", "file": upload("a.pdf", EXE)}
    )
    assert bad.status_code == 400 and "文件类型不支持" in bad.content.decode()


def test_the_api_story_submit_object_cross_examine_matrix(client, case, zhang, wang, judge):
    client.force_login(zhang.user)
    base = f"/api/v1/cases/{case.pk}"
    r = client.post(
        f"{base}/exhibits",
        {"name": "借条", "source": "原告保管", "purpose": "证明借款", "pages": 2,
         "file": upload("借条.png")},
    )  # fmt: skip
    assert r.status_code == 201, r.content
    assert r.json()["sha256"] == Exhibit.objects.get().sha256
    client.force_login(wang.user)
    r = client.post(
        f"{base}/exhibits/1/objections", {"reasons": "非原件"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["original_status"] == "objected"
    client.force_login(judge.user)
    deadline = (timezone.now() + dt.timedelta(days=2)).isoformat()
    r = client.post(
        f"{base}/cross-examinations",
        {"exhibits": [1], "mode": "async", "deadline": deadline},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    client.force_login(wang.user)
    r = client.post(
        f"{base}/cross-examinations/{pk}/opinions",
        {"exhibit": 1, "authenticity": "disagree", "legality": "agree", "relevance": "agree",
         "reasons": "签名不真实"},
        content_type="application/json",
    )  # fmt: skip
    assert r.status_code == 201, r.content
    assert client.get(f"{base}/cross-examinations/{pk}/matrix").status_code == 404  # judge only
    client.force_login(judge.user)
    m = client.get(f"{base}/cross-examinations/{pk}/matrix").json()
    assert m["rows"][0]["cells"][1]["opinion"]["authenticity"] == "disagree"
    page = client.get(reverse("evidence:matrix", args=[case.pk, pk])).content.decode()
    assert "签名不真实" in page and "不认可" in page


def test_court_only_over_http_hides_from_parties_and_logs_staff_views(
    client, case, zhang, judge, clerk, submit
):
    submit(zhang)
    client.force_login(judge.user)
    r = client.post(reverse("evidence:court_only", args=[case.pk, 1]), {"court_only": "1"})
    assert r.status_code == 302 and Exhibit.objects.get().court_only
    client.force_login(zhang.user)
    assert client.get(reverse("evidence:exhibit", args=[case.pk, 1])).status_code == 404
    assert client.get(reverse("evidence:file", args=[case.pk, 1])).status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/exhibits/1").status_code == 404
    assert client.get(f"/api/v1/cases/{case.pk}/exhibits").json() == []
    client.force_login(clerk.user)
    assert client.get(reverse("evidence:exhibit", args=[case.pk, 1])).status_code == 200
    assert client.get(reverse("evidence:file", args=[case.pk, 1])).status_code == 200
    views = Entry.objects.filter(code=E.COURT_ONLY_VIEWED)
    assert [v.details["what"] for v in views.order_by("pk")] == ["page", "file"]
    assert {v.actor_role for v in views} == {"clerk"}


def test_a_late_opinion_over_the_page_is_refused(client, case, wang, period):
    client.force_login(wang.user)
    url = reverse("evidence:xexam", args=[case.pk, period.pk])
    page = client.get(url).content.decode()
    assert "借条" in page and "还款凭证" not in page  # own exhibit has no card
    period.deadline = timezone.now() - dt.timedelta(minutes=1)
    period.save(update_fields=["deadline"])
    r = client.post(
        url, {"exhibit": 1, "authenticity": "agree", "legality": "agree", "relevance": "agree"}
    )
    assert r.status_code == 409 and "质证期限已过" in r.content.decode()  # as the API answers
    assert not period.opinions.exists()
