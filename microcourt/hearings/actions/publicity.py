"""公开审理与网络直播: whether a case may be heard in public and broadcast, and the judge's live
switch.

民事诉讼法第一百三十七条 (not in rules.md; from the statute): civil cases are heard in public
except those involving state secrets or personal privacy, or where the law provides otherwise;
divorce cases and cases involving trade secrets are not heard in public when a party applies.
在线诉讼规则第二十七条 (rules.md B.1): no internet broadcast for state secrets or privacy; it may be
withheld for minors, trade secrets or divorce on request.

So:
- the court's people on the case record a non-public ground (``CasePublicity.ground``);
- a party may ask that the hearing not be broadcast, with reasons; the judge grants or refuses.
  Until a model exists for the requests (see the report), a request and its decision are
  ledger entries (``NO_BROADCAST_REQUESTED`` / ``NO_BROADCAST_DECIDED``) and a granted request
  sets ``CasePublicity.ground`` (trade secret, divorce or other) with a note naming it;
- the presiding judge's switch ``session_set_public`` is refused while any case heard in the
  session has a ground, a granted request, or a party under 18.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.cases import policies as case_policies
from microcourt.cases.models import PARTY_ROLES, Case, CaseParticipant
from microcourt.core.actor import Actor
from microcourt.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from microcourt.ledger import actions as ledger
from microcourt.ledger.models import Entry

from .. import live, policies
from ..events import LedgerEvent
from ..models import CasePublicity, NonPublicGround, Procedure, Session, SessionStatus

# A person under 18 is a minor (民法典第十七条).
ADULT_AGE = 18
MAX_REASON = 1000
MAX_NOTE = 300
# Grounds a granted request may be recorded under (the law lets these be withheld on request).
REQUEST_GROUNDS = (NonPublicGround.TRADE_SECRET, NonPublicGround.DIVORCE, NonPublicGround.OTHER_LAW)


# --- Reads --------------------------------------------------------------------------------


def _age_on(born: dt.date, today: dt.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _born(birth_date: dt.date | None, id_number: str) -> dt.date | None:
    """A recorded birth date, else the one printed in a resident ID number (None when
    neither tells)."""
    from stdnum.exceptions import ValidationError

    from microcourt.core import idnumbers

    if birth_date is not None:
        return birth_date
    if not id_number:
        return None
    try:
        return idnumbers.resident_id_birth_date(idnumbers.resident_id_validate(id_number))
    except ValidationError:  # not a resident ID number (a passport, a typo): no age
        return None


def _birth_dates(case: Case) -> list[tuple[str, dt.date]]:
    """Birth dates of the case's natural-person parties: from their verified real-name
    identity, else from the filing's record of the party (offline parties have no account)."""
    from microcourt.filing import selectors as filing_selectors
    from microcourt.identity import selectors as identity_selectors

    out: list[tuple[str, dt.date]] = []
    parties = CaseParticipant.objects.filter(case=case, active=True, role__in=PARTY_ROLES)
    for party in parties.select_related("user"):
        born = None
        details = identity_selectors.own_party_details(party.user) if party.user_id else None
        if details is not None:
            born = _born(details["birth_date"], details["id_number"])
        if born is None:
            filed = filing_selectors.party_of(party)
            if filed is not None and filed.kind == "natural":
                born = _born(filed.birth_date, filed.id_number)
        if born is not None:
            out.append((party.display_name, born))
    return out


def minors_of(case: Case) -> list[str]:
    """Names of the case's natural-person parties under 18 today (Beijing's date)."""
    today = timezone.localdate()
    seen: list[str] = []
    for name, born in _birth_dates(case):
        if _age_on(born, today) < ADULT_AGE and name not in seen:
            seen.append(name)
    return seen


@dataclass(frozen=True)
class Bar:
    """One reason a session may not be broadcast: the case and why."""

    case_id: int
    case_number: str
    reason: str


def bars_of_case(case: Case) -> list[Bar]:
    number = case.number or str(case.pk)
    out: list[Bar] = []
    publicity = CasePublicity.objects.filter(case=case).first()
    if publicity is not None and publicity.ground:
        reason = str(NonPublicGround(publicity.ground).label)
        if publicity.note:
            reason = f"{reason}（{publicity.note}）"
        out.append(Bar(case.pk, number, reason))
    minors = minors_of(case)
    if minors:
        out.append(
            Bar(
                case.pk,
                number,
                str(_("当事人%(names)s未满十八周岁") % {"names": "、".join(minors)}),
            )
        )
    return out


def bars_of_session(session: Session) -> list[Bar]:
    """Every reason the session may not be broadcast, across all the cases heard in it (联审:
    one protected case keeps the whole sitting off the air)."""
    out: list[Bar] = []
    for case in [session.case, *session.joint_cases.all()]:
        out.extend(bars_of_case(case))
    if session.procedure == Procedure.ASYNC:
        out.append(
            Bar(session.case_id, session.case.number or "", str(_("异步审理没有可直播的庭审")))
        )
    return out


def broadcastable(session: Session) -> bool:
    return not bars_of_session(session)


@dataclass(frozen=True)
class NoBroadcastRequest:
    id: int
    case_id: int
    party: str
    reason: str
    at: dt.datetime
    status: str  # pending | granted | refused
    decision_note: str = ""


def no_broadcast_requests(case: Case) -> list[NoBroadcastRequest]:
    """The parties' requests not to broadcast the case, each with its decision (from the
    ledger entries that record them)."""
    decisions = {
        e.details.get("request"): e
        for e in Entry.objects.filter(
            case_id=case.pk, code=LedgerEvent.NO_BROADCAST_DECIDED
        ).order_by("pk")
    }
    out = []
    for e in Entry.objects.filter(
        case_id=case.pk, code=LedgerEvent.NO_BROADCAST_REQUESTED
    ).order_by("pk"):
        decided = decisions.get(e.pk)
        out.append(
            NoBroadcastRequest(
                id=e.pk,
                case_id=case.pk,
                party=e.details.get("party_name", ""),
                reason=e.details.get("reason", ""),
                at=e.created_at,
                status=("granted" if decided.details.get("grant") else "refused")
                if decided
                else "pending",
                decision_note=decided.details.get("note", "") if decided else "",
            )
        )
    return out


# --- Writes -------------------------------------------------------------------------------


def _require_court_of_case(actor: Actor, case: Case) -> None:
    case_policies.require_visible(actor, case)
    if actor.is_system:
        return
    if not (case_policies.case_roles(actor, case) & policies.COURT_CASE_ROLES):
        raise Forbidden(_("只有本案的审判人员或书记员可以进行此操作"))


def _require_judge_of_case(actor: Actor, case: Case) -> None:
    case_policies.require_visible(actor, case)
    if actor.is_system:
        return
    if "judge" not in case_policies.case_roles(actor, case):
        raise Forbidden(_("只有本案的审判长可以进行此操作"))


def _switch_off_live(case: Case, actor: Actor, why: str) -> list[int]:
    """A newly protected case comes off the air at once: every public session it is heard in
    (its own and joint ones) is switched off and its viewers lose their tokens."""
    from django.db.models import Q

    switched = []
    # The ids first: PostgreSQL locks no rows of a DISTINCT query (the join to the joint
    # cases can repeat a session).
    ids = Session.objects.filter(Q(case=case) | Q(case_links__case=case), public=True).values("pk")
    for session in Session.objects.select_for_update().filter(pk__in=ids).order_by("pk"):
        _switch(session, actor, False, why=why)
        switched.append(session.pk)
    return switched


def _switch(session: Session, actor: Actor, public: bool, **why: str) -> None:
    """Set the live switch (inside the caller's transaction): the ledger, everyone in the
    room told; on the air the room's publishers relayed to the Streaming plugin, off the air
    the relays stopped and the viewers' tokens revoked."""
    from . import live_views

    was_on_air = session.public and session.status == SessionStatus.OPEN
    session.public = public
    session.version += 1
    session.save(update_fields=["public", "version", "updated_at"])
    ledger.record(
        code=LedgerEvent.PUBLIC_SET,
        actor=actor,
        case_id=session.case_id,
        data={"session": session.pk, "public": public, **why},
    )
    live.push(session.pk, "public", public=public, version=session.version)
    if public:
        live_views.broadcast_started(session=session, actor=actor, why="switch_on")
    else:
        live_views.revoke_all_after_commit(session.pk)
        live_views.broadcast_stopped(
            session=session,
            actor=actor,
            why=why.get("why", "switch_off"),
            was_on_air=was_on_air,
        )


def publicity_set(*, case: Case, actor: Actor, ground: str, note: str = "") -> CasePublicity:
    """The court records why the case is not heard in public or broadcast (民事诉讼法第一百
    三十七条; 在线诉讼规则第二十七条), or clears it (``ground=""``). A ground takes any public
    session of the case off the air."""
    _require_court_of_case(actor, case)
    if ground not in NonPublicGround.values:
        raise InvalidInput(
            _("不公开理由无效"),
            fields={
                "ground": str(_("可选值：")) + "、".join(g for g in NonPublicGround.values if g)
            },
        )
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(_("说明过长"), fields={"note": str(_("说明不超过300字"))})
    if ground == NonPublicGround.OTHER_LAW and not note:
        raise InvalidInput(
            _("请写明法律依据"), fields={"note": str(_("“法律规定的其他情形”须写明依据"))}
        )
    with transaction.atomic():
        publicity, _created = CasePublicity.objects.select_for_update().get_or_create(case=case)
        before = publicity.ground
        publicity.ground, publicity.note, publicity.set_by = ground, note, actor.user
        publicity.save(update_fields=["ground", "note", "set_by", "updated_at"])
        ledger.record(
            code=LedgerEvent.PUBLICITY_SET,
            actor=actor,
            case_id=case.pk,
            data={"ground": ground, "before": before, "note": note},
        )
        if ground:
            _switch_off_live(case, actor, f"ground:{ground}")
    return publicity


def no_broadcast_request(*, case: Case, actor: Actor, reason: str) -> NoBroadcastRequest:
    """A party (or their agent) asks that the case's hearing not be broadcast, with reasons
    (在线诉讼规则第二十七条: minors, trade secrets, divorce may be withheld on request)."""
    case_policies.require_visible(actor, case)
    parties = case_policies.represented_parties(actor, case)
    if not parties:
        raise Forbidden(_("只有本案当事人或其代理人可以提出申请"))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请写明理由"), fields={"reason": str(_("请写明不公开直播的理由"))})
    if len(reason) > MAX_REASON:
        raise InvalidInput(_("理由过长"), fields={"reason": str(_("理由不超过1000字"))})
    party = parties[0]
    with transaction.atomic():
        entry = ledger.record(
            code=LedgerEvent.NO_BROADCAST_REQUESTED,
            actor=actor,
            case_id=case.pk,
            data={"party": party.pk, "party_name": party.display_name, "reason": reason},
        )
    return NoBroadcastRequest(
        id=entry.pk,
        case_id=case.pk,
        party=party.display_name,
        reason=reason,
        at=entry.created_at,
        status="pending",
    )


def no_broadcast_decide(
    *,
    case: Case,
    actor: Actor,
    request_id: int,
    grant: bool,
    ground: str = NonPublicGround.OTHER_LAW,
    note: str = "",
) -> NoBroadcastRequest:
    """The judge grants or refuses a party's request not to broadcast. A granted request is
    kept as the case's ground (trade secret, divorce or other), so the switch stays off."""
    _require_judge_of_case(actor, case)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise InvalidInput(_("说明过长"), fields={"note": str(_("说明不超过300字"))})
    if grant and ground not in REQUEST_GROUNDS:
        raise InvalidInput(
            _("不公开理由无效"),
            fields={
                "ground": str(_("可选值：")) + "、".join(str(g.value) for g in REQUEST_GROUNDS)
            },
        )
    if not grant and not note:
        raise InvalidInput(_("请写明不准许的理由"), fields={"note": str(_("请写明不准许的理由"))})
    with transaction.atomic():
        # The requests are serialised per case by locking its publicity row.
        publicity, _created = CasePublicity.objects.select_for_update().get_or_create(case=case)
        pending = {r.id: r for r in no_broadcast_requests(case)}
        request = pending.get(request_id)
        if request is None:
            raise NotFound(_("没有找到该申请"))
        if request.status != "pending":
            raise Conflict(_("该申请已经审查"), fields={"request": str(_("该申请已经审查"))})
        ledger.record(
            code=LedgerEvent.NO_BROADCAST_DECIDED,
            actor=actor,
            case_id=case.pk,
            data={
                "request": request_id,
                "grant": grant,
                "ground": ground if grant else "",
                "note": note,
            },
        )
        if grant:
            before = publicity.ground
            publicity.ground = ground
            publicity.note = (
                str(_("依当事人%(party)s申请（第%(id)s号）准许不公开直播"))
                % {"party": request.party, "id": request_id}
                + (f"：{note}" if note else "")
            )[:MAX_NOTE]
            publicity.set_by = actor.user
            publicity.save(update_fields=["ground", "note", "set_by", "updated_at"])
            ledger.record(
                code=LedgerEvent.PUBLICITY_SET,
                actor=actor,
                case_id=case.pk,
                data={"ground": ground, "before": before, "request": request_id},
            )
            _switch_off_live(case, actor, f"request:{request_id}")
    return next(r for r in no_broadcast_requests(case) if r.id == request_id)


def session_set_public(*, session: Session, actor: Actor, public: bool) -> Session:
    """The presiding judge's live switch (在线诉讼规则第二十七条). Switching on is refused,
    naming ``public`` and changing nothing, while any case heard in the session is protected
    (a ground, a granted request, a party under 18) or the session is over."""
    policies.require_presiding(actor, session)
    if not isinstance(public, bool):
        raise InvalidInput(_("取值无效"), fields={"public": str(_("须为 true 或 false"))})

    with transaction.atomic():
        session = Session.objects.select_for_update().select_related("case").get(pk=session.pk)
        if public:
            if session.status in (SessionStatus.CLOSED, SessionStatus.CANCELLED):
                raise Conflict(
                    _("该庭审已结束或已取消"), fields={"public": str(_("该庭审已结束或已取消"))}
                )
            bars = bars_of_session(session)
            if bars:
                reasons = "；".join(f"{b.case_number}：{b.reason}" for b in bars)
                raise Conflict(
                    _("本案依法不得公开直播"),
                    code="not_broadcastable",
                    fields={"public": str(_("不得公开直播：")) + reasons},
                )
        if session.public != public:
            _switch(session, actor, public)
    return session
