"""Cross-examination (质证, 在线诉讼规则第十四条、第十五条): the judge opens a period for a set
of exhibits; each party states its preferred mode; each opposing party gives its opinion on
the 三性 of every exhibit of the other side; parties still owing opinions are reminded once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.cases.models import Case, CaseParticipant
from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, InvalidInput, NotFound
from microcourt.ledger import actions as ledger
from microcourt.notifications.actions import notify
from microcourt.notifications.models import Channel

from .. import policies, selectors
from ..events import LedgerEvent as E
from ..models import CrossExamination, Exhibit, Mode, ModePreference, Opinion, Stance
from ._common import digest_of_json

REMIND_BEFORE = dt.timedelta(hours=24)


def decide_mode(proposed: str, preferences: list[str]) -> str:
    """在线诉讼规则第十四条: if the parties disagree on the mode, synchronous applies; if all
    who stated a preference agree, theirs; otherwise the judge's."""
    stated = set(preferences)
    if len(stated) > 1:
        return Mode.SYNC
    if len(stated) == 1:
        return stated.pop()
    return proposed


def _parse_time(value, field: str) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime

        parsed = parse_datetime(value)
        if parsed is None:
            raise InvalidInput(_("时间格式不正确"), fields={field: _("时间格式不正确")})
        value = parsed
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@transaction.atomic
def cross_examination_open(
    *,
    case: Case,
    actor: Actor,
    exhibit_numbers: list[int],
    mode: str,
    deadline,
    session_at=None,
    now: dt.datetime | None = None,
) -> CrossExamination:
    """The judge opens a cross-examination period for a set of exhibits, synchronous (at a
    session time) or asynchronous (within a deadline) (在线诉讼规则第十四条)."""
    now = now or timezone.now()
    policies.require_open_cross_examination(actor, case)
    actor = case_policies.on_case(actor, case)
    # Which evidence first: a period without any is the one mistake that names nothing else.
    numbers = sorted({int(n) for n in exhibit_numbers or [] if str(n).strip().isdigit()})
    if not numbers:
        raise InvalidInput(_("请选择要质证的证据"), fields={"exhibits": _("请选择要质证的证据")})
    if mode not in Mode.values:
        raise InvalidInput(_("请选择质证方式"), fields={"mode": _("请选择")})
    deadline = _parse_time(deadline, "deadline")
    session_at = _parse_time(session_at, "session_at")
    if deadline is None or deadline <= now:
        raise InvalidInput(_("质证期限须晚于现在"), fields={"deadline": _("须晚于现在")})
    if mode == Mode.SYNC and session_at is None:
        raise InvalidInput(_("同步质证须确定时间"), fields={"session_at": _("必填")})
    if session_at is not None and not (now < session_at <= deadline):
        raise InvalidInput(
            _("同步质证时间须在现在与质证期限之间"), fields={"session_at": _("时间不正确")}
        )
    exhibits = list(Exhibit.objects.filter(case=case, number__in=numbers))
    if len(exhibits) != len(numbers):
        raise InvalidInput(_("请选择本案的证据"), fields={"exhibits": _("请选择证据")})
    period = CrossExamination.objects.create(
        case=case,
        opened_by=actor.user,
        proposed_mode=mode,
        mode=mode,
        session_at=session_at,
        deadline=deadline,
    )
    period.exhibits.set(exhibits)
    ledger.record(
        code=E.CROSS_EXAMINATION_OPENED,
        actor=actor,
        case_id=case.pk,
        subject_digest=digest_of_json(
            {
                "period": period.pk,
                "exhibits": [e.sha256 for e in exhibits],
                "mode": mode,
                "deadline": deadline.isoformat(),
            }
        ),
        data={"period": period.pk, "exhibits": numbers, "mode": mode},
    )
    url = reverse("evidence:xexam", args=[case.pk, period.pk])
    local = timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")
    for party in selectors.parties_of(case):
        if party.user_id:
            notify(
                event="evidence.cross_examination_opened",
                recipient=party.user,
                params={"case": case.number or case.pk, "deadline": local},
                url=url,
                idempotency_key=f"evidence.xexam.opened:{period.pk}:{party.pk}",
                channels=[Channel.INAPP, Channel.SMS],
            )
    return period


@transaction.atomic
def mode_prefer(
    *, period: CrossExamination, actor: Actor, mode: str, party_id: int | None = None
) -> CrossExamination:
    """A party states its preferred mode; the period's mode follows 第十四条 (disagreement →
    synchronous)."""
    period = CrossExamination.objects.select_for_update().get(pk=period.pk)
    party = policies.require_take_part(actor, period, party_id)
    actor = case_policies.on_case(actor, period.case)
    if mode not in Mode.values:
        raise InvalidInput(_("请选择质证方式"), fields={"mode": _("请选择")})
    if timezone.now() >= period.deadline:
        raise Conflict(_("质证期限已过"), code="deadline_passed")
    ModePreference.objects.update_or_create(
        cross_examination=period, participant=party, defaults={"mode": mode}
    )
    prefs = list(period.preferences.values_list("mode", flat=True))
    period.mode = decide_mode(period.proposed_mode, prefs)
    period.save(update_fields=["mode", "updated_at"])
    ledger.record(
        code=E.MODE_PREFERRED,
        actor=actor,
        case_id=period.case_id,
        data={"period": period.pk, "party": party.pk, "mode": mode, "result": period.mode},
    )
    return period


@transaction.atomic
def opinion_give(
    *,
    period: CrossExamination,
    actor: Actor,
    exhibit_number: int | None,
    authenticity: str,
    legality: str,
    relevance: str,
    reasons: str = "",
    party_id: int | None = None,
    now: dt.datetime | None = None,
) -> Opinion:
    """An opposing party states its opinion on an exhibit's authenticity, legality and
    relevance (三性) (在线诉讼规则第十四条、第十五条). After the deadline nothing is stored."""
    now = now or timezone.now()
    period = CrossExamination.objects.select_for_update().get(pk=period.pk)
    viewer = policies.require_see_evidence(actor, period.case)
    if now >= period.deadline:
        raise Conflict(_("质证期限已过，不能再发表意见"), code="deadline_passed")
    if not exhibit_number:
        raise InvalidInput(_("请选择证据"), fields={"exhibit": _("请选择证据")})
    exhibit = next(
        (e for e in selectors.period_exhibits(period, viewer) if e.number == int(exhibit_number)),
        None,
    )
    if exhibit is None:
        raise NotFound(_("没有找到该证据"))
    party = policies.require_give_opinion(actor, period, exhibit, party_id)
    actor = case_policies.on_case(actor, period.case)
    stances = {"authenticity": authenticity, "legality": legality, "relevance": relevance}
    bad = {k: _("请选择") for k, v in stances.items() if v not in Stance.values}
    if bad:
        raise InvalidInput(_("请对真实性、合法性、关联性逐项表态"), fields=bad)
    reasons = (reasons or "").strip()
    if any(v != Stance.AGREE for v in stances.values()) and not reasons:
        raise InvalidInput(_("不认可或部分认可时请说明理由"), fields={"reasons": _("请说明理由")})
    if len(reasons) > 5000:
        raise InvalidInput(_("理由太长"), fields={"reasons": _("不能超过 5000 字")})
    opinion, _created = Opinion.objects.update_or_create(
        cross_examination=period,
        exhibit=exhibit,
        participant=party,
        defaults={**stances, "reasons": reasons, "submitted_by": actor.user, "created_at": now},
    )
    ledger.record(
        code=E.OPINION_GIVEN,
        actor=actor,
        case_id=period.case_id,
        subject_digest=digest_of_json(
            {"exhibit": exhibit.sha256, "party": party.pk, **stances, "reasons": reasons}
        ),
        data={"period": period.pk, "exhibit": exhibit.number, "party": party.pk, **stances},
    )
    return opinion


def reminders_send(*, now: dt.datetime | None = None) -> list[int]:
    """Remind the opposing parties still owing opinions, once, ``REMIND_BEFORE`` the end of
    the period (in-app and SMS, 在线诉讼规则第三十二条). Returns the periods reminded."""
    now = now or timezone.now()
    due = CrossExamination.objects.filter(
        reminded_at__isnull=True, deadline__gt=now, deadline__lte=now + REMIND_BEFORE
    ).values_list("pk", flat=True)
    return [pk for pk in due if _remind(pk, now)]


@transaction.atomic
def _remind(period_id: int, now: dt.datetime) -> bool:
    # The conditional update claims the period: two workers cannot both remind.
    if not CrossExamination.objects.filter(pk=period_id, reminded_at__isnull=True).update(
        reminded_at=now
    ):
        return False
    period = CrossExamination.objects.select_related("case").get(pk=period_id)
    owing = _owing(period)
    local = timezone.localtime(period.deadline).strftime("%Y-%m-%d %H:%M")
    for party in owing:
        notify(
            event="evidence.cross_examination_reminder",
            recipient=party.user,
            params={"deadline": local},
            url=reverse("evidence:xexam", args=[period.case_id, period.pk]),
            idempotency_key=f"evidence.xexam.reminder:{period.pk}:{party.pk}",
            channels=[Channel.INAPP, Channel.SMS],
        )
    ledger.record(
        code=E.REMINDER_SENT,
        actor=Actor.system("cross_examination_reminder"),
        case_id=period.case_id,
        data={"period": period.pk, "parties": [p.pk for p in owing]},
    )
    return True


def _owing(period: CrossExamination) -> list[CaseParticipant]:
    """Parties with an account that still owe an opinion on some exhibit of the period."""
    given = set(
        Opinion.objects.filter(cross_examination=period).values_list("exhibit_id", "participant_id")
    )
    owing = {}
    exhibits = list(period.exhibits.filter(court_only=False))
    for party in selectors.parties_of(period.case):
        if not party.user_id:
            continue
        for exhibit in exhibits:
            if exhibit.party_id != party.pk and (exhibit.pk, party.pk) not in given:
                owing[party.pk] = party
    return list(owing.values())
