"""The tree of a query: conditions, order, page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from ..fields import Field, FieldType, normalise

OPERATORS = ("=", "!=", "<", "<=", ">", ">=")


class QueryError(ValueError):
    """A query that cannot run: ``message`` says why in the user's language, ``position`` is
    where in the query text (when it came from text), ``code`` names the kind of error."""

    def __init__(self, message: str, *, position: int | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.position = position
        self.code = code


@dataclass(frozen=True)
class Compare:
    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class In:
    field: str
    values: tuple


@dataclass(frozen=True)
class IsNull:
    field: str
    negated: bool = False


@dataclass(frozen=True)
class Search:
    """Words found in one field (``field``) or anywhere in the record (``None``); case and
    accents ignored, every word must be there."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Prefix:
    field: str
    text: str


@dataclass(frozen=True)
class Within:
    """Records whose geo point ``field`` lies within ``meters`` of (``lon``, ``lat``)."""

    field: str
    lon: float
    lat: float
    meters: float


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: Any


@dataclass
class Query:
    where: Any = None
    #: ``(field, descending)`` pairs; records of equal keys keep their natural order.
    order_by: tuple[tuple[str, bool], ...] = field(default=())
    limit: int | None = None
    offset: int = 0


def conjunction(*nodes):
    """``nodes`` that are not ``None``, all required."""
    items = tuple(node for node in nodes if node is not None)
    if not items:
        return None
    return items[0] if len(items) == 1 else And(items)


def field_named(fields, name: str, position: int | None = None) -> Field:
    for candidate in fields:
        if candidate.name == name:
            return candidate
    raise QueryError(
        _("Unknown field: %(name)s.") % {"name": name}, position=position, code="unknown_field"
    )


def coerce(field: Field, value, position: int | None = None):
    """``value`` (a literal of a query: text, number, boolean, date) in the records' form for
    ``field``, or a :class:`QueryError` that names the field."""
    if value is None:
        return None
    try:
        if field.type == FieldType.INTEGER and isinstance(value, float) and value.is_integer():
            value = int(value)
        if field.type in (FieldType.INTEGER, FieldType.DECIMAL) and isinstance(value, str):
            value = (
                float(value.replace(",", ".")) if field.type == FieldType.DECIMAL else int(value)
            )
        if field.type == FieldType.DATE and isinstance(value, str) and "T" in value:
            value = value.split("T")[0]
        if field.type == FieldType.DATETIME:
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                value = dt.datetime.combine(value, dt.time(), tzinfo=dt.UTC)
            if isinstance(value, str):
                value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
                if value.tzinfo is None:
                    value = value.replace(tzinfo=dt.UTC)
        if field.type == FieldType.BOOLEAN and isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("true", "1", "yes", "oui", "vrai"):
                value = True
            elif lowered in ("false", "0", "no", "non", "faux"):
                value = False
        if field.type in (FieldType.TEXT, FieldType.URL) and not isinstance(value, str):
            value = str(value).lower() if isinstance(value, bool) else str(value)
        return normalise(field.type, value)
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise QueryError(
            _("« %(value)s » is not a valid value for %(name)s (%(type)s).")
            % {"value": value, "name": field.name, "type": FieldType(field.type).label},
            position=position,
            code="invalid_value",
        ) from error
