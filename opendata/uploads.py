"""Storing an uploaded table: columns and rows replaced in one transaction.

``store_table`` is the one way rows get in (the admin's upload, ``import_dataset``, the demo):
readers see the old table or the new one, never half of each; the dataset page, its
identifiers (``dataset_id``, CKAN's ids) and its URL stay.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from spreadsheets.text import fold

from .fields import Field, normalise
from .models import DatasetColumn, DatasetPage, DatasetRow, DatasetTable

BATCH = 2000


def search_text(record: dict) -> str:
    """The folded words of a row (every column's), for full-text search."""
    words = []
    for value in record.values():
        if value is None or isinstance(value, bool | dict):
            continue
        words.append(str(value))
    return fold(" ".join(words))


@transaction.atomic
def store_table(
    dataset: DatasetPage,
    fields: Iterable[Field],
    records: Iterable[dict],
    *,
    filename: str = "",
    user=None,
) -> DatasetTable:
    """Replace ``dataset``'s table by ``records`` (dicts by field name, values in any form
    ``opendata.fields.normalise`` reads) with columns ``fields``. Empty cells are left out of
    the stored rows. Raises ``ValueError`` for a value that does not fit its column: callers
    check values first (``opendata.inference``), so nothing is half-written."""
    fields = list(fields)
    table, _created = DatasetTable.objects.select_for_update().get_or_create(
        dataset=dataset, defaults={"site": dataset.get_site()}
    )
    table.columns.all().delete()
    table.rows.all()._raw_delete(table.rows.db)
    DatasetColumn.objects.bulk_create(
        DatasetColumn(
            table=table,
            position=position,
            name=field.name,
            label=str(field.label),
            type=field.type,
            members_only=field.members_only,
            facet=field.facet,
        )
        for position, field in enumerate(fields)
    )
    batch: list[DatasetRow] = []
    count = 0
    for record in records:
        count += 1
        data = {}
        for field in fields:
            value = normalise(field.type, record.get(field.name))
            if value is not None:
                data[field.name] = value
        batch.append(
            DatasetRow(table=table, number=count, data=data, search_text=search_text(data))
        )
        if len(batch) >= BATCH:
            DatasetRow.objects.bulk_create(batch)
            batch = []
    if batch:
        DatasetRow.objects.bulk_create(batch)
    table.filename = filename
    table.row_count = count
    table.uploaded_at = timezone.now()
    table.uploaded_by = user if getattr(user, "is_authenticated", False) else None
    table.site = dataset.get_site()
    table.save()
    return table
