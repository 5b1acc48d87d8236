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
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext
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


def _decimal_text(value) -> str:
    # The kit writes a float as ``format(Decimal(repr(value)), "f")``: the same as ``repr``
    # unless ``repr`` uses an exponent (1e-05, 1e+16), which only a few values do.
    text = repr(value)
    if "e" in text or "n" in text:
        return _csv_number(value)
    return text


def _csv_number(value) -> str:
    if isinstance(value, float):
        value = Decimal(repr(value))
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _csv_texts(table):
    """For each column, a function giving its value as the text the kit's CSV writer would
    write (``spreadsheets.files.iter_csv``): text goes through the writer's neutralisation
    only, instead of its per-cell type tests, for speed on large tables."""
    yes, no = gettext("yes"), gettext("no")

    def as_is(value):
        return "" if value is None else value

    def integer(value):
        return "" if value is None else str(value)

    def decimal(value):
        if value is None:
            return ""
        return _decimal_text(value) if value.__class__ is float else _csv_number(value)

    def boolean(value):
        return "" if value is None else (yes if value else no)

    def point(value):
        return "" if value is None else text_of(FieldType.GEO_POINT, value)

    by_type = {
        FieldType.INTEGER: integer,
        FieldType.DECIMAL: decimal,
        FieldType.BOOLEAN: boolean,
        FieldType.GEO_POINT: point,
    }
    return [by_type.get(f.type, as_is) for f in table.fields]


def csv_rows(table, where=None, order_by=()) -> Iterator[list]:
    """``table``'s matching rows as the CSV export's texts (see ``_csv_texts``)."""
    texts = _csv_texts(table)
    for row in table.rows(where, order_by):
        yield [text(value) for text, value in zip(texts, row, strict=True)]


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
            chunks = iter_csv(
                csv_rows(table, where, order_by), headers=headers, delimiter=delimiter
            )
        elif fmt == "json":
            chunks = _json_chunks(records)
        elif fmt == "jsonl":
            chunks = _jsonl_chunks(records)
        else:
            chunks = _geojson_chunks(table, records)
        response = StreamingHttpResponse(chunks, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
