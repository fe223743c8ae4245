"""Every payments state machine, walked whole: for each transition and each of a list of
people, an allowed role moves the object and writes its ledger entry; everyone else gets
Forbidden and nothing changes; from a state the transition does not leave, a Conflict."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from microcourt.core.actor import Actor, actor_for
from microcourt.core.errors import Conflict, Forbidden
from microcourt.ledger.models import Entry
from microcourt.payments.models import (
    DuplicatePayment,
    PayeeAccount,
    PaymentOrder,
    Payout,
    PayoutBatch,
    Refund,
    ReliefApplication,
)
from microcourt.payments.states import MACHINES, ORDER, PAYOUT, REFUND, RELIEF

from .helpers import fee_order

pytestmark = pytest.mark.django_db

# The people tried on every transition, with the roles of the tables each one holds: 张三
# pays the order and applies for relief; the panel's judge and the court's filing officer and
# division head decide; the others — a party who does not pay, a stranger, the panel's clerk
# and mediator, the court's administrator, a judge of this court not on the case, staff of
# another court — hold none, except the administrator, who may close an order.
PEOPLE = {
    "payer": {"payer", "applicant"},
    "defendant": set(),
    "citizen": set(),
    "judge": {"judge"},
    "clerk": {"clerk"},
    "mediator": {"mediator"},
    "filing_officer": {"filing_officer"},
    "division_head": {"division_head"},
    "court_admin": {"court_admin"},
    "judge_off_panel": set(),
    "other_courts_officer": set(),
    "other_courts_admin": set(),
    "system": {"system"},
}


@pytest.fixture
def people(
    plaintiff_zhang,
    defendant_wang,
    judge_chen,
    clerk_zhao,
    officer_li,
    admin_sun,
    judge_qian,
    officer_yinzhou,
    admin_yinzhou,
    court_haishu,
    loan_case,
):
    from microcourt.cases import actions as case_actions
    from microcourt.courts.tests.factories import StaffFactory
    from microcourt.identity.tests.factories import UserFactory

    mediator = StaffFactory(court=court_haishu, role="mediator").user
    case_actions.participant_add(
        case=loan_case,
        actor=officer_li,
        role="mediator",
        user=mediator,
        display_name="调解员",
    )
    division_head = StaffFactory(court=court_haishu, role="division_head").user
    return {
        "payer": actor_for(plaintiff_zhang),
        "defendant": actor_for(defendant_wang),
        "citizen": actor_for(UserFactory(username="passer_by")),
        "judge": actor_for(judge_chen),
        "clerk": actor_for(clerk_zhao),
        "mediator": actor_for(mediator),
        "filing_officer": officer_li,
        "division_head": actor_for(division_head),
        "court_admin": actor_for(admin_sun),
        "judge_off_panel": actor_for(judge_qian),
        "other_courts_officer": actor_for(officer_yinzhou),
        "other_courts_admin": actor_for(admin_yinzhou),
        "system": Actor.system("walk the table"),
    }


@pytest.fixture
def make(plaintiff_zhang, court_haishu, clerk_zhao, loan_case):
    """A fresh object of the machine's model, put in ``state`` (the test's own setting)."""

    def order():
        return fee_order(plaintiff_zhang, court_haishu, case_id=loan_case.pk)

    def refund():
        return Refund.objects.create(
            order=order(),
            refund_no=f"RF{Refund.objects.count():020d}",
            amount=Decimal("10.00"),
            reason="halved",
            basis="《诉讼费用交纳办法》第十五条",
            requested_by=clerk_zhao,
        )

    def duplicate():
        return DuplicatePayment.objects.create(
            order=order(),
            provider="sandbox",
            provider_trade_no=f"SBX{DuplicatePayment.objects.count():020d}",
            amount=Decimal("1050.00"),
            paid_at=timezone.now(),
            source="callback",
        )

    def relief():
        fee = order()
        return ReliefApplication.objects.create(
            order=fee,
            applicant=plaintiff_zhang,
            kind="deferral",
            reason="暂时困难",
            original_amount=fee.amount,
            original_due_date=fee.due_date,
        )

    def batch():
        return PayoutBatch.objects.create(created_by=clerk_zhao)

    def payout():
        payee = PayeeAccount.objects.create(
            user=plaintiff_zhang,
            bank_name="中国工商银行",
            account_number="6222023901001234567",
            account_name="张三",
        )
        return Payout.objects.create(
            batch=batch(),
            payee=payee,
            case_id=loan_case.pk,
            amount=Decimal("10.00"),
            idempotency_key=f"PO-walk-{Payout.objects.count()}",
            claimed_at=timezone.now() - dt.timedelta(hours=1),
        )

    builders = {
        PaymentOrder: order,
        Refund: refund,
        DuplicatePayment: duplicate,
        ReliefApplication: relief,
        PayoutBatch: batch,
        Payout: payout,
    }

    def build(machine, state):
        obj = builders[machine.model]()
        machine.model.objects.filter(pk=obj.pk).update(**{machine.field: state})
        obj.refresh_from_db()
        return obj

    return build


def walk():
    return [
        pytest.param(m, t.name, id=f"{m.model.__name__}.{t.name}")
        for m in MACHINES
        for t in m.transitions
    ]


def test_every_state_is_reachable():
    for machine in MACHINES:
        assert machine.reachable() == set(machine.states.values), machine.model


def test_the_deciders_are_the_ones_the_rule_names():
    """第四十九条、第五十一条 (payments/policies.py): relief is decided by the filing officer,
    the division head or the panel's judge — not the administrator, not a clerk."""
    assert (
        RELIEF["approve"].roles
        == RELIEF["reject"].roles
        == {
            "filing_officer",
            "division_head",
            "judge",
        }
    )
    assert ORDER["pay"].roles == REFUND["succeed"].roles == PAYOUT["sent"].roles == {"system"}


@pytest.mark.parametrize(("machine", "name"), walk())
@pytest.mark.parametrize("who", PEOPLE)
def test_allowed_roles_move_it_everyone_else_changes_nothing(make, people, machine, name, who):
    t = machine[name]
    obj = make(machine, t.sources[0])
    entries = Entry.objects.count()
    if PEOPLE[who] & t.roles:
        machine.apply(obj, name, actor=people[who], note="walk")
        obj.refresh_from_db()
        assert getattr(obj, machine.field) == t.target
        assert Entry.objects.count() == entries + 1
        assert Entry.objects.latest("pk").code == t.event
    else:
        with pytest.raises(Forbidden):
            machine.apply(obj, name, actor=people[who], note="walk")
        obj.refresh_from_db()
        assert getattr(obj, machine.field) == t.sources[0]
        assert Entry.objects.count() == entries


@pytest.mark.parametrize(("machine", "name"), walk())
def test_from_a_state_it_does_not_leave_is_a_conflict(make, people, machine, name):
    t = machine[name]
    source = next(s for s in machine.states.values if s not in t.sources)
    obj = make(machine, source)
    actor = people[next(who for who, roles in PEOPLE.items() if roles & t.roles)]
    entries = Entry.objects.count()
    with pytest.raises(Conflict):
        machine.apply(obj, name, actor=actor)
    obj.refresh_from_db()
    assert getattr(obj, machine.field) == source and Entry.objects.count() == entries


def test_the_machines_cover_every_status_field():
    """No status of a payments model changes outside a declared machine."""
    covered = {(m.model, m.field) for m in MACHINES}
    from django.apps import apps

    for model in apps.get_app_config("payments").get_models():
        if any(f.name == "status" for f in model._meta.fields):
            assert (model, "status") in covered, model
