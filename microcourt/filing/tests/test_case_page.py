"""The case page (案件页): its QR code is drawn once per case, and its timeline (案件进程) shows
the case's milestones, not the chat of its case space."""

import re
from unittest import mock

import pytest
from django.urls import reverse

from microcourt.cases import actions as case_actions
from microcourt.core.actor import Actor, actor_for
from microcourt.filing.views import cases as case_views


@pytest.fixture
def loan_case(court_haishu, plaintiff_zhang, defendant_wang):
    """张三诉王五, registered on paper (no online filing behind it)."""
    from microcourt.cases.models import CaseType

    zhang = Actor.citizen(plaintiff_zhang)
    civil = CaseType.objects.get_or_create(code="民初", defaults={"name": "民事一审"})[0]
    case = case_actions.case_open(
        court=court_haishu,
        case_type=civil,
        title="张三诉王五民间借贷纠纷",
        cause="民间借贷纠纷",
        actor=zhang,
    )
    add = case_actions.participant_add
    add(case=case, actor=zhang, role="plaintiff", user=plaintiff_zhang, display_name="张三")
    add(case=case, actor=zhang, role="defendant", user=defendant_wang, display_name="王五")
    return case


@pytest.fixture
def phone(client, plaintiff_zhang):
    client.force_login(plaintiff_zhang)
    return client


def timeline(page: str) -> list[str]:
    block = re.search(r'<ol class="mc-timeline-list">(.*?)</ol>', page, re.S).group(1)
    return [re.sub(r"<[^>]+>|\s+", " ", li).strip() for li in re.findall(r"<li.*?</li>", block)]


def test_the_qr_code_is_drawn_once_per_case(phone, loan_case):
    url = reverse("filing:case", args=[loan_case.pk])
    with mock.patch.object(case_views, "_qr", wraps=case_views._qr) as draw:
        pages = [phone.get(url).content.decode() for _ in range(3)]
    assert draw.call_count == 1
    assert all("<svg" in page for page in pages)
    assert pages[0].count("<svg") == pages[2].count("<svg")


def test_chat_messages_do_not_lengthen_the_timeline(phone, loan_case, plaintiff_zhang):
    from microcourt.spaces import actions as space_actions

    url = reverse("filing:case", args=[loan_case.pk])
    before = timeline(phone.get(url).content.decode())
    for i in range(5):
        space_actions.message_post(
            case=loan_case, actor=actor_for(plaintiff_zhang), text=f"请法官查收补充证据{i}"
        )
    after = timeline(phone.get(url).content.decode())
    assert after == before
    assert any("登记案件" in row for row in after)
    assert not any("案件空间" in row for row in after)


def test_the_timeline_shows_the_fee_notice(phone, loan_case, plaintiff_zhang, court_haishu):
    """A milestone a party cares about appears as soon as it happens."""
    from decimal import Decimal

    from microcourt.payments import actions as payment_actions

    payment_actions.order_create(
        payer=plaintiff_zhang,
        kind="acceptance",
        amount=Decimal("50.00"),
        description="案件受理费",
        actor=Actor.system("test"),
        case_id=loan_case.pk,
        court=court_haishu,
    )
    rows = timeline(phone.get(reverse("filing:case", args=[loan_case.pk])).content.decode())
    assert any("生成缴费单" in row for row in rows)
