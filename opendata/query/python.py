"""Running a query tree over records in memory (live sources, and what the database cannot
decide: distances)."""

from __future__ import annotations

import math
from functools import cmp_to_key

from spreadsheets.text import fold

from .ast import And, Compare, In, IsNull, Not, Or, Prefix, Search, Within

EARTH_RADIUS_METERS = 6_371_008.8


def distance_meters(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance (haversine) between two points, in meters."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_METERS * math.asin(min(1.0, math.sqrt(a)))


def record_text(record: dict) -> str:
    """The words of a record, folded (what a search reads)."""
    parts = []
    for key, value in record.items():
        if key == "_id" or value is None or isinstance(value, dict | bool):
            continue
        parts.append(str(value))
    return fold(" ".join(parts))


def _compare(left, op: str, right) -> bool:
    if left is None or right is None:
        return op == "!=" and left is not right
    try:
        if op == "=":
            return left == right
        if op == "!=":
            return left != right
        if op == "<":
            return left < right
        if op == "<=":
            return left <= right
        if op == ">":
            return left > right
        if op == ">=":
            return left >= right
    except TypeError:
        return False
    raise ValueError(op)


def matches(node, record: dict) -> bool:
    if node is None:
        return True
    if isinstance(node, And):
        return all(matches(item, record) for item in node.items)
    if isinstance(node, Or):
        return any(matches(item, record) for item in node.items)
    if isinstance(node, Not):
        return not matches(node.item, record)
    if isinstance(node, Compare):
        return _compare(record.get(node.field), node.op, node.value)
    if isinstance(node, In):
        return record.get(node.field) in node.values
    if isinstance(node, IsNull):
        return (record.get(node.field) is None) != node.negated
    if isinstance(node, Search):
        if node.field is None:
            text = record_text(record)
        else:
            value = record.get(node.field)
            text = fold(str(value)) if value is not None else ""
        return all(word in text for word in fold(node.text).split())
    if isinstance(node, Prefix):
        value = record.get(node.field)
        return isinstance(value, str) and value.startswith(node.text)
    if isinstance(node, Within):
        point = record.get(node.field)
        if not point:
            return False
        return distance_meters(node.lon, node.lat, point["lon"], point["lat"]) <= node.meters
    raise TypeError(node)


def _sort_value(value):
    # Empty cells last in either direction; geo points by latitude then longitude.
    if isinstance(value, dict):
        return (value.get("lat"), value.get("lon"))
    return value


def sort_records(records: list[dict], order_by) -> list[dict]:
    """``records`` in the order ``order_by`` says (stable; empty cells last)."""
    if not order_by:
        return records

    def compare(first, second):
        for name, descending in order_by:
            a, b = _sort_value(first.get(name)), _sort_value(second.get(name))
            if a == b:
                continue
            if a is None:
                return 1
            if b is None:
                return -1
            try:
                result = -1 if a < b else 1
            except TypeError:
                result = -1 if str(a) < str(b) else 1
            return -result if descending else result
        return 0

    return sorted(records, key=cmp_to_key(compare))
