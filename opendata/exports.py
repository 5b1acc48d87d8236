"""Exports of a dataset (the whole, or the current filter), streamed with flat memory.

Formats: ``csv`` (``;`` and a BOM, the French habit; ``,`` with ``delimiter=","``), ``xlsx``,
``json`` (an array of records), ``jsonl`` (one record per line), ``geojson`` (datasets with a
geo point). Cells are formula-neutralised in CSV and XLSX as in the spreadsheet kit. Records
come from the table of the reader's audience (``opendata.tables``): what the reader may not
read is never in the file.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _

from spreadsheets.files.writing import iter_csv, write_file

from .fields import FieldType, text_of
from .query import QueryError

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "jsonl": "application/jsonl",
    "geojson": "application/geo+json",
}


def formats_for(table) -> list[str]:
    """The formats ``table`` can be exported to (GeoJSON needs a geo point)."""
    return [f for f in FORMATS if f != "geojson" or table.geo_field() is not None]


def _cell(field, value):
    if value is None:
        return None
    if field.type in (FieldType.INTEGER, FieldType.DECIMAL, FieldType.BOOLEAN):
        return value
    return text_of(field.type, value)


def rows_of(table, records) -> Iterator[list]:
    fields = table.fields
    for record in records:
        yield [_cell(f, record.get(f.name)) for f in fields]


def _json_chunks(records, batch: int = 500) -> Iterator[bytes]:
    yield b"["
    first = True
    pending = []
    for record in records:
        record = {k: v for k, v in record.items() if k != "_id"}
        pending.append(("" if first else ",") + json.dumps(record, ensure_ascii=False))
        first = False
        if len(pending) >= batch:
            yield "".join(pending).encode()
            pending = []
    yield ("".join(pending) + "]").encode()


def _jsonl_chunks(records, batch: int = 500) -> Iterator[bytes]:
    pending = []
    for record in records:
        record = {k: v for k, v in record.items() if k != "_id"}
        pending.append(json.dumps(record, ensure_ascii=False) + "\n")
        if len(pending) >= batch:
            yield "".join(pending).encode()
            pending = []
    if pending:
        yield "".join(pending).encode()


def _geojson_chunks(table, records, batch: int = 500) -> Iterator[bytes]:
    geo = table.geo_field()
    yield b'{"type":"FeatureCollection","features":['
    first = True
    pending = []
    for record in records:
        point = record.get(geo.name)
        properties = {k: v for k, v in record.items() if k not in ("_id", geo.name)}
        feature = {
            "type": "Feature",
            "geometry": (
                {"type": "Point", "coordinates": [point["lon"], point["lat"]]} if point else None
            ),
            "properties": properties,
        }
        pending.append(("" if first else ",") + json.dumps(feature, ensure_ascii=False))
        first = False
        if len(pending) >= batch:
            yield "".join(pending).encode()
            pending = []
    yield ("".join(pending) + "]}").encode()


def export_response(table, fmt: str, *, where=None, order_by=(), filename: str, delimiter=";"):
    """The export of ``table``'s records matching ``where`` as a download named
    ``filename`` (without extension). ``QueryError`` for an unknown format."""
    if fmt not in formats_for(table):
        raise QueryError(
            _("Unknown export format: %(format)s. Available: %(formats)s.")
            % {"format": fmt, "formats": ", ".join(formats_for(table))},
            code="unknown_format",
        )
    records = table.iterate(where, order_by)
    headers = table.names
    if fmt == "xlsx":
        # openpyxl assembles the workbook from its rows on disk; the response streams the file.
        spool = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
        write_file(
            spool,
            rows_of(table, records),
            fmt="xlsx",
            headers=headers,
            title=table.dataset.title[:31],
        )
        spool.seek(0)
        response = FileResponse(spool, content_type=FORMATS[fmt])
    else:
        if fmt == "csv":
            chunks = iter_csv(rows_of(table, records), headers=headers, delimiter=delimiter)
        elif fmt == "json":
            chunks = _json_chunks(records)
        elif fmt == "jsonl":
            chunks = _jsonl_chunks(records)
        else:
            chunks = _geojson_chunks(table, records)
        response = StreamingHttpResponse(chunks, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
