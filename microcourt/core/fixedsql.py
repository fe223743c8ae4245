"""Model instances and rows from fixed SQL statements, for the few reads every API request makes.

``Model.objects.raw`` works out, on every call, which columns came back and how to convert
each (``RawQuerySet.resolve_model_init_order``, ``get_converters``); for a lookup by key that
took longer than the database did. Here a model's column list and converters are worked out
once per process and database, a statement selects ``columns(model, "x")`` (optionally after
or before other values), and ``instance`` builds the row's model exactly as the ORM would
(``Model.from_db``, the field's and the backend's converters: text to datetimes on SQLite,
decryption of encrypted fields and so on). ``Prepared`` does the same for a queryset a
selector builds: compiled once, run with new values. docs/benchmarks.md, request path.

Plans are kept per process and database alias, not per connection object: under ASGI Django
runs each request in a thread of its own (``ThreadSensitiveContext``), so each request has a
new connection object, and a plan kept on it was made again on every request. What a plan
holds depends on the backend, the models and the settings, which do not change while the
process runs; converters are always called with the connection of the request.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connections
from django.db.models import Model

_plans: dict[tuple[str, Any], Any] = {}
_lock = threading.Lock()

M = TypeVar("M", bound=Model)
Converters = list[tuple[int, list[tuple[Callable[..., Any], Any]]]]


def columns(model: type[Model], alias: str) -> str:
    """Every concrete column of ``model`` in field order, qualified by the table's ``alias``."""
    return ", ".join(f"{alias}.{f.column}" for f in model._meta.concrete_fields)


def width(model: type[Model]) -> int:
    """How many values ``columns(model, …)`` selects."""
    return len(model._meta.concrete_fields)


def instance(model: type[M], row: Sequence[Any], start: int = 0, using: str = "default") -> M:
    """The model of ``row[start : start + width(model)]`` (selected by ``columns``)."""
    names, converters = _plan(model, using)
    values = list(row[start : start + len(names)])
    connection = connections[using]
    for i, field_converters in converters:
        value = values[i]
        for convert, expression in field_converters:
            value = convert(value, expression, connection)
        values[i] = value
    return model.from_db(using, names, values)


def _plan(model: type[Model], using: str) -> tuple[list[str], Converters]:
    plan = _plans.get((using, model))
    if plan is None:
        connection = connections[using]
        fields = model._meta.concrete_fields
        converters = []
        for i, field in enumerate(fields):
            col = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((i, [(convert, col) for convert in found]))
        plan = ([f.attname for f in fields], converters)
        with _lock:
            plan = _plans.setdefault((using, model), plan)
    return plan


# --- Querysets compiled once ------------------------------------------------------------------

# Stand-ins for the values of a prepared read while it is compiled: integers no key reaches.
_MARKER = -8_317_000_000_000_000_000
_MARKERS_END = _MARKER + 1000


class Prepared:
    """A ``values_list`` read built by a selector, compiled once per process and database and
    then run with other values: for a read every request makes, whose rule stays in the
    selector that returns the queryset (building and compiling it cost the ORM several
    times what the database spent on it; docs/benchmarks.md, request path).

    ``build(*values)`` returns the queryset; it is called once with marker integers in place
    of the values, so it must depend on nothing else (no clock, no request, no data read),
    and each value must reach the statement as a bound parameter as it is (a key compared
    with ``=``); a build that changes or drops a value is refused. ``rows(*values)`` runs
    the statement with the values and returns its rows converted as the ORM converts them
    (datetimes, decimals, decrypted fields)."""

    def __init__(self, build: Callable[..., Any], arity: int = 1) -> None:
        self.build = build
        self.arity = arity

    @functools.cached_property
    def model(self) -> type[Model]:
        """The model the read selects from (for its fields' choices and the like)."""
        return self.build(*self._markers()).model

    def rows(self, *values: int, using: str = "default") -> list[Sequence[Any]]:
        if len(values) != self.arity:
            raise TypeError(f"{self.build!r} takes {self.arity} values, not {len(values)}")
        sql, params, slots, width_, converters = self._compiled(using)
        bound = list(params)
        for at, which, wrap in slots:
            bound[at] = values[which] if wrap is None else wrap(values[which])
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            fetched = cursor.fetchall()
        if width_ is None and not converters:
            return fetched
        rows: list[Sequence[Any]] = []
        for row in fetched:
            row = list(row[:width_] if width_ is not None else row)
            for i, field_converters in converters:
                value = row[i]
                for convert, expression in field_converters:
                    value = convert(value, expression, connection)
                row[i] = value
            rows.append(row)
        return rows

    def _markers(self) -> list[int]:
        return [_MARKER + i for i in range(self.arity)]

    def _compiled(self, using: str) -> tuple:
        plan = _plans.get((using, self))
        if plan is None:
            markers = self._markers()
            compiler = self.build(*markers).query.get_compiler(using)
            sql, params = compiler.as_sql()
            slots = []
            for at, value in enumerate(params):
                # An int, or the backend's typed int (psycopg's ``Int8`` on PostgreSQL), which
                # the bound value is wrapped in again.
                if isinstance(value, int) and _MARKER <= value < _MARKERS_END:
                    if value not in markers:
                        raise ValueError(f"{self.build!r}: a value reached the statement altered")
                    wrap = None if type(value) is int else type(value)
                    slots.append((at, markers.index(value), wrap))
            if {which for _at, which, _wrap in slots} != set(range(self.arity)):
                raise ValueError(f"{self.build!r}: every value must be a bound parameter")
            expressions = [s[0] for s in compiler.select[: compiler.col_count]]
            found = compiler.get_converters(expressions)
            converters = [(i, [(c, expr) for c in convs]) for i, (convs, expr) in found.items()]
            width_ = compiler.col_count if compiler.has_extra_select else None
            plan = (sql, tuple(params), slots, width_, converters)
            with _lock:
                plan = _plans.setdefault((using, self), plan)
        return plan
