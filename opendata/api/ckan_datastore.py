"""CKAN's DataStore over the table layer: ``datastore_search`` and the dumps.

Filters, searches and sorts are parsed against the columns the reader may read
(``opendata.tables``): a members-only column can be neither named nor found by its values.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from ..exports import export_response
from ..fields import FieldType
from ..query import Compare, In, IsNull, Query, QueryError, Search, coerce
from ..query.ast import conjunction, field_named
from ..tables import UploadedTable
from .ckan_catalogue import Call, Parameters, invalid, required

DATASTORE_LIMIT_DEFAULT, DATASTORE_LIMIT_MAX = 100, 32000
#: CKAN's datastore types for ours.
DATASTORE_TYPES = {
    FieldType.TEXT: "text",
    FieldType.URL: "text",
    FieldType.INTEGER: "int",
    FieldType.DECIMAL: "numeric",
    FieldType.DATE: "date",
    FieldType.DATETIME: "timestamp",
    FieldType.BOOLEAN: "bool",
    FieldType.GEO_POINT: "json",
}
DUMP_FORMATS = {"csv": ("csv", ","), "tsv": ("csv", "\t"), "json": ("json", ",")}


# --- datastore_search ---------------------------------------------------------------------------


def _where(params: Parameters, table):
    """The filter of ``q`` (text, or an object of texts by field) and ``filters`` (an object of
    values by field; a list is any of them)."""
    parts = []
    q = params.structure("q")
    if isinstance(q, dict):
        for name, text in q.items():
            try:
                field_named(table.fields, name)
            except QueryError as error:
                raise invalid("q", error.message) from None
            if str(text).strip():
                parts.append(Search(str(text), field=name))
    elif q is not None and not isinstance(q, str | int | float):
        raise invalid("q", _("Text or an object of texts by field is expected"))
    elif q is not None and str(q).strip():
        parts.append(Search(str(q)))
    filters = params.structure("filters")
    if filters not in (None, ""):
        if not isinstance(filters, dict):
            raise invalid("filters", _("An object of values by field is expected"))
        for name, value in filters.items():
            try:
                column = field_named(table.fields, name)
                if value is None:
                    parts.append(IsNull(name))
                elif isinstance(value, list):
                    parts.append(In(name, tuple(coerce(column, v) for v in value)))
                else:
                    parts.append(Compare(name, "=", coerce(column, value)))
            except QueryError as error:
                raise invalid("filters", error.message) from None
    return conjunction(*parts)


def _order(params: Parameters, table) -> tuple:
    value = params.structure("sort")
    if value in (None, ""):
        return ()
    clauses = value if isinstance(value, list) else str(value).split(",")
    order = []
    for clause in clauses:
        bits = str(clause).replace('"', "").split()
        if not bits:
            continue
        name, direction = bits[0], (bits[1].lower() if len(bits) > 1 else "asc")
        if direction not in ("asc", "desc") or len(bits) > 2:
            raise invalid("sort", _("Cannot sort by « %(sort)s »") % {"sort": str(clause).strip()})
        if name == "_id":
            if direction == "desc":
                raise invalid("sort", _("Records are given in ascending « _id » order only"))
            break  # the records' own order
        if table.field(name) is None:
            raise invalid("sort", _("Unknown field: %(name)s.") % {"name": name})
        order.append((name, direction == "desc"))
    return tuple(order)


def _record_id(table, value: str):
    return int(value) if isinstance(table, UploadedTable) and value.isdigit() else value


def _links(call: Call, offset: int, limit: int) -> dict:
    kept = {
        key: json.dumps(value) if isinstance(value, dict | list) else value
        for key, value in call.params.values.items()
        if key != "offset"
    }
    path = call.request.path.rstrip("/")
    return {
        "start": f"{path}?{urlencode(kept, doseq=False)}",
        "next": f"{path}?{urlencode({**kept, 'offset': offset + limit}, doseq=False)}",
    }


def datastore_search(call: Call):
    """A dataset's records (``resource_id``), found by ``q`` and ``filters``, with ``fields``,
    ``sort``, ``limit`` (100 by default), ``offset``, ``include_total`` and
    ``records_format`` (``objects`` or ``lists``); ``_links`` lead to the next page."""
    params = call.params
    resource_id = required(call, "resource_id", "id")
    dataset = call.resource_dataset(resource_id)
    table = call.table(dataset, resource_id)
    where = _where(params, table)
    order = _order(params, table)
    limit = params.integer("limit", DATASTORE_LIMIT_DEFAULT, maximum=DATASTORE_LIMIT_MAX)
    offset = params.integer("offset", 0)
    records_format = params.text("records_format", "objects")
    if records_format not in ("objects", "lists"):
        raise invalid("records_format", _("Value must be one of: objects, lists"))
    chosen = params.names("fields")
    if chosen is None:
        chosen = ["_id", *table.names]
    unknown = [name for name in chosen if name != "_id" and table.field(name) is None]
    if unknown:
        raise invalid("fields", _("Unknown field: %(name)s.") % {"name": unknown[0]})
    id_type = "int" if isinstance(table, UploadedTable) else "text"
    fields = []
    for name in chosen:
        if name == "_id":
            fields.append({"id": "_id", "type": id_type})
            continue
        column = table.field(name)
        info = {"label": str(column.label)}
        if column.description:
            info["notes"] = str(column.description)
        fields.append({"id": name, "type": DATASTORE_TYPES.get(column.type, "text"), "info": info})
    try:
        found = table.records(Query(where=where, order_by=order, limit=limit, offset=offset))
    except QueryError as error:
        raise invalid("sort", error.message) from None
    records = []
    for record in found:
        values = [
            _record_id(table, record["_id"]) if name == "_id" else record.get(name)
            for name in chosen
        ]
        records.append(
            values if records_format == "lists" else dict(zip(chosen, values, strict=True))
        )
    result = {
        "resource_id": resource_id,
        "fields": fields,
        "records_format": records_format,
        "records": records,
        "limit": limit,
        "offset": offset,
        "_links": _links(call, offset, limit),
        "include_total": params.boolean("include_total", True),
    }
    if result["include_total"]:
        result["total"] = table.count(where)
        result["total_was_estimated"] = False
    return result


def dump(call: Call, resource_id: str):
    """The records of ``resource_id`` as a download (``format``: ``csv``, ``tsv`` or
    ``json``; ``q``, ``filters`` and ``sort`` as ``datastore_search``'s)."""
    fmt = call.params.text("format", "csv").lower()
    if fmt not in DUMP_FORMATS:
        raise invalid("format", _("Value must be one of: csv, tsv, json"))
    dataset = call.resource_dataset(resource_id)
    table = call.table(dataset, resource_id)
    where, order = _where(call.params, table), _order(call.params, table)
    export_format, delimiter = DUMP_FORMATS[fmt]
    response = export_response(
        table,
        export_format,
        where=where,
        order_by=order,
        filename=dataset.identifier,
        delimiter=delimiter,
    )
    if fmt == "tsv":
        response["Content-Type"] = "text/tab-separated-values; charset=utf-8"
        response["Content-Disposition"] = f'attachment; filename="{dataset.identifier}.tsv"'
    return response
