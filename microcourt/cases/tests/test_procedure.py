"""审理程序: the case's judge puts a first-instance case under ordinary procedure, summary
procedure (民事诉讼法第一百六十条) or small claims (第一百六十五条、第一百六十六条), and changes
it only as the law allows (第一百六十九条、第一百七十条); every decision is in the ledger, on the
case page and in the API, and sets the case's 审限 (第一百五十二条、第一百六十四条、第一百六十八条).

The provincial average wage that caps small claims is configuration data (rules.md, "Not
confirmed"): the figure below is a test figure, not any province's real one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from microcourt.cases import actions, policies, selectors
from microcourt.cases.events import LedgerEvent
from microcourt.cases.models import Case, CaseType
from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from microcourt.ledger.models import Entry

pytestmark = pytest.mark.django_db
API = "/api/v1"
# A test figure (yuan): caps small claims at 10,000, or 40,000 with both parties' agreement.
TEST_WAGE = {"浙江省": "20000"}


def _entries(case):
    return Entry.objects.filter(case_id=case.pk, code=LedgerEvent.CASE_PROCEDURE_SET).order_by("pk")


@pytest.fixture
def chen_on_case(panel_judge, loan_case, judge_chen):
    """陈法官 as he acts on 张三's case."""
    return selectors.acting_as(Actor.citizen(judge_chen), loan_case)


def _refused(exc_info, field="procedure"):
    assert field in exc_info.value.fields, exc_info.value.fields
    return str(exc_info.value.fields[field])


def test_the_judge_puts_a_simple_loan_case_under_summary_procedure(
    client, loan_case, chen_on_case, judge_chen, plaintiff_zhang
):
    assert loan_case.procedure == ""  # not yet decided
    case = actions.case_procedure_set(case=loan_case, procedure="summary", actor=chen_on_case)
    assert Case.objects.get(pk=loan_case.pk).procedure == "summary" == case.procedure
    entry = _entries(loan_case).get()
    assert entry.actor_user == judge_chen and entry.actor_role == "judge"
    assert entry.details["procedure"] == "summary" and entry.details["from"] == ""

    # 张三 sees it on his case page and in the API, with the milestone.
    client.force_login(plaintiff_zhang)
    page = client.get(f"/cases/{loan_case.pk}/")
    assert page.status_code == 200
    assert "简易程序" in page.content.decode()
    out = client.get(f"{API}/cases/{loan_case.pk}").json()
    assert out["procedure"] == "summary" and out["procedure_label"] == "简易程序"
    assert LedgerEvent.CASE_PROCEDURE_SET in [m["code"] for m in out["milestones"]]


def test_only_the_cases_judge_decides(
    loan_case, panel_judge, zhang, clerk, clerk_zhao, on_panel, officer_li
):
    on_panel(loan_case, clerk_zhao, role="clerk")
    for actor, error in ((zhang, Forbidden), (clerk, Forbidden), (officer_li, Forbidden)):
        with pytest.raises(error):
            actions.case_procedure_set(case=loan_case, procedure="summary", actor=actor)
    # A judge of another court (or of this court, not on the case) finds no case at all.
    from microcourt.courts.tests.factories import CourtFactory, StaffFactory

    other = CourtFactory(code="浙0212", name="宁波市鄞州区人民法院", level="basic")
    stranger = StaffFactory(court=other, role="judge").user
    with pytest.raises(NotFound):
        actions.case_procedure_set(
            case=loan_case,
            procedure="summary",
            actor=Actor(user=stranger, role="judge", court_id=other.pk),
        )
    assert Case.objects.get(pk=loan_case.pk).procedure == ""
    assert not _entries(loan_case).exists()


def test_small_claims_follow_the_average_wage_cap_and_the_exclusions(
    loan_case, chen_on_case, settings
):
    # No figure configured for the province: small claims cannot be checked, so not allowed.
    settings.SMALL_CLAIMS_AVERAGE_WAGES = {}
    with pytest.raises(InvalidInput) as no_wage:
        actions.case_procedure_set(
            case=loan_case, procedure="small_claims", actor=chen_on_case, no_exclusion=True
        )
    assert "浙江省" in _refused(no_wage)

    settings.SMALL_CLAIMS_AVERAGE_WAGES = TEST_WAGE
    assert policies.small_claims_limits(loan_case.court) == (Decimal("10000"), Decimal("40000"))
    # ¥12,000.50 is above 50% of the wage: only if both parties agree (第一百六十五条第二款).
    with pytest.raises(InvalidInput) as over_half:
        actions.case_procedure_set(
            case=loan_case, procedure="small_claims", actor=chen_on_case, no_exclusion=True
        )
    assert "10,000.00" in _refused(over_half) and "parties_agree" in over_half.value.fields
    # The judge must confirm that none of 第一百六十六条's exclusions applies.
    with pytest.raises(InvalidInput) as unconfirmed:
        actions.case_procedure_set(
            case=loan_case, procedure="small_claims", actor=chen_on_case, parties_agree=True
        )
    assert "第一百六十六条" in _refused(unconfirmed, "no_exclusion")
    assert not _entries(loan_case).exists()
    actions.case_procedure_set(
        case=loan_case,
        procedure="small_claims",
        actor=chen_on_case,
        parties_agree=True,
        no_exclusion=True,
    )
    assert Case.objects.get(pk=loan_case.pk).procedure == "small_claims"


def test_above_twice_the_wage_is_never_small_claims(open_case, on_panel, judge_chen, settings):
    settings.SMALL_CLAIMS_AVERAGE_WAGES = TEST_WAGE
    case = open_case(amount_claimed="40000.01")
    on_panel(case, judge_chen)
    chen = selectors.acting_as(Actor.citizen(judge_chen), case)
    with pytest.raises(InvalidInput) as refused:
        actions.case_procedure_set(
            case=case,
            procedure="small_claims",
            actor=chen,
            parties_agree=True,
            no_exclusion=True,
        )
    assert "40,000.00" in _refused(refused)
    # Exactly twice the wage is allowed with agreement; exactly half without.
    Case.objects.filter(pk=case.pk).update(amount_claimed=Decimal("10000.00"))
    case.refresh_from_db()
    actions.case_procedure_set(case=case, procedure="small_claims", actor=chen, no_exclusion=True)


@pytest.mark.parametrize(
    ("type_code", "level", "procedure", "amount", "says"),
    [
        ("民初", "intermediate", "small_claims", "5000", "基层人民法院"),
        ("民初", "intermediate", "summary", "5000", "基层人民法院"),
        ("民初", "basic", "small_claims", None, "金钱给付"),
        ("执", "basic", "ordinary", "5000", "第一审"),
        ("民终", "basic", "summary", "5000", "第一审"),
        ("民初", "basic", "", "5000", "请选择"),
        ("民初", "basic", "speedy", "5000", "请选择"),
    ],
)
def test_what_the_law_refuses_names_the_procedure(
    open_case, settings, type_code, level, procedure, amount, says
):
    settings.SMALL_CLAIMS_AVERAGE_WAGES = TEST_WAGE
    case = open_case(amount_claimed=amount)
    kind = CaseType.objects.get_or_create(code=type_code, defaults={"name": type_code})[0]
    Case.objects.filter(pk=case.pk).update(case_type=kind)
    type(case.court).objects.filter(pk=case.court_id).update(level=level)
    case = Case.objects.get(pk=case.pk)
    with pytest.raises(InvalidInput) as refused:
        actions.case_procedure_set(
            case=case,
            procedure=procedure,
            actor=Actor.system("test"),
            parties_agree=True,
            no_exclusion=True,
        )
    assert says in _refused(refused)
    assert Case.objects.get(pk=case.pk).procedure == ""


def test_changes_the_law_allows_and_the_ones_it_does_not(loan_case, chen_on_case, settings):
    settings.SMALL_CLAIMS_AVERAGE_WAGES = TEST_WAGE
    set_ = actions.case_procedure_set
    set_(case=loan_case, procedure="summary", actor=chen_on_case)
    # The same again is not a decision.
    with pytest.raises(InvalidInput):
        set_(case=loan_case, procedure="summary", actor=chen_on_case)
    # Summary → ordinary (第一百七十条): allowed, with the reason.
    with pytest.raises(InvalidInput) as no_reason:
        set_(case=loan_case, procedure="ordinary", actor=chen_on_case)
    assert "reason" in no_reason.value.fields
    set_(case=loan_case, procedure="ordinary", actor=chen_on_case, reason="需要评估鉴定，案情复杂")
    # Ordinary → summary: only as both parties agree (第一百六十条第二款).
    with pytest.raises(InvalidInput) as unagreed:
        set_(case=loan_case, procedure="summary", actor=chen_on_case, reason="改回")
    assert "parties_agree" in unagreed.value.fields
    set_(
        case=loan_case,
        procedure="summary",
        actor=chen_on_case,
        reason="双方书面约定适用简易程序",
        parties_agree=True,
    )
    assert [e.details["procedure"] for e in _entries(loan_case)] == [
        "summary",
        "ordinary",
        "summary",
    ]
    assert _entries(loan_case).last().details["from"] == "ordinary"

    # A closed case keeps the procedure it was tried under.
    Case.objects.filter(pk=loan_case.pk).update(status="closed")
    loan_case.refresh_from_db()
    with pytest.raises(Conflict) as closed:
        set_(case=loan_case, procedure="ordinary", actor=chen_on_case, reason="x")
    assert "procedure" in closed.value.fields
    assert _entries(loan_case).count() == 3


@pytest.mark.parametrize(
    ("procedure", "due"),
    [
        ("", dt.date(2026, 9, 2)),
        ("summary", dt.date(2026, 6, 2)),
        ("small_claims", dt.date(2026, 5, 2)),
    ],
)
def test_the_trial_limit_follows_the_procedure(loan_case, procedure, due):
    accepted = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))
    Case.objects.filter(pk=loan_case.pk).update(
        status="accepted", accepted_at=accepted, procedure=procedure
    )
    loan_case.refresh_from_db()
    assert selectors.trial_limit_due(loan_case) == due


def test_the_api_sets_it_and_says_why_not(client, loan_case, panel_judge, judge_chen):
    from allauth.mfa.models import Authenticator

    from microcourt.identity.tests.factories import UserFactory

    outsider = UserFactory(username="outsider_sun", display_name="孙路人", phone="13600002222")
    # Court staff have a second factor, or the platform asks them to set one up first.
    Authenticator.objects.create(user=judge_chen, type=Authenticator.Type.TOTP, data={})
    url = f"{API}/cases/{loan_case.pk}/procedure"
    client.force_login(judge_chen)
    made = client.post(url, {"procedure": "summary"}, content_type="application/json")
    assert made.status_code == 200, made.content
    assert made.json() == {
        "id": loan_case.pk,
        "procedure": "summary",
        "procedure_label": "简易程序",
    }
    refused = client.post(url, {"procedure": "ordinary"}, content_type="application/json")
    assert refused.status_code == 400 and "reason" in refused.json()["error"]["fields"]
    client.force_login(outsider)
    assert (
        client.post(
            url, {"procedure": "ordinary", "reason": "x"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert Case.objects.get(pk=loan_case.pk).procedure == "summary"
