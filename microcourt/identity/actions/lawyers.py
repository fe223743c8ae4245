"""Lawyers (律师认证): a licence is reviewed by court staff before the account acts as a
lawyer; new details are reviewed again."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput, NotFound
from microcourt.notifications import actions as notifications

from .. import policies
from ..events import LedgerEvent
from ..models import LawyerProfile, User
from ..states import LAWYER
from .verifications import MAX_IMAGE_BYTES, record_about

LICENCE_NUMBER_LENGTH = 17  # 律师执业证号: 17 digits


@transaction.atomic
def lawyer_apply(*, user: User, licence_number: str, law_firm: str, licence_photo) -> LawyerProfile:
    policies.require_verified(user)
    number = (licence_number or "").strip()
    fields = {}
    if not (number.isdigit() and len(number) == LICENCE_NUMBER_LENGTH):
        fields["licence_number"] = _("执业证号为17位数字")
    if not law_firm.strip():
        fields["law_firm"] = _("请填写律师事务所")
    if fields:
        raise InvalidInput(_("请核对执业信息"), fields=fields)
    existing = LawyerProfile.objects.filter(licence_number=number).exclude(user=user).exists()
    if existing:
        raise InvalidInput(
            _("该执业证号已被使用"), fields={"licence_number": _("执业证号已被使用")}
        )
    stored = uploads.accept(
        licence_photo,
        field="licence_photo",
        allowed=uploads.DOCUMENTS,
        max_bytes=MAX_IMAGE_BYTES,
        prefix="identity/lawyers",
    )
    details = {
        "licence_number": number,
        "law_firm": law_firm.strip(),
        "licence_photo": stored.__dict__,
        "reason": "",
        "reviewed_by": None,
        "reviewed_at": None,
    }
    profile = LawyerProfile.objects.select_for_update().filter(user=user).first()
    if profile is not None:  # new details: reviewed again, whatever the last decision was
        return LAWYER.apply(profile, "reapply", actor=Actor.citizen(user), updates=details)
    profile = LawyerProfile.objects.create(
        user=user, status=LawyerProfile.Status.PENDING, **details
    )
    record_about(LedgerEvent.LAWYER_APPLIED, Actor.citizen(user), user, {"lawyer_id": profile.pk})
    return profile


@transaction.atomic
def lawyer_review(
    *, lawyer_id: int, actor: Actor, approve: bool, reason: str = ""
) -> LawyerProfile:
    """律师认证: a court employee at their court checks the licence, never their own
    (``policies.require_review``); a rejection gives its reason to the lawyer."""
    policies.require_reviewer(actor)
    profile = (
        LawyerProfile.objects.select_for_update()
        .filter(pk=lawyer_id, status=LawyerProfile.Status.PENDING)
        .first()
    )
    if profile is None:
        raise NotFound(_("没有找到待审核的律师认证"))
    actor = policies.require_review(actor, profile)
    reason = reason.strip()
    if not approve and not reason:
        raise InvalidInput(_("驳回须说明理由"), fields={"reason": _("请填写驳回理由")})
    LAWYER.apply(
        profile,
        "approve" if approve else "reject",
        actor=actor,
        note=reason,
        updates={"reason": reason, "reviewed_by": actor.user, "reviewed_at": timezone.now()},
    )
    notifications.notify(
        recipient=profile.user,
        event="identity.lawyer_approved" if approve else "identity.lawyer_rejected",
        params={} if approve else {"reason": reason},
        url="/accounts/me/",
        # A lawyer may apply again after a decision: each decision is its own notice.
        idempotency_key=f"identity.lawyer_reviewed:{profile.pk}:{profile.reviewed_at.timestamp()}",
    )
    return profile


def is_lawyer(user: User) -> bool:
    profile = getattr(user, "lawyer", None)
    return profile is not None and profile.status == LawyerProfile.Status.APPROVED
