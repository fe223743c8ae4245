"""Platform administration, in the ledger (issue 13): what was changed in /admin/, and who
was made a platform operator (superuser) and why.

``admin_change_record`` is the recorder ``core.admin_scope`` calls for every admin write
(core may not import the ledger, so settings name it: ``MICROCOURT_ADMIN_RECORDER``). Only
the private part says what changed — the object, field names and the operator's reason,
never a value, so no password or personal data reaches the ledger through it.
"""

from __future__ import annotations

import getpass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import Actor
from microcourt.core.errors import InvalidInput, NotFound
from microcourt.ledger import actions as ledger

from .events import LedgerEvent
from .models import User

REASON_MAX = 500


def admin_change_record(
    *,
    actor: Actor,
    action: str,
    obj: str,
    label: str,
    fields: list[str],
    inlines: list[dict[str, Any]],
    court_id: int | None,
    reason: str,
) -> None:
    """One admin add, change, delete or password reset. ``court_id`` (the object's court)
    is what lets that court's administrator, and nobody at another court, read the entry's
    private part (``ledger.selectors.entry_private``)."""
    with transaction.atomic():
        ledger.record(
            code=LedgerEvent.ADMIN_CHANGED,
            actor=actor,
            data={
                "action": action,
                "object": obj,
                "label": label,
                "fields": fields,
                "inlines": inlines,
                "court_id": court_id,
                "reason": reason,
            },
        )


def _reason(text: str) -> str:
    reason = (text or "").strip()
    if not reason:
        raise InvalidInput(_("请说明理由。"), fields={"reason": _("必填")})
    if len(reason) > REASON_MAX:
        raise InvalidInput(
            _("理由过长。"), fields={"reason": _("不能超过 %(n)s 个字") % {"n": REASON_MAX}}
        )
    return reason


def _command_actor() -> Actor:
    # Run on the server by whoever holds a shell there: the system acts, and the entry names
    # the operating-system account that ran it.
    return Actor.system(f"operator command ({getpass.getuser()})")


@transaction.atomic
def operator_appoint(*, username: str, reason: str, email: str = "") -> tuple[User, bool]:
    """Make ``username`` a platform operator (superuser with admin access), creating the
    account if needed. A new account has no password: it is set on the server
    (``microcourt changepassword``), never printed. Returns the user and whether it was new."""
    reason = _reason(reason)
    user = User.objects.select_for_update().filter(username=username).first()
    created = user is None
    if created:
        user = User.objects.create_user(username, None, email=email)
    user.is_superuser = True
    user.is_staff = True
    user.is_active = True
    user.save(update_fields=["is_superuser", "is_staff", "is_active"])
    ledger.record(
        code=LedgerEvent.OPERATOR_APPOINTED,
        actor=_command_actor(),
        data={
            "subject_user_id": user.pk,
            "username": user.username,
            "created": created,
            "reason": reason,
        },
    )
    return user, created


@transaction.atomic
def operator_revoke(*, username: str, reason: str) -> User:
    """Take operator rights away. The account stays, with its court roles (and ``is_staff``,
    which a court administrator needs and which alone shows an account nothing in the admin)."""
    reason = _reason(reason)
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        raise NotFound(_("没有这个用户。"))
    user.is_superuser = False
    user.save(update_fields=["is_superuser"])
    ledger.record(
        code=LedgerEvent.OPERATOR_REVOKED,
        actor=_command_actor(),
        data={"subject_user_id": user.pk, "username": user.username, "reason": reason},
    )
    return user
