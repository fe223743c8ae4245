"""Who is acting: a user in one role (and court), or the system with a stated reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

SYSTEM = "system"
CITIZEN = "citizen"


@dataclass(frozen=True)
class Actor:
    """Every action takes ``actor=``. ``role`` is the organisational role acted in
    (judge, clerk, …), ``citizen`` for a member of the public, or ``system``."""

    user: AbstractBaseUser | None
    role: str
    court_id: int | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.user is None and self.role != SYSTEM:
            raise ValueError("Only the system acts without a user.")
        if self.role == SYSTEM and not self.reason:
            raise ValueError("The system acts only with a stated reason.")

    @classmethod
    def system(cls, reason: str) -> Actor:
        return cls(user=None, role=SYSTEM, reason=reason)

    @classmethod
    def citizen(cls, user: Any) -> Actor:
        return cls(user=user, role=CITIZEN)

    @property
    def is_system(self) -> bool:
        return self.role == SYSTEM

    @property
    def user_id(self) -> int | None:
        return None if self.user is None else self.user.pk

    @property
    def label(self) -> str:
        """For logs and the ledger's public part: a role and a number, never a name."""
        if self.is_system:
            return f"system:{self.reason}"
        return f"{self.role}:{self.user_id}"
