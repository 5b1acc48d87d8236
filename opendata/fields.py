"""The columns of a dataset: a name, a label, a type and who may read it.

A dataset's records are plain dictionaries whose values have one form for every output
(the page's table, the exports, both APIs):

========== ======================================================================
type       value
========== ======================================================================
text, url  ``str``
integer    ``int``
decimal    ``float``
date       ``"YYYY-MM-DD"``
datetime   ``"YYYY-MM-DDTHH:MM:SS+00:00"`` (UTC; outputs convert to a time zone)
boolean    ``bool``
geo_point  ``{"lon": float, "lat": float}`` (Opendatasoft's ``geo_point_2d``)
========== ======================================================================

``None`` is an empty cell. Live sources may hand Python values (``date``, ``Decimal``,
``(lat, lon)``…); :func:`normalise` turns them into this form.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    BOOLEAN = "boolean", _("Yes or no")
    GEO_POINT = "geo_point", _("Geographic point")
    URL = "url", _("Web address")


NUMERIC = frozenset({FieldType.INTEGER, FieldType.DECIMAL})
#: Types whose values a facet counts (a few distinct values, worth a filter).
FACETABLE = frozenset({FieldType.TEXT, FieldType.DATE, FieldType.BOOLEAN, FieldType.INTEGER})


@dataclass(frozen=True)
class Field:
    """One column of a dataset.

    ``members_only``: the column is read by the members of the dataset's organization (and its
    staff) only — in pages, tables, maps, exports, both APIs, facets and counts.
    ``facet``: offered as a filter with counts (pages, Explore's ``facets``, CKAN's).
    """

    name: str
    label: Promise | str
    type: str = FieldType.TEXT
    members_only: bool = False
    description: Promise | str = ""
    facet: bool = False

    @property
    def is_numeric(self) -> bool:
        return self.type in NUMERIC

    @property
    def is_geo(self) -> bool:
        return self.type == FieldType.GEO_POINT


def _decimal(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        number = float(value)
        return number if math.isfinite(number) else None
    try:
        number = float(
            Decimal(str(value).strip().replace("\u00a0", "").replace(" ", "").replace(",", "."))
        )
    except (InvalidOperation, ValueError, OverflowError):
        return None
    # « nan », « inf » and 1e999 are no numbers a JSON column (or a reader) can hold.
    return number if math.isfinite(number) else None


#: The whole numbers both databases hold in a JSON value (SQLite's are 64-bit).
INTEGER_LIMIT = 2**63 - 1


def normalise(field_type: str, value):
    """``value`` in the records' form for ``field_type`` (see the module), or ``None``.
    Raises ``ValueError`` for a value of the wrong type: a source that hands one is a bug."""
    if value is None or value == "":
        return None
    if field_type in (FieldType.TEXT, FieldType.URL):
        return str(value)
    if field_type == FieldType.INTEGER:
        if isinstance(value, bool):
            raise ValueError(value)
        number = int(value)
        if abs(number) > INTEGER_LIMIT:
            raise ValueError(value)
        return number
    if field_type == FieldType.DECIMAL:
        number = _decimal(value)
        if number is None:
            raise ValueError(value)
        return number
    if field_type == FieldType.DATE:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date):
            return value.isoformat()
        return dt.date.fromisoformat(str(value)).isoformat()
    if field_type == FieldType.DATETIME:
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if isinstance(value, dt.datetime):
            if timezone.is_naive(value):
                raise ValueError(value)
            return value.astimezone(dt.UTC).isoformat(timespec="seconds")
        raise ValueError(value)
    if field_type == FieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        raise ValueError(value)
    if field_type == FieldType.GEO_POINT:
        if isinstance(value, dict):
            lon, lat = value.get("lon"), value.get("lat")
        else:
            lat, lon = value  # (latitude, longitude), as people write them
        if lat is None or lon is None:
            return None
        return {"lon": float(lon), "lat": float(lat)}
    raise ValueError(field_type)


def text_of(field_type: str, value) -> str:
    """A value as one cell of a spreadsheet or a table (no unit, no language)."""
    if value is None:
        return ""
    if field_type == FieldType.GEO_POINT:
        return f"{value['lat']}, {value['lon']}"
    if field_type == FieldType.BOOLEAN:
        return "true" if value else "false"
    if field_type == FieldType.DECIMAL and float(value).is_integer():
        return str(int(value))
    return str(value)
