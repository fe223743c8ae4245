"""Password rules beyond Django's own validators (AUTH_PASSWORD_VALIDATORS)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class StaffPasswordLengthValidator:
    """Court staff and administrators guard other people's cases, so their passwords are
    longer (12 characters by default) than the public's (10, Django's
    MinimumLengthValidator in settings). The other validators apply to everyone alike."""

    def __init__(self, min_length: int = 12) -> None:
        self.min_length = min_length

    @staticmethod
    def applies_to(user) -> bool:
        if user is None or getattr(user, "pk", None) is None:
            return False  # not saved yet: no court posts, no admin rights
        if getattr(user, "is_staff", False) or getattr(user, "is_superuser", False):
            return True
        return bool(getattr(user, "is_court_staff", False))

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length and self.applies_to(user):
            raise ValidationError(
                _("法院工作人员和管理员的密码至少需要 %(min_length)d 个字符。")
                % {"min_length": self.min_length},
                code="password_too_short_for_staff",
                params={"min_length": self.min_length},
            )

    def get_help_text(self) -> str:
        return _("法院工作人员和管理员的密码至少需要 %(min_length)d 个字符。") % {
            "min_length": self.min_length
        }
