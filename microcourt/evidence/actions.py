"""Evidence writes: submission, objections and originals (在线诉讼规则第十二条、第十三条),
court-only marking, and cross-examination (第十四条、第十五条). Each writes its ledger entry."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from microcourt.cases.models import Case, CaseParticipant
from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.core.effects import on_commit
from microcourt.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from microcourt.ledger import actions as ledger
from microcourt.notifications.actions import notify
from microcourt.notifications.models import Channel

from . import limits, selectors
from .events import LedgerEvent as E
from .models import (
    CrossExamination,
    DeemedGround,
    Exhibit,
    ExhibitCounter,
    Mode,
    ModePreference,
    Objection,
    Opinion,
    OriginalStatus,
    RequireReason,
    Stance,
)

REMIND_BEFORE = dt.timedelta(hours=24)


def _digest_of_json(payload: dict) -> str:
    raw = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode()
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _party_for(viewer: selectors.Viewer, party_id: int | None) -> CaseParticipant:
    """The party the actor acts for: the one named, or the only one it may act for."""
    if party_id is None:
        if len(viewer.parties) == 1:
            return viewer.parties[0]
        if not viewer.parties:
            raise Forbidden(_("只有当事人或其代理人可以进行此操作"))
        raise InvalidInput(_("请选择代表的当事人"), fields={"party": _("请选择当事人")})
    for party in viewer.parties:
        if party.pk == party_id:
            return party
    raise InvalidInput(_("您不能代表该当事人"), fields={"party": _("您不能代表该当事人")})


def _require_court(viewer: selectors.Viewer, *, judge: bool = False) -> None:
    if judge and not viewer.judge:
        raise Forbidden(_("只有承办法官可以进行此操作"))
    if not viewer.court:
        raise Forbidden(_("只有法院工作人员可以进行此操作"))


def _text(value: str | None, field: str, label, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(_("请填写%(f)s") % {"f": label}, fields={field: _("必填")})
    if len(value) > max_length:
        raise InvalidInput(
            _("%(f)s太长") % {"f": label},
            fields={field: _("不能超过 %(n)s 字") % {"n": max_length}},
        )
    return value


def _exhibit_url(exhibit: Exhibit) -> str:
    return reverse("evidence:exhibit", args=[exhibit.case_id, exhibit.number])


# --- submission ---------------------------------------------------------------------------------


def exhibit_submit(
    *,
    case: Case,
    actor: Actor,
    upload,
    name: str,
    source: str,
    purpose: str,
    pages: int | str | None = 1,
    party_id: int | None = None,
) -> Exhibit:
    """A party (or its agent, for the party it represents) submits one item of its evidence
    list (名称、来源、证明目的、页数) (在线诉讼规则第十一条、第十二条).

    The fields are checked, the file is read within its kind's limit and sniffed, and stored
    under its SHA-256 before the row is written: nothing is stored for a refused upload, and
    nothing acknowledged is lost."""
    viewer = selectors.viewer_of(actor, case)
    if not viewer.court and not viewer.parties:
        raise NotFound(_("没有找到该案件"))
    party = _party_for(viewer, party_id)
    name = _text(name, "name", _("名称"), 200)
    source = _text(source, "source", _("来源"), 200)
    purpose = _text(purpose, "purpose", _("证明目的"), 2000)
    try:
        pages = int(pages or 1)
        if pages < 1 or pages > 100000:
            raise ValueError
    except (TypeError, ValueError):
        raise InvalidInput(_("页数不正确"), fields={"pages": _("请填写正整数")}) from None
    data, mime, kind = limits.read_evidence(upload)
    stored = uploads.store(data, mime=mime, prefix="evidence")
    original_name = (getattr(upload, "name", "") or "")[:255]
    return _exhibit_create(
        case=case,
        actor=actor,
        party=party,
        stored=stored,
        kind=kind,
        fields={
            "name": name,
            "source": source,
            "purpose": purpose,
            "pages": pages,
            "original_name": original_name,
        },
    )


@transaction.atomic
def _exhibit_create(*, case, actor, party, stored, kind, fields) -> Exhibit:
    counter, _created = ExhibitCounter.objects.get_or_create(case=case)
    counter = ExhibitCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    own = CaseParticipant.objects.filter(case=case, user_id=actor.user_id, active=True)
    role = next(
        (p.role for p in own if p.pk == party.pk or p.represents_id == party.pk), party.role
    )
    exhibit = Exhibit.objects.create(
        case=case,
        party=party,
        submitted_by=actor.user,
        submitted_by_role=role,
        number=counter.last_number,
        kind=kind,
        sha256=stored.sha256,
        size=stored.size,
        mime=stored.mime,
        path=stored.path,
        **fields,
    )
    entry = ledger.record(
        code=E.EXHIBIT_SUBMITTED,
        actor=actor,
        case_id=case.pk,
        subject_digest=stored.digest,
        data={
            "exhibit": exhibit.pk,
            "number": exhibit.number,
            "party": party.pk,
            "mime": stored.mime,
        },
    )
    exhibit.ledger_entry_id = entry.pk
    exhibit.save(update_fields=["ledger_entry_id"])
    from . import tasks

    on_commit(tasks.make_preview.enqueue, exhibit.pk)
    for other in selectors.opposing_parties(exhibit):
        if other.user_id:
            notify(
                event="evidence.submitted",
                recipient=other.user,
                title=_g("对方提交了新证据"),
                body=_g("%(party)s 提交了证据 %(n)s：%(name)s")
                % {"party": party.display_name, "n": exhibit.number, "name": exhibit.name},
                url=_exhibit_url(exhibit),
                idempotency_key=f"evidence.submitted:{exhibit.pk}:{other.pk}",
            )
    return exhibit


# --- originals (第十二条、第十三条) ---------------------------------------------------------------


@transaction.atomic
def objection_raise(
    *, exhibit: Exhibit, actor: Actor, reasons: str, party_id: int | None = None
) -> Objection:
    """An opposing party objects, with reasons, that the copy does not match the original
    (在线诉讼规则第十二条第二款第一项)."""
    exhibit = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
    viewer = selectors.viewer_of(actor, exhibit.case)
    if exhibit.court_only and not viewer.court:
        raise NotFound(_("没有找到该证据"))
    party = _party_for(viewer, party_id)
    if party.pk == exhibit.party_id:
        raise Forbidden(_("不能对己方提交的证据提出异议"))
    reasons = _text(reasons, "reasons", _("理由和依据"), 2000)
    objection = Objection.objects.create(
        exhibit=exhibit, participant=party, raised_by=actor.user, reasons=reasons
    )
    if exhibit.original_status in (OriginalStatus.COPY, OriginalStatus.DEEMED):
        exhibit.original_status = OriginalStatus.OBJECTED
        exhibit.deemed_ground = ""
        exhibit.save(update_fields=["original_status", "deemed_ground", "updated_at"])
    ledger.record(
        code=E.OBJECTION_RAISED,
        actor=actor,
        case_id=exhibit.case_id,
        subject_digest=f"sha256:{exhibit.sha256}",
        data={"exhibit": exhibit.pk, "objection": objection.pk, "party": party.pk},
    )
    return objection


@transaction.atomic
def original_require(*, exhibit: Exhibit, actor: Actor, reason: str) -> Exhibit:
    """The court requires the original (在线诉讼规则第十二条第二款): status 需核对原件."""
    exhibit = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
    _require_court(selectors.viewer_of(actor, exhibit.case))
    if reason not in RequireReason.values:
        raise InvalidInput(_("请选择要求原件的情形"), fields={"reason": _("请选择")})
    if reason == RequireReason.OBJECTION and not exhibit.objections.exists():
        raise InvalidInput(_("对方当事人尚未提出异议"), fields={"reason": _("没有异议")})
    exhibit.original_status = OriginalStatus.REQUIRED
    exhibit.required_reason = reason
    exhibit.deemed_ground = ""
    exhibit.save(
        update_fields=["original_status", "required_reason", "deemed_ground", "updated_at"]
    )
    ledger.record(
        code=E.ORIGINAL_REQUIRED,
        actor=actor,
        case_id=exhibit.case_id,
        subject_digest=f"sha256:{exhibit.sha256}",
        data={"exhibit": exhibit.pk, "reason": reason},
    )
    if exhibit.party.user_id:
        notify(
            event="evidence.original_required",
            recipient=exhibit.party.user,
            params={"n": exhibit.number, "name": exhibit.name},
            url=_exhibit_url(exhibit),
            idempotency_key=f"evidence.original_required:{exhibit.pk}:{exhibit.updated_at:%s%f}",
            channels=[Channel.INAPP, Channel.SMS],
        )
    return exhibit


@transaction.atomic
def original_confirm(*, exhibit: Exhibit, actor: Actor, ground: str, note: str = "") -> Exhibit:
    """The court records the copy as verified against the original (compared) or deemed to
    meet the original-form rule on one of the five grounds of 在线诉讼规则第十三条."""
    exhibit = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
    _require_court(selectors.viewer_of(actor, exhibit.case))
    if ground not in DeemedGround.values:
        raise InvalidInput(_("请选择认定依据"), fields={"ground": _("请选择")})
    if ground == DeemedGround.NO_OBJECTION and exhibit.objections.exists():
        raise InvalidInput(
            _("对方当事人已提出异议，不能以“未提出异议”认定"), fields={"ground": _("已有异议")}
        )
    verified = ground == DeemedGround.COMPARED
    exhibit.original_status = OriginalStatus.VERIFIED if verified else OriginalStatus.DEEMED
    exhibit.deemed_ground = ground
    exhibit.save(update_fields=["original_status", "deemed_ground", "updated_at"])
    ledger.record(
        code=E.ORIGINAL_VERIFIED if verified else E.ORIGINAL_DEEMED,
        actor=actor,
        case_id=exhibit.case_id,
        subject_digest=f"sha256:{exhibit.sha256}",
        data={"exhibit": exhibit.pk, "ground": ground, "note": note[:500]},
    )
    return exhibit


# --- court only ---------------------------------------------------------------------------------


@transaction.atomic
def exhibit_set_court_only(*, exhibit: Exhibit, actor: Actor, court_only: bool = True) -> Exhibit:
    """The judge limits an exhibit to the court (e.g. trade secrets, 在线诉讼规则第三十八条)."""
    exhibit = Exhibit.objects.select_for_update().get(pk=exhibit.pk)
    _require_court(selectors.viewer_of(actor, exhibit.case), judge=True)
    exhibit.court_only = bool(court_only)
    exhibit.save(update_fields=["court_only", "updated_at"])
    ledger.record(
        code=E.COURT_ONLY_SET,
        actor=actor,
        case_id=exhibit.case_id,
        subject_digest=f"sha256:{exhibit.sha256}",
        data={"exhibit": exhibit.pk, "court_only": exhibit.court_only},
    )
    return exhibit


@transaction.atomic
def court_only_viewed(*, exhibit: Exhibit, actor: Actor, what: str = "page") -> None:
    """Every look at court-only material is in the ledger's private part (ARCHITECTURE §4.7)."""
    ledger.record(
        code=E.COURT_ONLY_VIEWED,
        actor=actor,
        case_id=exhibit.case_id,
        subject_digest=f"sha256:{exhibit.sha256}",
        data={"exhibit": exhibit.pk, "what": what},
    )


def log_view(exhibit: Exhibit, actor: Actor, viewer: selectors.Viewer, what: str = "page") -> None:
    if exhibit.court_only and viewer.court:
        court_only_viewed(exhibit=exhibit, actor=actor, what=what)


# --- previews -----------------------------------------------------------------------------------


def preview_make(*, exhibit_id: int) -> Exhibit:
    """Make the exhibit's preview (idempotent: a finished preview is left alone)."""
    from . import previews
    from .models import PreviewStatus

    exhibit = Exhibit.objects.get(pk=exhibit_id)
    if exhibit.preview_status in (PreviewStatus.READY, PreviewStatus.NONE):
        return exhibit
    status, path, text = previews.make(exhibit)
    Exhibit.objects.filter(pk=exhibit.pk).update(
        preview_status=status, preview_path=path, preview_text=text
    )
    exhibit.refresh_from_db()
    return exhibit


# --- cross-examination (第十四条、第十五条) -----------------------------------------------------


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
    viewer = selectors.viewer_of(actor, case)
    _require_court(viewer, judge=True)
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
    numbers = sorted({int(n) for n in exhibit_numbers or []})
    exhibits = list(Exhibit.objects.filter(case=case, number__in=numbers))
    if not numbers or len(exhibits) != len(numbers):
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
        subject_digest=_digest_of_json(
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
    viewer = selectors.viewer_of(actor, period.case)
    party = _party_for(viewer, party_id)
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
    exhibit_number: int,
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
    if now >= period.deadline:
        raise Conflict(_("质证期限已过，不能再发表意见"), code="deadline_passed")
    viewer = selectors.viewer_of(actor, period.case)
    exhibit = next(
        (e for e in selectors.period_exhibits(period, viewer) if e.number == int(exhibit_number)),
        None,
    )
    if exhibit is None:
        raise NotFound(_("没有找到该证据"))
    party = _party_for(viewer, party_id)
    if party.pk == exhibit.party_id:
        raise Forbidden(_("不能对己方提交的证据发表质证意见"))
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
        subject_digest=_digest_of_json(
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
