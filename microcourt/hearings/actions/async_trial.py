"""异步审理 (在线诉讼规则第二十条): the parties take part in the hearing's stages at different
times, each posting their statement as video or text within the judge's deadline.

Art 20 allows an asynchronous *trial* only for small-claims cases or civil/administrative cases
under summary procedure, and only when all three hold: (1) being online at the same time is
genuinely hard for the parties; (2) one party applies in writing and all parties agree;
(3) after online evidence exchange or questioning, the main facts and evidence are not in
dispute. Everything here refuses to go on until all of it is recorded.

Where things are kept (no model yet; see the report):
- the procedure (简易程序 / 小额诉讼程序): the case's own ``Case.procedure``, decided by its
  judge on the case (``cases.actions.case_procedure_set``, which applies 民事诉讼法第一百六十条至
  第一百七十条); here it must be summary or small claims and still fit the case's type, court
  and claim (``cases.policies.procedure_misfit``, the same rule);
- the written application, each party's consent, and the judge's findings on (1) and (3):
  ledger entries (``ASYNC_APPLIED``, ``ASYNC_CONSENTED``, ``ASYNC_CONDITIONS``) carrying the
  session; the latest per party counts;
- deadlines and posts: ``AsyncStageDeadline`` and ``AsyncStagePost``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.cases.models import PARTY_ROLES, CaseParticipant, CaseProcedure
from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden, InvalidInput
from microcourt.ledger import actions as ledger
from microcourt.ledger.models import Entry

from .. import live, policies, selectors
from ..events import LedgerEvent
from ..models import (
    COURT_SEATS,
    AsyncStageDeadline,
    AsyncStagePost,
    HearingStage,
    Procedure,
    SeatRole,
    Session,
    SessionKind,
    SessionStatus,
)

# The stages a party posts to, in order.
ASYNC_STAGES = (
    HearingStage.INVESTIGATION,
    HearingStage.EVIDENCE,
    HearingStage.DEBATE,
    HearingStage.FINAL_STATEMENT,
)
# The procedures that allow it, as the judge picks them on the async page.
PROCEDURES = {p: CaseProcedure(p).label for p in case_policies.ASYNC_TRIAL_PROCEDURES_ORDER}
VIDEO_TYPES = frozenset({"video/mp4", "video/webm"})
MAX_TEXT = 20000
MAX_REASON = 2000
POSTING_SEATS = frozenset(
    {SeatRole.PLAINTIFF, SeatRole.DEFENDANT, SeatRole.THIRD_PARTY, SeatRole.AGENT}
)


def _bad(field_name: str, message) -> InvalidInput:
    return InvalidInput(message, fields={field_name: str(message)})


def _entries(session: Session, code: int):
    return Entry.objects.filter(
        case_id=session.case_id, code=code, details__session=session.pk
    ).order_by("pk")


def _parties(session: Session) -> list[CaseParticipant]:
    return list(
        CaseParticipant.objects.filter(
            case_id=session.case_id, active=True, role__in=PARTY_ROLES
        ).order_by("pk")
    )


@dataclass
class AsyncState:
    """What is recorded so far about the three conditions, and what is missing."""

    procedure: str = ""
    application: dict | None = None
    # party id → {"name", "agree", "at"}
    positions: dict[int, dict] = field(default_factory=dict)
    parties: list[CaseParticipant] = field(default_factory=list)
    simultaneous_hard: bool = False
    facts_undisputed: bool = False
    basis: str = ""
    missing: dict[str, str] = field(default_factory=dict)

    @property
    def all_agree(self) -> bool:
        return bool(self.parties) and all(
            self.positions.get(p.pk, {}).get("agree") for p in self.parties
        )

    @property
    def ready(self) -> bool:
        return not self.missing


def async_state(session: Session) -> AsyncState:
    state = AsyncState(parties=_parties(session))
    timeline = sorted(
        [
            *_entries(session, LedgerEvent.ASYNC_APPLIED),
            *_entries(session, LedgerEvent.ASYNC_CONSENTED),
        ],
        key=lambda e: e.pk,
    )
    for entry in timeline:
        d = entry.details
        if entry.code == LedgerEvent.ASYNC_APPLIED and state.application is None:
            state.application = {
                "party": d["party_name"],
                "text": d["text"],
                "at": entry.created_at,
            }
        state.positions[d["party"]] = {
            "name": d["party_name"],
            "agree": bool(d.get("agree", True)),
            "at": entry.created_at,
        }
    state.procedure = session.case.procedure
    conditions = _entries(session, LedgerEvent.ASYNC_CONDITIONS).last()
    if conditions is not None:
        d = conditions.details
        state.simultaneous_hard = bool(d.get("simultaneous_hard"))
        state.facts_undisputed = bool(d.get("facts_undisputed"))
        state.basis = d.get("basis", "")
    if session.procedure != Procedure.ASYNC:
        state.missing["procedure"] = str(_("本次庭审不是异步审理"))
    elif (refused := procedure_refusal(session.case)) is not None:
        state.missing["procedure"] = refused
    if not state.simultaneous_hard:
        state.missing["simultaneous_hard"] = str(_("尚未认定各方当事人同时在线参与庭审确有困难"))
    if state.application is None:
        state.missing["application"] = str(_("尚无当事人书面申请异步审理"))
    elif not state.all_agree:
        waiting = [
            p.display_name for p in state.parties if not state.positions.get(p.pk, {}).get("agree")
        ]
        state.missing["consent"] = str(_("尚未同意：")) + "、".join(waiting)
    if not state.facts_undisputed:
        state.missing["facts_undisputed"] = str(
            _("尚未认定经在线证据交换或者调查询问，案件主要事实和证据不存在争议")
        )
    return state


def procedure_refusal(case) -> str | None:
    """Why the case's procedure does not allow an asynchronous trial (None when it does)."""
    if not case.procedure:
        return str(_("本案尚未确定审理程序；仅小额诉讼案件或适用简易程序的案件可以异步审理"))
    if case.procedure not in case_policies.ASYNC_TRIAL_PROCEDURES:
        return str(
            _("本案适用%(procedure)s；仅小额诉讼案件或适用简易程序的案件可以异步审理")
            % {"procedure": CaseProcedure(case.procedure).label}
        )
    return case_policies.procedure_misfit(case, case.procedure)


def require_ready(session: Session, field_name: str = "procedure") -> AsyncState:
    state = async_state(session)
    if not state.ready:
        raise Conflict(
            _("异步审理的条件尚未全部具备（在线诉讼规则第二十条）"),
            code="async_not_allowed",
            fields=state.missing,
        )
    return state


def _require_async_session(session: Session) -> None:
    if session.procedure != Procedure.ASYNC:
        raise Conflict(
            _("本次庭审不是异步审理"), fields={"procedure": str(_("本次庭审不是异步审理"))}
        )
    if session.status in (SessionStatus.CLOSED, SessionStatus.CANCELLED):
        raise Conflict(
            _("该庭审已结束或已取消"), fields={"session": str(_("该庭审已结束或已取消"))}
        )


def _my_parties(actor: Actor, session: Session) -> list[CaseParticipant]:
    policies.require_visible(actor, session)
    parties = case_policies.represented_parties(actor, session.case)
    if not parties:
        raise Forbidden(_("只有本案当事人或其代理人可以进行此操作"))
    return parties


def async_apply(*, session: Session, actor: Actor, reason: str) -> AsyncState:
    """A party applies in writing for an asynchronous trial (第二十条第二项). The application
    is also that party's agreement."""
    _require_async_session(session)
    parties = _my_parties(actor, session)
    reason = (reason or "").strip()
    if not reason:
        raise _bad("reason", _("请写明申请异步审理的理由"))
    if len(reason) > MAX_REASON:
        raise _bad("reason", _("理由不超过2000字"))
    with transaction.atomic():
        Session.objects.select_for_update().get(pk=session.pk)
        for party in parties:
            ledger.record(
                code=LedgerEvent.ASYNC_APPLIED,
                actor=actor,
                case_id=session.case_id,
                data={
                    "session": session.pk,
                    "party": party.pk,
                    "party_name": party.display_name,
                    "text": reason,
                    "agree": True,
                },
            )
    return async_state(session)


def async_consent(*, session: Session, actor: Actor, agree: bool) -> AsyncState:
    """A party agrees (or not) to the asynchronous trial applied for (第二十条第二项)."""
    _require_async_session(session)
    parties = _my_parties(actor, session)
    if not isinstance(agree, bool):
        raise _bad("agree", _("须为 true 或 false"))
    if async_state(session).application is None:
        raise Conflict(
            _("尚无当事人书面申请异步审理"), fields={"agree": str(_("尚无当事人书面申请异步审理"))}
        )
    with transaction.atomic():
        Session.objects.select_for_update().get(pk=session.pk)
        for party in parties:
            ledger.record(
                code=LedgerEvent.ASYNC_CONSENTED,
                actor=actor,
                case_id=session.case_id,
                data={
                    "session": session.pk,
                    "party": party.pk,
                    "party_name": party.display_name,
                    "agree": agree,
                },
            )
    return async_state(session)


def _online_exchange_done(session: Session) -> bool:
    """Condition (3) presupposes an online evidence exchange or questioning: a closed
    exchange/questioning/pre-trial session of the case, or a cross-examination on record."""
    from microcourt.evidence import selectors as evidence_selectors

    held = Session.objects.filter(
        case_id=session.case_id,
        kind__in=(SessionKind.EVIDENCE_EXCHANGE, SessionKind.INQUIRY, SessionKind.PRETRIAL),
        status=SessionStatus.CLOSED,
    ).exists()
    return held or evidence_selectors.cross_examinations_for(session.case).exists()


def async_conditions_set(
    *,
    session: Session,
    actor: Actor,
    simultaneous_hard: bool,
    facts_undisputed: bool,
    basis: str,
) -> AsyncState:
    """The presiding judge records conditions (1) and (3) of 第二十条, with the basis. Refused,
    naming ``procedure``, unless the case is under summary procedure or small claims (decided on
    the case: ``cases.actions.case_procedure_set``), and naming the field for the rest."""
    policies.require_presiding(actor, session)
    _require_async_session(session)
    refused = procedure_refusal(session.case)
    if refused:
        raise _bad("procedure", refused)
    for name, value in (
        ("simultaneous_hard", simultaneous_hard),
        ("facts_undisputed", facts_undisputed),
    ):
        if not isinstance(value, bool):
            raise _bad(name, _("须为 true 或 false"))
    basis = (basis or "").strip()
    if not basis:
        raise _bad("basis", _("请写明认定的依据"))
    if len(basis) > MAX_REASON:
        raise _bad("basis", _("依据不超过2000字"))
    if facts_undisputed and not _online_exchange_done(session):
        raise _bad(
            "facts_undisputed",
            _("须先经在线证据交换或者调查询问，才能认定主要事实和证据不存在争议"),
        )
    with transaction.atomic():
        Session.objects.select_for_update().get(pk=session.pk)
        ledger.record(
            code=LedgerEvent.ASYNC_CONDITIONS,
            actor=actor,
            case_id=session.case_id,
            data={
                "session": session.pk,
                "procedure": session.case.procedure,
                "simultaneous_hard": simultaneous_hard,
                "facts_undisputed": facts_undisputed,
                "basis": basis,
            },
        )
    return async_state(session)


def deadlines(session: Session) -> dict[str, dt.datetime]:
    return {d.stage: d.due_at for d in AsyncStageDeadline.objects.filter(session=session)}


def async_deadline_set(*, session: Session, actor: Actor, stage: str, due_at) -> AsyncStageDeadline:
    """The presiding judge sets the deadline of one stage. Only once every condition of 第二十条
    is recorded; stages keep their order (a later stage is not due before an earlier one)."""
    policies.require_presiding(actor, session)
    _require_async_session(session)
    require_ready(session)
    if stage not in ASYNC_STAGES:
        raise _bad(
            "stage", _("可选阶段：") + "、".join(str(HearingStage(s).label) for s in ASYNC_STAGES)
        )
    if not isinstance(due_at, dt.datetime) or timezone.is_naive(due_at):
        raise _bad("due_at", _("截止时间须带时区"))
    if due_at <= timezone.now():
        raise _bad("due_at", _("截止时间须晚于现在"))
    order = list(ASYNC_STAGES)
    with transaction.atomic():
        Session.objects.select_for_update().get(pk=session.pk)
        for other, other_due in deadlines(session).items():
            if other not in order or other == stage:
                continue
            if order.index(other) < order.index(stage) and other_due > due_at:
                raise _bad("due_at", _("不得早于前一阶段的截止时间"))
            if order.index(other) > order.index(stage) and other_due < due_at:
                raise _bad("due_at", _("不得晚于后一阶段的截止时间"))
        deadline, _created = AsyncStageDeadline.objects.update_or_create(
            session=session, stage=stage, defaults={"due_at": due_at}
        )
        ledger.record(
            code=LedgerEvent.ASYNC_DEADLINE,
            actor=actor,
            case_id=session.case_id,
            data={"session": session.pk, "stage": stage, "due_at": due_at.isoformat()},
        )
        live.push(session.pk, "async_deadline", stage=stage, due_at=due_at.isoformat())
    return deadline


def async_post(
    *, session: Session, actor: Actor, stage: str, text: str = "", video=None
) -> AsyncStagePost:
    """A party's (or agent's) statement for one stage, as text and/or a video, within the
    stage's deadline. A late post is refused and nothing is stored."""
    _require_async_session(session)
    policies.require_visible(actor, session)
    seat = selectors.seat_of(actor, session)
    if seat is None or seat.role in COURT_SEATS or seat.role not in POSTING_SEATS:
        raise Forbidden(_("只有本案当事人或其代理人可以提交陈述"))
    require_ready(session, "stage")
    if stage not in ASYNC_STAGES:
        raise _bad(
            "stage", _("可选阶段：") + "、".join(str(HearingStage(s).label) for s in ASYNC_STAGES)
        )
    due = deadlines(session).get(stage)
    if due is None:
        raise _bad("stage", _("审判长尚未设定本阶段的期限"))
    if timezone.now() > due:
        raise Conflict(
            _("已超过本阶段的提交期限"),
            code="late",
            fields={
                "stage": str(_("本阶段已于 %(due)s 截止"))
                % {"due": f"{timezone.localtime(due):%Y-%m-%d %H:%M}"}
            },
        )
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise _bad("text", _("陈述不超过20000字"))
    if not text and not video:
        raise _bad("text", _("请填写陈述或上传视频"))
    stored = None
    if video:
        limit = int(settings.EVIDENCE_MAX_VIDEO_MB) * uploads.MB
        uploads.require(video, field="video", max_bytes=limit)
        mime = uploads.sniff(video, field="video", allowed=VIDEO_TYPES)
        stored = uploads.store(
            video,
            mime=mime,
            prefix="hearings/async",
            field="video",
            max_bytes=limit,
            extension=mime.split("/")[1],
        )
    with transaction.atomic():
        post = AsyncStagePost.objects.create(
            session=session,
            seat=seat,
            stage=stage,
            text=text,
            video=stored.path if stored else "",
            video_sha256=stored.sha256 if stored else "",
        )
        ledger.record(
            code=LedgerEvent.ASYNC_POSTED,
            actor=actor,
            case_id=seat.case_id,
            subject_digest=stored.digest if stored else ledger.digest_of(text.encode()),
            data={"session": session.pk, "seat": seat.pk, "stage": stage, "post": post.pk},
        )
        live.push(session.pk, "async_post", stage=stage, seat=seat.pk, post=post.pk)
    return post


def posts(session: Session) -> list[AsyncStagePost]:
    """Every post of the session, by stage then time: everyone in the case sees them all."""
    order = {s: i for i, s in enumerate(ASYNC_STAGES)}
    rows = list(AsyncStagePost.objects.filter(session=session).select_related("seat"))
    return sorted(rows, key=lambda p: (order.get(p.stage, 99), p.created_at, p.pk))
