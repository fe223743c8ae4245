"""The other side (在线诉讼规则第十条): each party the applicant named is sent an SMS link; within
3 days they log in, prove who they are, link to the case and say, stage by stage, whether
they go online. Without that in time their part proceeds offline. The link carries a random
token; only its SHA-256 is stored, so a database read does not yield working links. The
invitation's status moves only through ``states.INVITATION``."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.cases import actions as case_actions
from microcourt.core.actor import Actor
from microcourt.core.calendar import SHANGHAI, DeadlineRule, Period, Unit
from microcourt.core.errors import Conflict, Forbidden, InvalidInput
from microcourt.courts import selectors as court_selectors
from microcourt.ledger import actions as ledger
from microcourt.notifications import actions as notifications
from microcourt.notifications.models import Channel

from .. import policies, selectors
from ..events import LedgerEvent
from ..models import CaseInvitation, FilingParty, InvitationStatus
from ..states import INVITATION
from ._common import CONSENT_STAGES

LINK_PERIOD = DeadlineRule(Period(3, Unit.DAY), "《人民法院在线诉讼规则》第十条")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_url(token: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + reverse("filing:link", args=[token])


def invitation_send(
    *, case, participant, party: FilingParty, actor: Actor
) -> CaseInvitation | None:
    """Text the party a link to the case (inside the acceptance's transaction). A party
    without a mobile number is served offline; nothing is sent."""
    if not party.phone:
        return None
    calendar = court_selectors.court_calendar(case.court)
    due = calendar.deadline(timezone.now(), LINK_PERIOD).due
    expires = dt.datetime.combine(due + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
    token = secrets.token_urlsafe(24)
    invitation = CaseInvitation.objects.create(
        case=case,
        participant=participant,
        party=party,
        token_hash=_hash(token),
        phone=party.phone,
        expires_at=expires - dt.timedelta(microseconds=1),
    )
    notifications.notify(
        address=party.phone,
        event="filing.invitation",
        params={
            "court": case.court.name,
            "name": party.name,
            "case": case.cause,
            "no": case.number,
            "due": due.isoformat(),
            "url": link_url(token),
        },
        idempotency_key=f"filing.invitation:{participant.pk}",
        channels=[Channel.SMS],
    )
    ledger.record(
        code=LedgerEvent.INVITATION_SENT,
        actor=actor,
        case_id=case.pk,
        data={"participant": participant.pk, "expires": due.isoformat()},
    )
    return invitation


def _refuse_if_closed(invitation: CaseInvitation, now: dt.datetime) -> None:
    # Said before the identity check, so a late party learns at once that it is too late.
    if invitation.status == InvitationStatus.EXPIRED or now > invitation.expires_at:
        raise Conflict(
            _(
                "关联期限已过（在线诉讼规则第十条：3日内），您的诉讼活动将在线下进行，如有疑问请联系法院。"
            ),
            code="invitation_expired",
        )


def _clean_consent(consent) -> dict[str, bool]:
    if (
        not isinstance(consent, dict)
        or set(consent) - set(CONSENT_STAGES)
        or not all(isinstance(v, bool) for v in consent.values())
    ):
        raise InvalidInput(
            _("请对每个诉讼环节选择是否在线进行"),
            fields={"consent": _("请对每个诉讼环节选择同意或不同意")},
        )
    return dict(consent)


def _link(invitation: CaseInvitation, actor: Actor, transition: str, note: str = ""):
    """Attach the verified account to the party and mark the invitation linked."""
    participant = case_actions.participant_link_user(
        participant=invitation.participant, user=actor.user, actor=actor
    )
    INVITATION.apply(
        invitation,
        transition,
        actor=actor,
        note=note,
        updates={"linked_at": timezone.now(), "linked_user": actor.user},
    )
    return participant


@transaction.atomic
def invitation_accept(*, token: str, actor: Actor, consent: dict[str, bool]) -> CaseInvitation:
    """The invited party links to the case: they must be real-name verified as the person
    (or act for the organisation) the applicant named, within the 3 days
    (在线诉讼规则第十条), and say stage by stage whether they go online (第四条)."""
    invitation = selectors.invitation_for(token)
    invitation = (
        CaseInvitation.objects.select_for_update(of=("self",))
        .select_related("party", "participant")
        .get(pk=invitation.pk)
    )
    if invitation.status == InvitationStatus.LINKED:
        if invitation.linked_user_id == actor.user_id:
            return invitation
        raise Conflict(_("该邀请已被使用"), code="invitation_used")
    _refuse_if_closed(invitation, timezone.now())
    policies.require_named_party(actor, invitation.party)
    consent = _clean_consent(consent)
    actor = policies.on_own_account(actor)
    participant = _link(invitation, actor, "link")
    for stage in CONSENT_STAGES:
        if stage in consent:
            case_actions.consent_record(
                participant=participant,
                stage=stage,
                online=consent[stage],
                actor=actor,
                source="platform",
            )
    return invitation


@transaction.atomic
def participant_link_verified(*, participant, actor: Actor):
    """Link a party named in the complaint to the account of the verified person it names,
    outside the invitation's 3 days (e.g. when opening a document served on them): the
    identity proof is the same; the stages' consent stays as it was."""
    if participant.user_id is not None:
        if participant.user_id == actor.user_id:
            return participant
        raise Forbidden(_("该当事人已关联其他账号"), code="participant_linked")
    invitation = (
        CaseInvitation.objects.select_for_update(of=("self",))
        .select_related("party", "participant")
        .filter(participant=participant)
        .order_by("-pk")
        .first()
    )
    if invitation is None:
        raise Forbidden(
            _("没有该当事人的身份信息，无法在线核验，请联系法院。"), code="identity_unknown"
        )
    policies.require_named_party(actor, invitation.party)
    return _link(invitation, policies.on_own_account(actor), "link_late", note="via service")


def invitations_expire(*, now: dt.datetime | None = None) -> list[int]:
    """Invitations past their 3 days: the party stays offline for every stage. Safe to run
    again: each invitation expires once (the engine's conditional update)."""
    now = now or timezone.now()
    expired = []
    system = Actor.system(reason="invitation_expired")
    due = CaseInvitation.objects.filter(status=InvitationStatus.SENT, expires_at__lt=now)
    for invitation_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            invitation = (
                CaseInvitation.objects.select_for_update(of=("self",))
                .select_related("participant")
                .filter(pk=invitation_id, status=InvitationStatus.SENT)
                .first()
            )
            if invitation is None:
                continue
            INVITATION.apply(invitation, "expire", actor=system)
            for stage in CONSENT_STAGES:
                case_actions.consent_record(
                    participant=invitation.participant,
                    stage=stage,
                    online=False,
                    actor=system,
                    source="no_response",
                )
            expired.append(invitation.pk)
    return expired
