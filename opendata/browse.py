"""What a visitor asks of a dataset's table in the address: search, filters, sort, page.

The dataset page, its embeds and its exports read the same GET parameters:

=================== =================================================================
``q``               words found anywhere in the record (case and accents ignored)
``f.<field>``       the field equals the value (text, URL, boolean, numbers, dates)
``f.<field>.min``   the field is at least the value (numbers, dates, date-times)
``f.<field>.max``   the field is at most the value (numbers, dates, date-times)
``sort``            ``field`` (ascending) or ``-field`` (descending)
``page``            the page of 20 records (the page only)
=================== =================================================================

Fields are looked up among the columns the reader may read (``DataTable.fields``): a
members-only column is an unknown field for the public, so it can neither filter nor sort.
Wrong input never fails: each mistake becomes a message in the reader's language and the
parameter is left out (:attr:`TableRequest.errors`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from .fields import FieldType, text_of
from .query import Compare, QueryError, Search, coerce
from .query.ast import conjunction

FILTER_PREFIX = "f."
RANGE_SUFFIXES = {"min": ">=", "max": "<="}
RANGE_TYPES = frozenset({FieldType.INTEGER, FieldType.DECIMAL, FieldType.DATE, FieldType.DATETIME})
#: Parameters the table reads (and keeps in its links), besides the ``f.`` filters.
TABLE_PARAMS = ("q", "sort")


@dataclass
class ActiveFilter:
    """One filter in force, as the page shows it (with the link that removes it)."""

    param: str
    value: str
    label: str
    remove_query: str = ""


@dataclass
class TableRequest:
    """The table asked for: the condition, the order, and what was wrong in the address."""

    table: object
    q: str = ""
    sort: str = ""
    #: ``(param, value)`` pairs of the valid filters, in the address's order.
    filters: list[tuple[str, str]] = field(default_factory=list)
    conditions: list = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    active: list[ActiveFilter] = field(default_factory=list)

    @property
    def where(self):
        return conjunction(Search(self.q) if self.q else None, *self.conditions)

    @property
    def order_by(self) -> tuple[tuple[str, bool], ...]:
        if not self.sort:
            return ()
        return ((self.sort.lstrip("-"), self.sort.startswith("-")),)

    @property
    def sort_field(self) -> str:
        return self.sort.lstrip("-")

    @property
    def sort_descending(self) -> bool:
        return self.sort.startswith("-")

    @property
    def has_filters(self) -> bool:
        return bool(self.q or self.filters)

    def params(self, **changes) -> list[tuple[str, str]]:
        """The table's parameters (filters, search, sort), ``changes`` applied (``None``
        removes one), for links; never the page."""
        pairs = []
        if self.q:
            pairs.append(("q", self.q))
        pairs.extend(self.filters)
        if self.sort:
            pairs.append(("sort", self.sort))
        for name, value in changes.items():
            pairs = [(k, v) for k, v in pairs if k != name]
            if value is not None:
                pairs.append((name, value))
        return pairs

    def query_string(self, **changes) -> str:
        return urlencode(self.params(**changes))

    def value_of(self, param: str) -> str:
        return next((v for k, v in self.filters if k == param), "")


def _label(field_obj) -> str:
    return str(field_obj.label)


def parse_table_request(table, params) -> TableRequest:
    """The :class:`TableRequest` that ``params`` (a ``QueryDict``) ask of ``table``."""
    request = TableRequest(table=table)
    q = params.get("q", "").strip()[:200]
    request.q = q
    sort = params.get("sort", "").strip()
    if sort:
        target = table.field(sort.lstrip("-"))
        if target is None or target.is_geo:
            request.errors.append(
                _("The table cannot be sorted by « %(name)s »: there is no such column.")
                % {"name": sort.lstrip("-")}
            )
        else:
            request.sort = sort
    for param in params:
        if not param.startswith(FILTER_PREFIX):
            continue
        value = params.get(param, "").strip()
        if not value:
            continue
        name, _dot, suffix = param[len(FILTER_PREFIX) :].partition(".")
        target = table.field(name)
        if target is None:
            request.errors.append(
                _("There is no column « %(name)s » to filter on.") % {"name": name}
            )
            continue
        if target.is_geo or (suffix and suffix not in RANGE_SUFFIXES):
            request.errors.append(
                _("The column « %(label)s » cannot be filtered this way.")
                % {"label": _label(target)}
            )
            continue
        if suffix and target.type not in RANGE_TYPES:
            request.errors.append(
                _("The column « %(label)s » has no range: give one value.")
                % {"label": _label(target)}
            )
            continue
        try:
            literal = coerce(target, value)
        except QueryError as error:
            request.errors.append(error.message)
            continue
        op = RANGE_SUFFIXES.get(suffix, "=")
        request.conditions.append(Compare(target.name, op, literal))
        request.filters.append((param, value))
        shown = text_of(target.type, literal)
        if target.type == FieldType.BOOLEAN:
            shown = _("yes") if literal else _("no")
        if suffix == "min":
            label = _("%(label)s: from %(value)s") % {"label": _label(target), "value": shown}
        elif suffix == "max":
            label = _("%(label)s: up to %(value)s") % {"label": _label(target), "value": shown}
        else:
            label = _("%(label)s: %(value)s") % {"label": _label(target), "value": shown}
        request.active.append(ActiveFilter(param=param, value=value, label=label))
    if q:
        request.active.insert(
            0, ActiveFilter(param="q", value=q, label=_("Search: %(words)s") % {"words": q})
        )
    for active in request.active:
        active.remove_query = request.query_string(**{active.param: None})
    return request
