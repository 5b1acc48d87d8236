"""A dataset's data as one table, whatever holds them, for one audience.

``table_for(dataset, audience)`` gives a :class:`DataTable` whose ``fields`` are the columns
that audience may read (members-only ones dropped for the public), and which runs queries
(``opendata.query``) into records carrying those columns only. Every output — the page, the
exports, both APIs, the map, the charts — reads the data through it, so what the public may not
read is left out once, here.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

from django.db.models import Count
from django.db.models.fields.json import KeyTransform
from django.utils.translation import gettext as _

from .fields import FACETABLE, Field, normalise
from .models import DatasetPage, DatasetRow, SourceKind
from .query import Query, QueryError
from .query import python as in_python
from .query.orm import ordering, to_q
from .sources import live_source

#: Rows read from the database at a time when streaming (exports, Python-side filters).
CHUNK = 2000


class NotReadable(Exception):
    """The audience may not read this dataset's data (members only)."""


class NoData(Exception):
    """The dataset has no data yet (no table uploaded, or its live source is gone)."""


class DataTable:
    dataset: DatasetPage
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def geo_field(self) -> Field | None:
        return next((f for f in self.fields if f.is_geo), None)

    def facet_fields(self) -> list[Field]:
        return [f for f in self.fields if f.facet and f.type in FACETABLE]

    def check(self, query: Query) -> None:
        for name, _descending in query.order_by:
            if self.field(name) is None:
                raise QueryError(
                    _("Unknown field: %(name)s.") % {"name": name}, code="unknown_field"
                )

    # What each kind of table implements.
    def count(self, where=None) -> int:
        raise NotImplementedError

    def records(self, query: Query) -> list[dict]:
        raise NotImplementedError

    def iterate(self, where=None, order_by=()) -> Iterator[dict]:
        raise NotImplementedError

    def record(self, record_id: str) -> dict | None:
        raise NotImplementedError

    def rows(self, where=None, order_by=()) -> Iterator[list]:
        """The matching records as lists of values in ``fields``' order, streamed (what the
        spreadsheet exports write; without a record's ``dict`` per row when the table can)."""
        names = self.names
        for record in self.iterate(where, order_by):
            yield [record.get(name) for name in names]

    def facets(self, where=None, names=None, limit: int = 50) -> dict[str, list[tuple]]:
        """``{field: [(value, count), …]}`` most frequent first, for the facet fields (or
        ``names``) among the matching records."""
        raise NotImplementedError


class LiveTable(DataTable):
    """Records of a live source, read when asked and filtered in Python (sources are the
    records of one organization: hundreds to a few thousands)."""

    def __init__(self, dataset: DatasetPage, source, fields):
        self.dataset = dataset
        self.source = source
        self.fields = fields
        self._records: list[dict] | None = None

    def all_records(self) -> list[dict]:
        if self._records is None:
            site = self.dataset.get_site()
            kept = [(f.name, f.type) for f in self.fields]
            rows = []
            for raw in self.source.records(site):
                record = {"_id": str(raw["_id"])}
                for name, field_type in kept:
                    record[name] = normalise(field_type, raw.get(name))
                rows.append(record)
            self._records = rows
        return self._records

    def _matching(self, where) -> list[dict]:
        return [r for r in self.all_records() if in_python.matches(where, r)]

    def count(self, where=None) -> int:
        return len(self._matching(where))

    def records(self, query: Query) -> list[dict]:
        self.check(query)
        rows = in_python.sort_records(self._matching(query.where), query.order_by)
        end = None if query.limit is None else query.offset + query.limit
        return rows[query.offset : end]

    def iterate(self, where=None, order_by=()) -> Iterator[dict]:
        yield from in_python.sort_records(self._matching(where), order_by)

    def record(self, record_id: str) -> dict | None:
        return next((r for r in self.all_records() if r["_id"] == record_id), None)

    def facets(self, where=None, names=None, limit: int = 50):
        fields = [self.field(n) for n in names] if names else self.facet_fields()
        matching = self._matching(where)
        answer = {}
        for field in fields:
            if field is None:
                continue
            counts = Counter(r[field.name] for r in matching if r.get(field.name) is not None)
            answer[field.name] = sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))[
                :limit
            ]
        return answer


class UploadedTable(DataTable):
    """Rows of an uploaded file, filtered, sorted, counted and paged by the database."""

    def __init__(self, dataset: DatasetPage, table, fields, *, whole_rows: bool = True):
        self.dataset = dataset
        self.table = table
        self.fields = fields
        self.whole_rows = whole_rows

    def _rows(self, where):
        q, exact = to_q(where, whole_rows=self.whole_rows)
        return DatasetRow.objects.filter(table=self.table).filter(q), exact

    def _record(self, row_number: int, data: dict) -> dict:
        record = {"_id": str(row_number)}
        for f in self.fields:
            record[f.name] = data.get(f.name)
        return record

    def count(self, where=None) -> int:
        rows, exact = self._rows(where)
        if exact:
            return rows.count()
        return sum(1 for _ in self._narrowed(rows, where))

    def _narrowed(self, rows, where, order_by=()):
        for number, data in (
            rows.order_by(*ordering(order_by))
            .values_list("number", "data")
            .iterator(chunk_size=CHUNK)
        ):
            # Decided on the columns the reader sees, never on hidden ones.
            if in_python.matches(where, self._record(number, data)):
                yield number, data

    def records(self, query: Query) -> list[dict]:
        self.check(query)
        rows, exact = self._rows(query.where)
        if not exact:
            narrowed = self._narrowed(rows, query.where, query.order_by)
            end = None if query.limit is None else query.offset + query.limit
            selected = list(narrowed)[query.offset : end]
        else:
            rows = rows.order_by(*ordering(query.order_by)).values_list("number", "data")
            end = None if query.limit is None else query.offset + query.limit
            selected = rows[query.offset : end]
        return [self._record(number, data) for number, data in selected]

    def iterate(self, where=None, order_by=()) -> Iterator[dict]:
        rows, exact = self._rows(where)
        if exact:
            stream = (
                rows.order_by(*ordering(order_by))
                .values_list("number", "data")
                .iterator(chunk_size=CHUNK)
            )
        else:
            stream = self._narrowed(rows, where, order_by)
        for number, data in stream:
            yield self._record(number, data)

    def rows(self, where=None, order_by=()) -> Iterator[list]:
        rows, exact = self._rows(where)
        if not exact:
            yield from super().rows(where, order_by)
            return
        names = self.names
        for (data,) in (
            rows.order_by(*ordering(order_by)).values_list("data").iterator(chunk_size=CHUNK)
        ):
            get = data.get
            yield [get(name) for name in names]

    def record(self, record_id: str) -> dict | None:
        # ASCII digits only: "²".isdigit() is true and int("²") fails.
        if not re.fullmatch(r"[0-9]{1,10}", str(record_id)):
            return None
        data = (
            DatasetRow.objects.filter(table=self.table, number=int(record_id))
            .values_list("data", flat=True)
            .first()
        )
        return None if data is None else self._record(int(record_id), data)

    def facets(self, where=None, names=None, limit: int = 50):
        fields = [self.field(n) for n in names] if names else self.facet_fields()
        rows, exact = self._rows(where)
        answer = {}
        for field in fields:
            if field is None:
                continue
            if exact:
                counted = (
                    rows.filter(**{f"data__{field.name}__isnull": False})
                    .annotate(value=KeyTransform(field.name, "data"))
                    .values("value")
                    .annotate(n=Count("pk"))
                    .order_by("-n", "value")[:limit]
                )
                answer[field.name] = [(item["value"], item["n"]) for item in counted]
            else:
                counts = Counter(
                    data.get(field.name)
                    for _number, data in self._narrowed(rows, where)
                    if data.get(field.name) is not None
                )
                answer[field.name] = sorted(counts.items(), key=lambda i: (-i[1], str(i[0])))[
                    :limit
                ]
        return answer


def all_fields(dataset: DatasetPage) -> tuple[Field, ...]:
    """Every column of ``dataset``, members-only ones included (for staff screens)."""
    if dataset.source_kind == SourceKind.LIVE:
        source = live_source(dataset.live_source)
        if source is None:
            raise NoData(dataset.live_source)
        return source.fields
    table = getattr(dataset, "table", None) if _has_table(dataset) else None
    if table is None:
        raise NoData("table")
    return table.fields()


def _has_table(dataset) -> bool:
    try:
        dataset.table  # noqa: B018 - the reverse one-to-one raises when there is none
    except DatasetPage.table.RelatedObjectDoesNotExist:
        return False
    return True


def table_for(dataset: DatasetPage, audience) -> DataTable:
    """``dataset``'s data as ``audience`` may read them (:class:`NotReadable` for a
    members-only dataset and a public audience; :class:`NoData` when there is nothing yet)."""
    if not audience.may_read(dataset):
        raise NotReadable(dataset.identifier)
    every = all_fields(dataset)
    fields = tuple(f for f in every if audience.members or not f.members_only)
    if dataset.source_kind == SourceKind.LIVE:
        return LiveTable(dataset, live_source(dataset.live_source), fields)
    return UploadedTable(dataset, dataset.table, fields, whole_rows=len(fields) == len(every))
