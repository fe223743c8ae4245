"""Model instances from fixed SQL statements, for the few reads every API request makes.

``Model.objects.raw`` works out, on every call, which columns came back and how to convert
each (``RawQuerySet.resolve_model_init_order``, ``get_converters``); for a lookup by key that
took longer than the database did. Here a model's column list and converters are worked out
once per database connection, a statement selects ``columns(model, "x")`` (optionally after
or before other values), and ``instance`` builds the row's model exactly as the ORM would
(``Model.from_db``, the field's and the backend's converters: text to datetimes on SQLite,
decryption of encrypted fields and so on). docs/benchmarks.md, request path.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import Model

_PLANS = "_microcourt_fixedsql_plans"


def columns(model: type[Model], alias: str) -> str:
    """Every concrete column of ``model`` in field order, qualified by the table's ``alias``."""
    return ", ".join(f"{alias}.{f.column}" for f in model._meta.concrete_fields)


def width(model: type[Model]) -> int:
    """How many values ``columns(model, …)`` selects."""
    return len(model._meta.concrete_fields)


def instance(
    model: type[Model], row: Sequence[Any], start: int = 0, using: str = "default"
) -> Model:
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


def _plan(
    model: type[Model], using: str
) -> tuple[list[str], list[tuple[int, list[tuple[Callable[..., Any], Any]]]]]:
    connection = connections[using]
    plans = connection.__dict__.setdefault(_PLANS, {})
    plan = plans.get(model)
    if plan is None:
        fields = model._meta.concrete_fields
        converters = []
        for i, field in enumerate(fields):
            col = field.get_col(model._meta.db_table)
            found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if found:
                converters.append((i, [(convert, col) for convert in found]))
        plan = plans[model] = ([f.attname for f in fields], converters)
    return plan
