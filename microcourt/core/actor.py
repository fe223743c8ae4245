"""Who is acting: a user in one role (and court), or the system with a stated reason.

An actor carries everything the policies need to decide without another query: every
organisational role the user actively holds (``court_roles``, as ``(court_id, role)`` pairs)
and, once bound to a case (``cases.policies.on_case``), the roles it holds on that case
(``case_roles``). Build one from a request with ``courts.policies.actor_of`` and nowhere else.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

SYSTEM = "system"
CITIZEN = "citizen"


@dataclass(frozen=True)
class Actor:
    """Every action takes ``actor=``. ``role`` is the role acted in and recorded in the ledger
    (judge, clerk, …, ``citizen`` for a member of the public or a party, ``system``);
    ``court_id`` the court it is acted at."""

    # The project's user model (identity.User); typed loosely because core sits below it.
    user: Any
    role: str
    court_id: int | None = None
    reason: str = ""
    # Every organisational role the user actively holds: {(court_id, role), …}; ``None`` until
    # read (an actor built by hand, in a task or a test, reads them on first use).
    court_roles: frozenset[tuple[int, str]] | None = field(default=None, compare=False)
    # Bound to a case: the case and the roles held on it (case roles and court-wide roles).
    case_id: int | None = field(default=None, compare=False)
    case_roles: frozenset[str] = field(default=frozenset(), compare=False)

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
        """A member of the public acting for themselves (no court role is used)."""
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

    @property
    def held(self) -> frozenset[tuple[int, str]]:
        """The organisational roles held now, read once (the truth is the staff roster, not
        the ``role`` an actor was built with)."""
        if self.court_roles is None:
            loaded = frozenset() if self.user is None else _loader("COURT_ROLES")(self.user.pk)
            object.__setattr__(self, "court_roles", loaded)
            return loaded
        return self.court_roles

    @property
    def is_staff_member(self) -> bool:
        return bool(self.held)

    def holds(self, role: str, court_id: int | None) -> bool:
        """Whether the user actively holds ``role`` at that court."""
        return court_id is not None and (court_id, role) in self.held

    def roles_at(self, court_id: int | None) -> frozenset[str]:
        return frozenset(r for c, r in self.held if c == court_id)

    def courts_with(self, roles: Iterable[str]) -> frozenset[int]:
        """The courts where the user holds any of ``roles``."""
        wanted = set(roles)
        return frozenset(c for c, r in self.held if r in wanted)

    def acting(self, role: str, court_id: int | None) -> Actor:
        """The same person acting in ``role`` at ``court_id`` (which they must hold)."""
        return replace(self, role=role, court_id=court_id)


# --- The one way to build an actor from a request, a websocket scope or a stored user id. ---
# Court roles live in ``courts`` (above core), so the loaders are named in settings
# (``MICROCOURT_ACTOR_LOADER``, ``MICROCOURT_COURT_ROLES_LOADER``) and every layer — ledger and
# identity included — calls these functions.

_CACHE_ATTR = "_microcourt_actor"
_DEFAULT_LOADERS = {
    "ACTOR": "microcourt.courts.policies.actor_for",
    "COURT_ROLES": "microcourt.courts.policies.court_roles_of",
}


def _loader(name: str) -> Any:
    from django.conf import settings
    from django.utils.module_loading import import_string

    return import_string(getattr(settings, f"MICROCOURT_{name}_LOADER", _DEFAULT_LOADERS[name]))


def actor_for(user: Any) -> Actor | None:
    """The actor for a user with its court roles; ``None`` for an anonymous or inactive one."""
    return _loader("ACTOR")(user)


def actor_of(request: Any) -> Actor | None:
    """The one function that turns a request (session or API token) into an ``Actor``;
    every view, API handler and consumer calls it. Cached on the request."""
    user = getattr(request, "auth", None)
    if user is None or not hasattr(user, "pk"):
        user = getattr(request, "user", None)
    cached = getattr(request, _CACHE_ATTR, None)
    # Only for the same person: a middleware may ask before the API authenticates a bearer
    # token, which then names someone other than the session's user.
    if cached is not None and cached.user_id == getattr(user, "pk", None):
        return cached
    actor = actor_for(user)
    if actor is not None:
        setattr(request, _CACHE_ATTR, actor)
    return actor


def actor_of_scope(scope: dict) -> Actor | None:
    """The same for a websocket connection (Channels' scope carries the session's user)."""
    return actor_for(scope.get("user"))
