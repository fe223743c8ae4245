"""A person's own data: the unmasked identity (to them, or to court staff whose work needs
it — every read recorded) and the export of everything the platform holds about them
(ARCHITECTURE §5; 个人信息保护法第四十五条: the right to a copy)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound

from .. import policies
from ..events import LedgerEvent
from ..models import User
from .verifications import record_about


def identity_reveal(*, actor: Actor, subject: User) -> dict:
    """The unmasked identity of ``subject``: to the person, or a court employee at their
    court (``policies.require_reveal_identity``; anyone else: "not found"). Every such read
    is recorded in the ledger's private part (who, whose, when), so a person can later see
    who viewed their data (ARCHITECTURE §5)."""
    actor = policies.require_reveal_identity(actor, subject)
    identity = getattr(subject, "real_name", None)
    if identity is None:
        raise NotFound(_("尚未实名认证"))
    with transaction.atomic():
        record_about(
            LedgerEvent.PERSONAL_DATA_VIEWED,
            actor,
            subject,
            {"viewer_user_id": actor.user_id, "fields": ["id_number", "address"]},
        )
    return {
        "name": identity.name,
        "id_type": identity.id_type,
        "id_type_label": str(identity.get_id_type_display()),
        "id_number": identity.id_number,
        "address": identity.address,
        "valid_until": identity.valid_until.isoformat() if identity.valid_until else None,
    }


def personal_data_export(*, actor: Actor, user: User) -> dict:
    """Everything the platform holds about the person, and who viewed it: for the person
    alone (``policies.require_own``)."""
    from microcourt.ledger import selectors as ledger_selectors

    policies.require_own(actor, user)
    identity = getattr(user, "real_name", None)
    with transaction.atomic():
        record_about(LedgerEvent.PERSONAL_DATA_EXPORTED, Actor.citizen(user), user, {})
    views = [
        {
            "time": entry.created_at.isoformat(),
            "viewer_role": entry.actor_role,
            "viewer_user_id": (entry.details or {}).get("viewer_user_id"),
        }
        for entry in ledger_selectors.entries_about_user(
            user.pk, codes=[LedgerEvent.PERSONAL_DATA_VIEWED]
        )
    ]
    return {
        "account": {
            "username": user.username,
            "display_name": user.display_name,
            "phone": user.phone,
            "phone_verified": user.phone_verified,
            "email": user.email,
            "date_joined": user.date_joined.isoformat(),
        },
        "identity": None
        if identity is None
        else {
            "name": identity.name,
            "id_type": identity.id_type,
            "id_number": identity.id_number,
            "gender": identity.gender,
            "ethnicity": identity.ethnicity,
            "birth_date": identity.birth_date.isoformat() if identity.birth_date else None,
            "address": identity.address,
            "valid_until": identity.valid_until.isoformat() if identity.valid_until else None,
        },
        "verifications": [
            {
                "time": v.created_at.isoformat(),
                "method": v.method,
                "purpose": v.purpose,
                "status": v.status,
                "score": str(v.score) if v.score is not None else None,
                "reason": v.reason,
            }
            for v in user.verifications.order_by("created_at")
        ],
        "notifications": [
            {
                "time": n.created_at.isoformat(),
                "channel": n.channel,
                "title": n.title,
                "body": n.body,
            }
            for n in user.notifications.order_by("created_at")
        ],
        "viewed_by": views,
    }
