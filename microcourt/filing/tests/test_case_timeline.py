"""案件进程 on the case page: a party follows the milestones of the case — filed, accepted
with its 案号, the fee notice and its payment, documents issued, served, the judge, the
trial — each once and in order, however many audit entries the case gathers (consents
recorded four times, space exports, read marks, messages, every look at a file); the court
on the case sees the full record."""

import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse

from microcourt.cases import actions as case_actions
from microcourt.cases.events import LedgerEvent as CaseEvent
from microcourt.core.actor import Actor
from microcourt.filing import review
from microcourt.ledger import actions as ledger
from microcourt.payments.tests.helpers import fee_order, pay_in_sandbox
from microcourt.service.events import LedgerEvent as ServiceEvent
from microcourt.spaces.events import LedgerEvent as SpaceEvent

pytestmark = pytest.mark.django_db


def timeline(page: str) -> list[str]:
    block = re.search(r'<ol class="mc-timeline-list">(.*?)</ol>', page, re.S).group(1)
    rows = [re.sub(r"<[^>]+>|\s+", " ", li).strip() for li in re.findall(r"<li.*?</li>", block)]
    return [re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d", "", row).strip() for row in rows]


@pytest.fixture
def busy_case(submitted, officer_li, zhang, wang, judge_chen, settings, tmp_path):
    """张三诉王五, filed online and accepted, fee paid, served — and dozens of audit entries."""
    settings.DATA_DIR = tmp_path  # the sandbox's provider-side record
    filing = review.filing_accept(filing=submitted, actor=officer_li, note="符合起诉条件")
    case = filing.case
    if not case.participants.filter(role="judge", user=judge_chen).exists():
        case_actions.participant_add(
            case=case, actor=officer_li, role="judge", user=judge_chen, display_name="陈法官"
        )
    from microcourt.payments.models import PaymentOrder

    pay_in_sandbox(PaymentOrder.objects.get(case_id=case.pk))  # the notice sent on acceptance
    noise = Actor.system("test")
    with transaction.atomic():
        for code in [CaseEvent.CONSENT_RECORDED] * 4 + [SpaceEvent.SPACE_EXPORTED] * 3:
            ledger.record(code=code, actor=noise, case_id=case.pk, data={})
        for i in range(40):
            ledger.record(code=SpaceEvent.READ_MARKED, actor=noise, case_id=case.pk, data={"i": i})
        # The same documents served on both sides: one service of the case.
        for recipient in (1, 2):
            ledger.record(
                code=ServiceEvent.SERVED, actor=officer_li, case_id=case.pk,
                data={"recipient": recipient, "documents": ["a" * 64, "b" * 64]},
            )  # fmt: skip
        ledger.record(code=ServiceEvent.OPENED, actor=noise, case_id=case.pk, data={})
    return case


def test_a_party_sees_each_milestone_once_in_order(client, busy_case, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    rows = timeline(client.get(reverse("filing:case", args=[busy_case.pk])).content.decode())
    assert len(rows) == len(set(rows)), rows  # each once
    assert rows[0] == "提交申请"
    accepted = [r for r in rows if r.startswith("立案受理")]
    assert accepted == [f"立案受理 · {busy_case.number}"]
    for milestone in ("生成缴费单", "缴费成功", "确定承办法官", "文书送达"):
        assert milestone in rows, (milestone, rows)
    order = [rows.index(r) for r in ("提交申请", accepted[0], "生成缴费单", "缴费成功")]
    assert order == sorted(order)
    for audit in ("记录在线诉讼同意", "导出案件空间", "消息已读", "受送达人查看文书", "登记案件"):
        assert not any(audit in r for r in rows), (audit, rows)
    assert len(rows) <= 12


def test_the_court_on_the_case_sees_the_full_record(client, busy_case, judge_chen):
    from microcourt.identity.tests.test_mfa import enrol_totp

    enrol_totp(judge_chen)
    client.force_login(judge_chen)
    page = client.get(reverse("filing:case", args=[busy_case.pk])).content.decode()
    assert "完整记录" in page
    rows = timeline(page)
    from microcourt.ledger.models import Entry

    assert len(rows) == Entry.objects.filter(case_id=busy_case.pk).count() + 1  # + 提交申请
    assert rows.count("记录在线诉讼同意") >= 4 and rows.count("消息已读") == 40
    assert rows.count("发出送达") == 2 and "导出案件空间" in rows


def test_a_party_added_to_a_case_is_not_a_milestone_but_its_judge_is(busy_case):
    from microcourt.cases import milestones

    labels = [r["label"] for r in milestones.party_milestones(busy_case)]
    assert labels.count("确定承办法官") == 1
    assert "添加诉讼参与人" not in labels and "当事人关联账号" not in labels


def test_every_party_milestone_names_a_declared_ledger_event():
    from microcourt.cases.milestones import PARTY
    from microcourt.ledger.events import registry

    assert set(PARTY) - {(e.app, e.name) for e in registry()} == set()


def test_a_case_registered_on_paper_starts_with_its_registration(
    court_haishu, plaintiff_zhang, defendant_wang
):
    from microcourt.cases import milestones
    from microcourt.cases.models import CaseType

    zhang = Actor.citizen(plaintiff_zhang)
    civil = CaseType.objects.get_or_create(code="民初", defaults={"name": "民事一审"})[0]
    case = case_actions.case_open(
        court=court_haishu, case_type=civil, title="张三诉王五", cause="民间借贷纠纷", actor=zhang
    )
    fee = fee_order(plaintiff_zhang, court_haishu, amount="50", case_id=case.pk)
    assert fee.amount == Decimal("50.00")
    labels = [r["label"] for r in milestones.party_milestones(case)]
    assert labels == ["登记案件", "生成缴费单"]
