"""Telling administrators the audit found a divergence: in-app and e-mail.

The sink is the setting ``LEDGER_ALERT_NOTIFY`` (``notifications.actions.notify`` by default),
looked up at run time: the ledger sits beside the notifications app in the layers and may not
import it (ARCHITECTURE §3), but an alert must still reach people."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string


def recipients():
    """Superusers and court administrators who are active."""
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(
            Q(is_superuser=True)
            | Q(staff_assignments__role="court_admin", staff_assignments__active=True)
        )
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def alert_divergence(divergence: str) -> int:
    """Notify every recipient once per day per distinct divergence; returns how many."""
    notify = import_string(settings.LEDGER_ALERT_NOTIFY)
    fingerprint = hashlib.sha256(divergence.encode()).hexdigest()[:16]
    day = timezone.localdate().isoformat()
    count = 0
    for user in recipients():
        notify(
            recipient=user,
            event="ledger.audit_divergence",  # its text: notifications/templates.py
            params={"divergence": divergence},
            url="/ledger/verify/",
            idempotency_key=f"ledger-audit:{day}:{fingerprint}:{user.pk}",
            channels=("inapp", "email"),
        )
        count += 1
    return count
