"""Ledger entry codes: integers in per-app blocks, declared in each app's ``events.py``.

An app declares its codes as ``class LedgerEvent(models.IntegerChoices)`` in its own
``events.py`` (plain Django, so even ``core``, which may not import the ledger, can declare
codes). The registry here finds those classes through Django's app registry, checks that every
code lies in its app's block and is used once, and is what ``record`` asks before it writes:
a code nobody declared is refused, so an entry's code always has a meaning.

The blocks are permanent: an entry's code is in the public part of a signed, witnessed log, so
a code may be added but never renumbered or reused.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# app label → the codes it may use. New apps get the next free block.
BLOCKS: dict[str, range] = {
    "core": range(1000, 2000),
    "identity": range(2000, 3000),
    "courts": range(3000, 4000),
    "notifications": range(4000, 5000),
    "cases": range(5000, 6000),
    "filing": range(6000, 7000),
    "evidence": range(7000, 8000),
    "service": range(8000, 9000),
    "ledger": range(9000, 10000),
    "payments": range(10000, 11000),
    "spaces": range(11000, 12000),
    "hearings": range(12000, 13000),
    "mediation": range(13000, 14000),
    "enforcement": range(14000, 15000),
    "bankruptcy": range(15000, 16000),
    "publication": range(16000, 17000),
    "assist": range(17000, 18000),
    "dossier": range(18000, 19000),
    "signing": range(19000, 20000),
}


class LedgerEvent(models.IntegerChoices):
    """The ledger's own entries."""

    PRIVATE_PART_VIEWED = 9001, _("查看存证非公开部分")


@dataclass(frozen=True)
class Event:
    code: int
    app: str
    name: str
    label: str | Promise


class RegistryError(ValueError):
    """The declared codes break the rules: outside their block, or used twice."""


class Registry:
    def __init__(self) -> None:
        self._events: dict[int, Event] = {}

    def declare(self, app: str, choices: type[models.IntegerChoices]) -> None:
        block = BLOCKS.get(app)
        if block is None:
            raise RegistryError(f"app {app!r} declares ledger codes but has no block in BLOCKS")
        for member in choices:
            code = int(member.value)
            if code not in block:
                raise RegistryError(
                    f"{app}: code {code} ({member.name}) is outside its block "
                    f"{block.start}–{block.stop - 1}"
                )
            if code in self._events:
                other = self._events[code]
                raise RegistryError(
                    f"code {code} is declared twice: {other.app}.{other.name} and "
                    f"{app}.{member.name}"
                )
            self._events[code] = Event(code, app, member.name, member.label)

    def get(self, code: int) -> Event | None:
        return self._events.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self._events

    def __iter__(self):
        return iter(sorted(self._events.values(), key=lambda event: event.code))

    def label(self, code: int) -> str | Promise:
        event = self._events.get(code)
        return event.label if event else _("未知事项（代码 %(code)s）") % {"code": code}


def discover() -> Registry:
    """Collect ``LedgerEvent`` from every installed app's ``events`` module."""
    registry = Registry()
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.events")
        except ModuleNotFoundError as error:
            if error.name != f"{config.name}.events":
                raise
            continue
        choices = getattr(module, "LedgerEvent", None)
        if choices is not None:
            registry.declare(config.label, choices)
    return registry


@functools.cache
def registry() -> Registry:
    return discover()
