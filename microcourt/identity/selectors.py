from __future__ import annotations

from .models import User


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
    }
