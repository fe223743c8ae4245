"""The one engine that applies declared state machines (ARCHITECTURE §4.3).

Each app's ``states.py`` declares a ``TextChoices`` state and a table of transitions:
from-states, to-state, the roles that may apply it and an optional entry check. ``apply``
checks the actor's role and the entry condition, then moves the state with a conditional
UPDATE (``WHERE pk = … AND state = <the state we read>``): when two clerks decide at once,
exactly one update matches and the other gets a conflict. The app's hook writes the ledger
entry inside the same transaction.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .actor import Actor
from .errors import Conflict, Forbidden


class Hook(Protocol):
    def __call__(
        self, *, obj: Any, transition: Transition, actor: Actor, source: str, note: str
    ) -> Any: ...


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    # Raises a DomainError when the object may not enter ``target`` yet.
    check: Callable[[Any, Actor], None] | None = None
    # Ledger entry code written when the transition is applied (see each app's events.py).
    event: int | None = None
    label: str = ""


@dataclass
class StateMachine:
    model: type[models.Model]
    field: str
    states: type[models.TextChoices]
    initial: str
    transitions: Iterable[Transition]
    # The roles an actor holds on an object: organisational ones, case roles, "system".
    roles_of: Callable[[Actor, Any], set[str]]
    on_applied: Hook | None = None
    # ``dataclasses.field`` by its full name: the ``field`` attribute above shadows it for
    # type checkers.
    _by_name: dict[str, Transition] = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.transitions = tuple(self.transitions)
        self._by_name = {}
        valid = set(self.states.values)
        for t in self.transitions:
            if t.name in self._by_name:
                raise ValueError(f"duplicate transition {t.name!r}")
            unknown = (set(t.sources) | {t.target}) - valid
            if unknown:
                raise ValueError(f"transition {t.name!r} names unknown states {sorted(unknown)}")
            if not t.roles:
                raise ValueError(f"transition {t.name!r} names no role that may apply it")
            self._by_name[t.name] = t
        if self.initial not in valid:
            raise ValueError(f"initial state {self.initial!r} is not a state")

    def __getitem__(self, name: str) -> Transition:
        return self._by_name[name]

    def reachable(self) -> set[str]:
        """States reachable from the initial one (a test walks the whole table with it)."""
        seen, frontier = {self.initial}, [self.initial]
        while frontier:
            state = frontier.pop()
            for t in self.transitions:
                if state in t.sources and t.target not in seen:
                    seen.add(t.target)
                    frontier.append(t.target)
        return seen

    def available(self, obj: Any, actor: Actor) -> list[Transition]:
        """The transitions this actor could apply now (for buttons); entry checks not run."""
        current = getattr(obj, self.field)
        roles = self.roles_of(actor, obj)
        return [t for t in self.transitions if current in t.sources and roles & t.roles]

    @transaction.atomic
    def apply(
        self,
        obj: Any,
        name: str,
        *,
        actor: Actor,
        note: str = "",
        updates: dict[str, Any] | None = None,
    ) -> Any:
        transition = self._by_name[name]
        current = getattr(obj, self.field)
        if current not in transition.sources:
            raise Conflict(
                _("当前状态为“%(state)s”，不能执行此操作。")
                % {"state": self.states(current).label},
                code="invalid_transition",
            )
        if not (self.roles_of(actor, obj) & transition.roles):
            raise Forbidden(_("您没有执行此操作的权限。"))
        if transition.check is not None:
            transition.check(obj, actor)
        values: dict[str, Any] = {self.field: transition.target, **(updates or {})}
        if any(f.name == "updated_at" for f in self.model._meta.concrete_fields):
            values["updated_at"] = timezone.now()
        matched = self.model._default_manager.filter(pk=obj.pk, **{self.field: current}).update(
            **values
        )
        if matched != 1:
            raise Conflict(_("该事项已被他人处理，请刷新后查看。"), code="concurrent_transition")
        for key, value in values.items():
            setattr(obj, key, value)
        if self.on_applied is not None:
            self.on_applied(obj=obj, transition=transition, actor=actor, source=current, note=note)
        return obj
