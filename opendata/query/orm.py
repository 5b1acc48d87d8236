"""Turning a query tree into a database filter on ``DatasetRow.data`` (a JSON object).

Key lookups (``data__name__gt``) compare JSON values natively on SQLite and PostgreSQL:
numbers as numbers, dates and UTC date-times as ISO text. Empty cells are absent keys, so
``IS NULL`` is a missing key. What the database cannot decide exactly (a distance) is
narrowed to a bounding box here and checked in Python afterwards (``exact`` is then false).
"""

from __future__ import annotations

import math

from django.db.models import Q
from django.db.models.fields.json import KeyTransform

from spreadsheets.text import fold

from .ast import And, Compare, In, IsNull, Not, Or, Prefix, Search, Within

LOOKUPS = {"=": "exact", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}


def _key(name: str, lookup: str = "") -> str:
    return f"data__{name}__{lookup}" if lookup else f"data__{name}"


def _box(node: Within) -> Q:
    degrees_lat = node.meters / 111_195.0
    cos = max(math.cos(math.radians(node.lat)), 0.01)
    degrees_lon = degrees_lat / cos
    return Q(
        **{
            _key(node.field, "lat__gte"): node.lat - degrees_lat,
            _key(node.field, "lat__lte"): node.lat + degrees_lat,
            _key(node.field, "lon__gte"): node.lon - degrees_lon,
            _key(node.field, "lon__lte"): node.lon + degrees_lon,
        }
    )


def to_q(node, *, whole_rows: bool = True) -> tuple[Q, bool]:
    """``(filter, exact)``: the filter selects the matching rows (``exact``) or a superset of
    them that :func:`opendata.query.python.matches` must narrow.

    ``whole_rows``: the reader sees every column. When some are hidden from them, a search in
    the row's words (which include the hidden columns) is only a superset."""
    if node is None:
        return Q(), True
    if isinstance(node, And | Or):
        parts = [to_q(item, whole_rows=whole_rows) for item in node.items]
        combined = Q()
        for q, _exact in parts:
            combined = (combined & q) if isinstance(node, And) else (combined | q)
        return combined, all(exact for _q, exact in parts)
    if isinstance(node, Not):
        q, exact = to_q(node.item, whole_rows=whole_rows)
        # A superset cannot be negated into a superset: read everything, decide in Python.
        return (~q, True) if exact else (Q(), False)
    if isinstance(node, Compare):
        if node.value is None:
            return Q(pk__in=[]), True
        if node.op == "!=":
            # An empty cell is not "different": the key must be there.
            present = Q(**{_key(node.field, "isnull"): False})
            return present & ~Q(**{_key(node.field): node.value}), True
        # A missing key compares as NULL, never true: no presence check needed.
        return Q(**{_key(node.field, LOOKUPS[node.op]): node.value}), True
    if isinstance(node, In):
        values = [value for value in node.values if value is not None]
        return Q(**{_key(node.field, "in"): values}), True
    if isinstance(node, IsNull):
        return Q(**{_key(node.field, "isnull"): not node.negated}), True
    if isinstance(node, Search):
        # The row's folded words hold the field's: a superset, which Python narrows to the
        # field when one is named.
        q = Q()
        for word in fold(node.text).split():
            q &= Q(search_text__contains=word)
        return q, node.field is None and whole_rows
    if isinstance(node, Prefix):
        return Q(**{_key(node.field, "startswith"): node.text}), True
    if isinstance(node, Within):
        return _box(node), False
    raise TypeError(node)


def ordering(order_by) -> list:
    """``order_by`` pairs as database orderings; empty cells last either way, then the rows'
    own order."""
    expressions = []
    for name, descending in order_by:
        key = KeyTransform(name, "data")
        expressions.append(key.desc(nulls_last=True) if descending else key.asc(nulls_last=True))
    expressions.append("number")
    return expressions
