"""The 传票 and 出庭通知书 of a session, and what hearings tell people through notifications.

《民事诉讼法》第一百三十九条: the court notifies the parties and the other participants three
days before the hearing; 《民诉解释》第二百二十七条: the parties by 传票, agents, witnesses and
the others by 出庭通知书. Each notice is rendered as a PDF (``core.pdf``, in a child process
with its time budget), sealed with the court's e-seal like every other court document
(``signing.pdf_seal``), stored content-addressed and then served through the service app
(``actions.scheduling.session_notices_serve``) — never with a transaction open around the
render.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from microcourt.core import pdf
from microcourt.notifications import templates as notification_templates

from .models import Mode, Participation, Seat, SeatRole, Session

# Seats summoned by 传票 (the parties); every other non-court seat gets a 出庭通知书.
PARTY_SEATS = frozenset({SeatRole.PLAINTIFF, SeatRole.DEFENDANT, SeatRole.THIRD_PARTY})
NOTICE_SEATS = frozenset({SeatRole.AGENT, SeatRole.WITNESS})
SUMMONS_TITLE = "传票"
NOTICE_TITLE = "出庭通知书"


def enter_path(session_id: int) -> str:
    """Where a participant enters the room (the courtroom pages build it)."""
    return f"/hearings/{session_id}/enter/"


def absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def title_of(seat: Seat) -> str:
    return SUMMONS_TITLE if seat.role in PARTY_SEATS else NOTICE_TITLE


def place_of(session: Session, seat: Seat) -> str:
    """应到处所: the physical courtroom for a seat attending offline, the online courtroom
    (with the way in) for the others."""
    court = session.case.court
    if seat.participation == Participation.OFFLINE or session.mode == Mode.OFFLINE:
        where = session.venue or court.name
        return (
            f"{where}（{court.address}）" if court.address and court.address not in where else where
        )
    return f"微法院在线庭审：{absolute(enter_path(session.pk))}"


def render(*, session: Session, seat: Seat, sequence: int) -> bytes:
    """The notice for one seat as a PDF (always in Chinese: it is a court document)."""
    with translation.override("zh-hans"):
        represented = seat.participant.represents if seat.participant_id else None
        context = {
            "title": title_of(seat),
            "session": session,
            "case": seat.case,
            "court": session.case.court,
            "seat": seat,
            "represented": represented,
            "is_summons": seat.role in PARTY_SEATS,
            "online": seat.participation != Participation.OFFLINE and session.mode != Mode.OFFLINE,
            "starts": timezone.localtime(session.starts_at),
            "ends": timezone.localtime(session.ends_at),
            "place": place_of(session, seat),
            "sequence": sequence,
            "issued": timezone.localtime(),
            "my_hearings": absolute("/hearings/mine/"),
        }
        html = render_to_string("hearings/session_notice_document.html", context)
    return pdf.render(html)


# -- notifications --------------------------------------------------------------------------
# Registered here, beside the documents they accompany (the service app's own "service.served"
# carries the notice itself to the party).

SCHEDULED = "hearings.scheduled"
RESCHEDULED = "hearings.rescheduled"
CANCELLED = "hearings.cancelled"
REMINDER = "hearings.reminder"
OFFLINE_REQUESTED = "hearings.offline_requested"
OFFLINE_DECIDED = "hearings.offline_decided"
NOTICE_UNSERVED = "hearings.notice_unserved"

E = notification_templates.Event
notification_templates.register(
    E(
        SCHEDULED,
        "case",
        title=_("庭审排期：%(no)s"),
        body=_("%(no)s定于 %(at)s 进行%(kind)s（%(mode)s），请准时参加。"),
        params=("no", "at", "kind", "mode"),
        title_en="Hearing scheduled: %(no)s",
        body_en="%(no)s: a %(kind)s is set for %(at)s (%(mode)s). Please attend on time.",
    ),
    E(
        RESCHEDULED,
        "legal",
        title=_("庭审改期：%(no)s"),
        body=_("%(no)s的%(kind)s由 %(old)s 改为 %(at)s。原因：%(reason)s"),
        params=("no", "kind", "old", "at", "reason"),
        title_en="Hearing rescheduled: %(no)s",
        body_en="%(no)s: the %(kind)s has moved from %(old)s to %(at)s. Reason: %(reason)s",
    ),
    E(
        CANCELLED,
        "legal",
        title=_("庭审取消：%(no)s"),
        body=_("%(no)s原定于 %(at)s 的%(kind)s已取消。原因：%(reason)s"),
        params=("no", "at", "kind", "reason"),
        title_en="Hearing cancelled: %(no)s",
        body_en="%(no)s: the %(kind)s set for %(at)s has been cancelled. Reason: %(reason)s",
    ),
    E(
        REMINDER,
        "case",
        title=_("庭审提醒：%(no)s"),
        body=_("%(no)s的%(kind)s将于 %(at)s 开始（%(how)s）。%(tip)s"),
        params=("no", "kind", "at", "how", "tip"),
        title_en="Hearing reminder: %(no)s",
        body_en="%(no)s: the %(kind)s starts at %(at)s (%(how)s). %(tip)s",
    ),
    E(
        OFFLINE_REQUESTED,
        "case",
        title=_("线下参加申请：%(no)s"),
        body=_("%(name)s申请线下参加 %(at)s 的%(kind)s，理由：%(reason)s"),
        params=("no", "name", "at", "kind", "reason"),
        title_en="Request to attend offline: %(no)s",
        body_en="%(name)s asks to attend the %(kind)s at %(at)s offline. Reasons: %(reason)s",
    ),
    E(
        OFFLINE_DECIDED,
        "case",
        title=_("线下参加申请结果：%(no)s"),
        body=_("您线下参加 %(at)s %(kind)s的申请：%(decision)s。%(note)s"),
        params=("no", "at", "kind", "decision", "note"),
        title_en="Your request to attend offline: %(no)s",
        body_en="Your request to attend the %(kind)s at %(at)s offline: %(decision)s. %(note)s",
    ),
    E(
        NOTICE_UNSERVED,
        "case",
        title=_("传票未能电子送达：%(no)s"),
        body=_("%(name)s没有可用的电子送达地址，%(at)s 的%(kind)s的%(title)s请邮寄送达。"),
        params=("no", "name", "at", "kind", "title"),
        title_en="Notice not served electronically: %(no)s",
        body_en=(
            "%(name)s has no electronic address: please post the %(title)s of the %(kind)s "
            "at %(at)s."
        ),
    ),
)
