"""``GET /api/v1/cases/{id}`` reads each app's dates through statements compiled once
(``core.fixedsql.Prepared``): what a caller is shown must still follow each app's rule — a
party sees the services on itself, the court side all of them — the milestones must be the
ledger's, in the caller's language, and the response exactly ``CaseOut``'s shape."""

import pytest
from django.conf import settings
from django.utils import translation

from microcourt.cases import milestones
from microcourt.core import apiout, fixedsql
from microcourt.service.models import Service

from .test_api import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _checked_shape(monkeypatch):
    """Every response also goes through ninja's validation; a difference fails the test."""
    monkeypatch.setattr(apiout, "CHECK", True)


@pytest.fixture
def served_both(loan_case, judge_chen, on_panel):
    """陈法官, on the panel, has served documents on each party electronically."""
    on_panel(loan_case, judge_chen)
    people = {p.role: p for p in loan_case.participants.all()}
    for role in ("plaintiff", "defendant"):
        Service.objects.create(
            case=loan_case,
            recipient=people[role],
            method="electronic",
            batch=f"batch-{role}",
            served_by=judge_chen,
        )
    return loan_case


def services_shown(client, case, user) -> list[tuple[str, bool]]:
    response = client.get(f"/api/v1/cases/{case.pk}", **bearer(user))
    assert response.status_code == 200
    return sorted(
        (d["label"], d["mine"]) for d in response.json()["deadlines"] if d["kind"] == "service"
    )


def test_a_party_sees_only_the_service_on_itself(
    client, served_both, plaintiff_zhang, defendant_wang
):
    assert services_shown(client, served_both, plaintiff_zhang) == [("电子送达 · 张三", True)]
    assert services_shown(client, served_both, defendant_wang) == [("电子送达 · 王五", True)]


def test_the_judge_on_the_panel_sees_every_service_of_the_case(client, served_both, judge_chen):
    assert services_shown(client, served_both, judge_chen) == [
        ("电子送达 · 张三", False),
        ("电子送达 · 王五", False),
    ]


def test_another_case_s_services_are_not_shown(
    client, served_both, open_case, plaintiff_zhang, zhang
):
    from microcourt.cases import actions

    other = open_case(title="张三诉赵六买卖合同纠纷")
    actions.participant_add(
        case=other, actor=zhang, role="plaintiff", user=plaintiff_zhang, display_name="张三"
    )
    assert services_shown(client, other, plaintiff_zhang) == []


def test_the_milestones_are_the_ledger_s_in_the_callers_language(
    client, served_both, plaintiff_zhang
):
    url = f"/api/v1/cases/{served_both.pk}"
    chinese = client.get(url, **bearer(plaintiff_zhang)).json()["milestones"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the language switch
    english = client.get(url, **bearer(plaintiff_zhang)).json()

    with translation.override("zh-hans"):
        ledger = milestones.milestones(served_both.pk)
    assert [(m["code"], m["label"]) for m in chinese] == [(m["code"], m["label"]) for m in ledger]
    assert chinese[0]["label"] == "登记案件"
    assert english["milestones"][0]["label"] == "Case registered"
    assert [m["code"] for m in english["milestones"]] == [m["code"] for m in chinese]


def test_a_prepared_read_refuses_a_value_it_cannot_bind_as_it_is():
    """A value the selector changes, or leaves out, would answer for another value."""
    shifted = fixedsql.Prepared(lambda case_id: Service.objects.filter(case_id=case_id + 1))
    ignored = fixedsql.Prepared(lambda case_id: Service.objects.filter(case_id=1))
    with pytest.raises(ValueError):
        shifted.rows(1)
    with pytest.raises(ValueError):
        ignored.rows(1)
