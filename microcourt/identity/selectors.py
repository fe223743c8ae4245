from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.crypto import mask
from microcourt.core.errors import DomainError

from .models import ApiToken, User, Verification, VerificationStatus


class VerificationRequired(DomainError):
    """The act needs a (fresh) identity check first; ``url`` says where to do it."""

    status = 403
    code = "verification_required"

    def __init__(self, message, *, url: str) -> None:
        super().__init__(message, fields={"verification": _("请先完成身份核验")})
        self.url = url


def profile(user: User) -> dict:
    roles = [
        {
            "role": a.role,
            "role_label": str(a.get_role_display()),
            "court": a.court.code,
            "court_name": a.court.name,
        }
        for a in user.staff_assignments.filter(active=True).select_related("court")
    ]
    return {
        "id": user.pk,
        "username": user.username,
        "display_name": user.display_name,
        "phone": user.masked_phone,
        "language": user.preferred_language,
        "roles": roles,
        "verification": verification_level(user),
    }


def verification_level(user: User) -> dict:
    """unverified / verified (method, time) / expired (the document has lapsed)."""
    identity = getattr(user, "real_name", None)
    passed = (
        user.verifications.filter(status=VerificationStatus.PASSED)
        .exclude(method="face_recheck")
        .order_by("-created_at")
        .first()
    )
    if identity is None or passed is None:
        return {"level": "unverified", "label": str(_("未实名认证"))}
    if identity.valid_until is not None and identity.valid_until < timezone.localdate():
        return {
            "level": "expired",
            "label": str(_("证件已过期，请重新认证")),
            "method": passed.method,
            "verified_at": passed.created_at.isoformat(),
        }
    return {
        "level": "verified",
        "label": str(_("已实名认证")),
        "method": passed.method,
        "method_label": str(passed.get_method_display()),
        "verified_at": passed.created_at.isoformat(),
    }


def is_verified(user: User) -> bool:
    return verification_level(user)["level"] == "verified"


def require_fresh_verification(actor: Actor, purpose: str, max_age: dt.timedelta) -> Verification:
    """Call before a hearing, mediation or evidence exchange (在线诉讼规则第七条): the
    actor must be real-name verified and have passed a face check within ``max_age``.
    Raises VerificationRequired (403) naming where to go otherwise."""
    user = actor.user
    if user is None or not is_verified(user):
        raise VerificationRequired(_("请先完成实名认证"), url="/accounts/verify/")
    since = timezone.now() - max_age
    fresh = (
        user.verifications.filter(status=VerificationStatus.PASSED, created_at__gte=since)
        .filter(method__in=["id_card_face", "face_recheck", "in_person"])
        .order_by("-created_at")
        .first()
    )
    if fresh is None:
        raise VerificationRequired(
            _("参加此项诉讼活动前，请先进行人脸核验"),
            url=f"/accounts/verify/recheck/?purpose={purpose}",
        )
    return fresh


def identity_masked(user: User) -> dict | None:
    identity = getattr(user, "real_name", None)
    if identity is None:
        return None
    return {
        "name": identity.name,
        "id_type": identity.id_type,
        "id_type_label": str(identity.get_id_type_display()),
        "id_number": mask(identity.id_number, keep_start=4, keep_end=4),
        "address": (identity.address[:6] + "……") if identity.address else "",
        "valid_until": identity.valid_until.isoformat() if identity.valid_until else None,
    }


def pending_reviews():
    return (
        Verification.objects.filter(status=VerificationStatus.PENDING)
        .select_related("user")
        .order_by("created_at")
    )


def pending_lawyer_reviews():
    """Lawyer licences waiting for a staff decision, oldest first (the workbench's queue)."""
    from .models import LawyerProfile

    return (
        LawyerProfile.objects.filter(status=LawyerProfile.Status.PENDING)
        .select_related("user")
        .order_by("created_at")
    )


def pending_organisation_reviews():
    """Organisations whose licence OCR could not confirm, waiting for a staff decision."""
    from .models import Organisation

    return Organisation.objects.filter(status=Organisation.Status.PENDING).order_by("created_at")


def organisation_by_id(organisation_id: int):
    from .models import Organisation

    return Organisation.objects.filter(pk=organisation_id).first()


def user_by_username(username: str) -> User | None:
    """The account with this user name, for staff verifying a person face to face."""
    return User.objects.filter(username=str(username or "")).first()


def own_party_details(user: User) -> dict | None:
    """The account holder's own verified details, to name them as a party in a filing they
    make themselves (the court needs the full number; screens show it masked)."""
    identity = getattr(user, "real_name", None)
    if identity is None or not is_verified(user):
        return None
    return {
        "name": identity.name,
        "gender": identity.gender,
        "birth_date": identity.birth_date,
        "ethnicity": identity.ethnicity,
        "id_number": identity.id_number if identity.id_type == "resident_id" else "",
        "address": identity.address,
        "phone": user.phone,
    }


def identity_matches(user: User, *, name: str, id_number: str = "") -> bool:
    """Whether the account's verified identity is this person: the same name and, when a
    number is known, the same resident ID number (compared through the keyed index)."""
    from .actions import id_index

    identity = getattr(user, "real_name", None)
    if identity is None or not is_verified(user) or identity.name != (name or "").strip():
        return False
    if id_number:
        return identity.id_index == id_index(identity.id_type, id_number.strip())
    return True


def agencies_of(agent: User):
    """The authorisations (授权委托书) under which ``agent`` may act today."""
    from django.db.models import Q

    from .models import Authorisation

    today = timezone.localdate()
    return (
        Authorisation.objects.filter(agent=agent, revoked_at__isnull=True, valid_from__lte=today)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("principal", "principal_organisation")
    )


def represented_organisations(user: User):
    """The verified organisations whose legal representative this account is."""
    from .models import Organisation, OrgMembership

    return Organisation.objects.filter(
        status=Organisation.Status.VERIFIED,
        members__user=user,
        members__role=OrgMembership.Role.LEGAL_REPRESENTATIVE,
        members__active=True,
    ).distinct()


def acts_for_organisation(user: User, *, uscc: str) -> bool:
    """Whether the account is the legal representative or an authorised employee of the
    verified organisation with this credit code."""
    from .models import Organisation

    return Organisation.objects.filter(
        status=Organisation.Status.VERIFIED,
        uscc=(uscc or "").strip().upper(),
        members__user=user,
        members__active=True,
    ).exists()


def api_tokens(user: User) -> list[ApiToken]:
    """The owner's tokens that still work, newest first. Only the prefix of each key is
    known (the key itself was shown once, at issue, and only its hash is stored)."""
    return list(
        ApiToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now())
        .only("pk", "prefix", "name", "created_at", "last_used_at", "expires_at")
        .order_by("-created_at", "-pk")
    )


def user_by_phone(phone: str, *, field: str = "phone") -> User | None:
    """The account registered with this phone number (found by its keyed hash; the number is
    stored encrypted), or None. An invalid number raises InvalidInput naming ``field``."""
    from . import phones

    return User.objects.filter(
        phone_index=phones.phone_index(phones.normalise(phone, field=field))
    ).first()
