"""Opendatasoft's Explore API v2.1 at ``/api/explore/v2.1/``, for the organization of the host.

Clients written for Opendatasoft portals (the ``@opendatasoft/api-client`` library, the
automation SDKs, dashboards, data.gouv.fr's harvesters) read our catalogue and datasets
unchanged: same addresses, same parameters, same response shapes, same ODSQL
(``opendata.odsql``).

- ``catalog/datasets`` (and ``/{dataset_id}``): the published datasets, members-only ones
  for members only; ``where``/``refine``/``exclude``/``order_by`` over the catalogue's fields
  (``dataset_id``, ``title``, ``description``, ``keyword``, ``theme``, ``license``,
  ``publisher``, ``language``, ``features``, ``modified``, ``records_count``).
- ``catalog/datasets/{dataset_id}/records`` (and ``/{record_id}``): ``select``, ``where``,
  ``group_by``, ``order_by``, ``limit`` (10 by default, at most 100; ``limit + offset`` at most
  10,000; 20,000 when grouping), ``offset``, ``refine``/``exclude`` (``field:value``,
  repeatable; a date field refines by ``2024``, ``2024/05`` or ``2024/05/17``), ``lang``
  (``fr``/``en``: labels in that language), ``timezone`` (date-times converted to it),
  ``include_links`` (``_links`` and record ids), ``include_app_metas`` (accepted).
- ``catalog/datasets/{dataset_id}/exports`` (the list) and ``/exports/{format}``: csv
  (``delimiter``, ``;`` by default), json, jsonl, xlsx, geojson; the same
  ``where``/``refine``/``exclude``/``order_by`` and ``timezone``; no limit.
- ``catalog/exports`` (the list), ``catalog/exports/json`` and ``catalog/exports/csv``: the
  catalogue itself (the DCAT ones are the DCAT module's).
- ``catalog/facets`` and ``catalog/datasets/{dataset_id}/facets``: values and counts.

What the reader may not read stays out whatever they ask: members-only datasets answer "not
found" to others (their existence is not revealed), members-only columns are unknown fields
in every clause (``opendata.tables``), and counts and facets never count them.

Errors take Opendatasoft's shape: HTTP 400 ``{"error_code": "ODSQLError" |
"InvalidRESTParameterError", "message": …}`` (the message names the clause and the position),
404 ``{"error_code": "NotFound", …}``, 401 for a refused API key, 429 with Opendatasoft's quota
body. Every answer carries the rate-limit headers and ``Access-Control-Allow-Origin: *``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections import Counter
from functools import wraps
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db.models import Q
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import re_path
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from spreadsheets.files.writing import iter_csv

from ..exports import FORMATS, export_response, formats_for
from ..fields import FACETABLE, Field, FieldType, text_of
from ..models import DatasetTheme, Licence
from ..odsql import aggregate, parse_order_by, parse_selection, parse_where, project
from ..query import And, Compare, Not, Or, Query, QueryError, coerce
from ..query import python as in_python
from ..query.ast import conjunction
from ..tables import DataTable, NoData, NotReadable, table_for
from .common import datasets_of, resolve

PREFIX = "api/explore/v2.1/"
LANGUAGES = ("fr", "en")
#: Records one request may page through (``limit + offset``), plain and grouped.
WINDOW, GROUPED_WINDOW = 10_000, 20_000
MAX_LIMIT = 100
DELIMITERS = (";", ",", "\t", "|")
#: Opendatasoft's type names (``fields[].type``).
ODS_TYPES = {
    FieldType.TEXT: "text",
    FieldType.URL: "text",
    FieldType.INTEGER: "int",
    FieldType.DECIMAL: "double",
    FieldType.DATE: "date",
    FieldType.DATETIME: "datetime",
    FieldType.BOOLEAN: "boolean",
    FieldType.GEO_POINT: "geo_point_2d",
}
#: The catalogue's own fields, for ODSQL over datasets (names are Opendatasoft's).
CATALOG_FIELDS = (
    Field("dataset_id", "dataset_id"),
    Field("title", "title"),
    Field("description", "description"),
    Field("keyword", "keyword", facet=True),
    Field("theme", "theme", facet=True),
    Field("license", "license", facet=True),
    Field("publisher", "publisher", facet=True),
    Field("language", "language", facet=True),
    Field("features", "features", facet=True),
    Field("modified", "modified", FieldType.DATETIME),
    Field("records_count", "records_count", FieldType.INTEGER),
    Field("has_records", "has_records", FieldType.BOOLEAN),
)
CATALOG_FACETS = ("publisher", "keyword", "theme", "features", "language", "license")
DATASET_KEYS = (
    "dataset_id",
    "dataset_uid",
    "attachments",
    "has_records",
    "data_visible",
    "fields",
    "metas",
    "features",
)


class ApiError(Exception):
    """An answer other than the data: ``status``, Opendatasoft's ``error_code``, a message."""

    def __init__(self, status: int, error_code: str, message: str):
        super().__init__(message)
        self.status = status
        self.error_code = error_code
        self.message = message


def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data,
        status=status,
        safe=False,
        json_dumps_params={"ensure_ascii": False},
        content_type="application/json; charset=utf-8",
    )


def _error(status: int, error_code: str, message: str) -> JsonResponse:
    return _json({"error_code": error_code, "message": message}, status=status)


def _parameter_error(message: str) -> ApiError:
    return ApiError(400, "InvalidRESTParameterError", message)


def _not_found(dataset_id: str) -> ApiError:
    return ApiError(404, "NotFound", _("Unknown dataset: %(id)s.") % {"id": dataset_id})


def _refusal(reason: str) -> str:
    messages = {
        "unknown": _("This API key is unknown."),
        "revoked": _("This API key was revoked."),
        "expired": _("The membership of this API key's owner has ended."),
        "other_organization": _("This API key belongs to another organization."),
    }
    return messages.get(reason, _("This API key cannot be used."))


def _quota(rate) -> JsonResponse:
    reset = dt.datetime.fromtimestamp(rate.reset, dt.UTC).isoformat(timespec="seconds")
    return _json(
        {
            "errorcode": 10002,
            "reset_time": reset.replace("+00:00", "Z"),
            "limit_time_unit": "minute",
            "call_limit": rate.limit,
            "error": _("Too many requests: wait for the next minute, or use an API key."),
        },
        status=429,
    )


def explore_view(view):
    """The frame of every Explore answer: the organization and reader from the request,
    refusals in Opendatasoft's shapes, ``lang``, errors as 400/404 (never a 500 for bad
    input), the rate-limit and CORS headers on whatever goes back."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        api = resolve(request)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            response = _error(405, "MethodNotAllowed", _("Only GET requests are accepted."))
            response["Allow"] = "GET, HEAD, OPTIONS"
        elif api.site is None:
            response = _error(404, "NotFound", _("No data portal at this address."))
        elif api.refused:
            response = _error(401, "InvalidAPIKeyError", _refusal(api.refused))
        elif api.rate.exceeded:
            response = _quota(api.rate)
        elif request.method == "OPTIONS":
            response = _json({}, status=200)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = "Authorization"
        else:
            response = _answer(view, request, api, *args, **kwargs)
        if api.rate is not None:
            for header, value in api.rate.headers().items():
                response[header] = value
        response["Access-Control-Allow-Origin"] = "*"
        # What a key or a session reads is theirs: no shared cache keeps it for others.
        patch_vary_headers(response, ("Authorization", "X-CKAN-API-Key", "Cookie"))
        if api.audience is not None and api.audience.members:
            response["Cache-Control"] = "private, no-store"
        return response

    # GET only: a POST gets this API's 405, not the CSRF middleware's HTML page.
    return csrf_exempt(wrapper)


def _answer(view, request, api, *args, **kwargs):
    try:
        language = _language(request)
        with translation.override(language):
            try:
                return view(request, api, *args, **kwargs)
            except ApiError as error:
                return _error(error.status, error.error_code, error.message)
            except QueryError as error:
                code = (
                    "InvalidRESTParameterError" if error.code == "unknown_format" else "ODSQLError"
                )
                return _error(400, code, error.message)
    except ApiError as error:
        return _error(error.status, error.error_code, error.message)


# --- parameters ----------------------------------------------------------------------------------


def _language(request) -> str:
    language = request.GET.get("lang", "").strip().lower()
    if not language:
        return translation.get_language() or "fr"
    if language not in LANGUAGES:
        raise _parameter_error(
            _(
                "Invalid value for lang API parameter: %(value)s was found but one of %(choices)s "
                "is expected."
            )
            % {"value": language, "choices": ", ".join(LANGUAGES)}
        )
    return language


def _integer(request, name: str, default: int, low: int, high: int) -> int:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise _parameter_error(
            _(
                "Invalid value for %(name)s API parameter: %(value)s was found but "
                "%(low)s <= %(name)s <= %(high)s is expected."
            )
            % {"name": name, "value": raw[:40], "low": low, "high": high}
        )
    return value


def _page(request, *, grouped: bool = False) -> tuple[int, int]:
    """``(limit, offset)`` within Opendatasoft's bounds."""
    window = GROUPED_WINDOW if grouped else WINDOW
    highest = window if grouped else MAX_LIMIT
    limit = _integer(request, "limit", 10, -1, highest)
    if limit == -1:
        limit = highest
    offset = _integer(request, "offset", 0, 0, window)
    if limit + offset > window:
        raise _parameter_error(
            _(
                "Invalid value for offset API parameter: limit + offset must be at most "
                "%(window)s (%(limit)s + %(offset)s was found); use the exports for more."
            )
            % {"window": window, "limit": limit, "offset": offset}
        )
    return limit, offset


def _zone(request):
    """The ``timezone`` asked for, ``None`` for UTC (the records' own)."""
    name = request.GET.get("timezone", "").strip()
    if not name or name.upper() == "UTC":
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        # A folder of the zone database (« Europe »), a name too long for a file: no zone.
        raise _parameter_error(
            _("Invalid value for timezone API parameter: %(value)s is not a time zone.")
            % {"value": name[:60]}
        ) from None


def _flag(request, name: str) -> bool:
    return request.GET.get(name, "").strip().lower() in ("true", "1", "yes")


def _in_zone(value, zone):
    if zone is None or not isinstance(value, str):
        return value
    try:
        return dt.datetime.fromisoformat(value).astimezone(zone).isoformat()
    except ValueError:
        return value


# --- refine and exclude --------------------------------------------------------------------------


def _date_span(target: Field, value: str):
    """A date field refined by a year, a month or a day (``2024``, ``2024/05``, ``2024/05/17``):
    the records within it."""
    match = re.fullmatch(r"(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?", value.strip())
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    start = dt.date(year, month or 1, day or 1)
    if day:
        end = start + dt.timedelta(days=1)
    elif month:
        end = dt.date(year + month // 12, month % 12 + 1, 1)
    else:
        end = dt.date(year + 1, 1, 1)
    if target.type == FieldType.DATETIME:
        low = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC).isoformat(timespec="seconds")
        high = dt.datetime.combine(end, dt.time(), tzinfo=dt.UTC).isoformat(timespec="seconds")
    else:
        low, high = start.isoformat(), end.isoformat()
    return And((Compare(target.name, ">=", low), Compare(target.name, "<", high)))


def _facet_filters(request, fields, parameter: str) -> list:
    nodes = []
    for raw in request.GET.getlist(parameter):
        name, colon, value = raw.partition(":")
        name = name.strip()
        if not colon or not name:
            raise _parameter_error(
                _(
                    "Invalid value for %(parameter)s API parameter: %(value)s was found but "
                    "field:value is expected."
                )
                % {"parameter": parameter, "value": raw[:60]}
            )
        target = next((f for f in fields if f.name == name), None)
        if target is None or target.is_geo:
            raise _parameter_error(
                _("Invalid value for %(parameter)s API parameter: unknown facet « %(name)s ».")
                % {"parameter": parameter, "name": name[:60]}
            )
        node = None
        try:
            if target.type in (FieldType.DATE, FieldType.DATETIME):
                node = _date_span(target, value)
            if node is None:
                node = Compare(target.name, "=", coerce(target, value))
        except (QueryError, ValueError):
            raise _parameter_error(
                _(
                    "Invalid value for %(parameter)s API parameter: « %(value)s » is not a value "
                    "of %(name)s."
                )
                % {"parameter": parameter, "value": value[:60], "name": name}
            ) from None
        nodes.append(node if parameter == "refine" else Not(node))
    return nodes


def _where(request, fields):
    return conjunction(
        parse_where(request.GET.get("where"), fields),
        *_facet_filters(request, fields, "refine"),
        *_facet_filters(request, fields, "exclude"),
    )


def _refined(request) -> set[tuple[str, str]]:
    return {
        (name.strip(), value)
        for name, _colon, value in (raw.partition(":") for raw in request.GET.getlist("refine"))
    }


# --- datasets ------------------------------------------------------------------------------------


class EmptyTable(DataTable):
    """A dataset without data yet: no fields, no records."""

    def __init__(self, dataset):
        self.dataset = dataset
        self.fields = ()

    def count(self, where=None) -> int:
        return 0

    def records(self, query):
        return []

    def iterate(self, where=None, order_by=()):
        return iter(())

    def record(self, record_id):
        return None

    def facets(self, where=None, names=None, limit: int = 50):
        return {}


def _dataset(api, dataset_id: str):
    """The readable published dataset named ``dataset_id`` in the organization, or a 404 that
    says the same whether it does not exist or is for members only."""
    named = Q(dataset_id=dataset_id) | Q(dataset_id="", slug=dataset_id)
    for dataset in datasets_of(api.site).filter(named).select_related("locale"):
        if dataset.identifier == dataset_id:
            if api.audience.may_read(dataset):
                return dataset
            break
    raise _not_found(dataset_id)


def _table(dataset, api) -> DataTable:
    try:
        return table_for(dataset, api.audience)
    except NotReadable:
        raise _not_found(dataset.identifier) from None
    except NoData:
        return EmptyTable(dataset)


def _features(table) -> list[str]:
    features = []
    if table.fields:
        features.append("analyze")
    if table.geo_field() is not None:
        features.append("geo")
    if any(f.type in (FieldType.DATE, FieldType.DATETIME) for f in table.fields):
        features.append("timeserie")
    return features


def _modified(dataset, table) -> dt.datetime | None:
    moments = [dataset.last_published_at]
    stored = getattr(table, "table", None)
    if stored is not None:
        moments.append(stored.uploaded_at)
    source = getattr(table, "source", None)
    if source is not None and source.modified is not None:
        # A source's date is a nicety, never an error.
        with contextlib.suppress(Exception):
            moments.append(source.modified(dataset.get_site()))
    moments = [m for m in moments if isinstance(m, dt.datetime)]
    return max(moments) if moments else None


class Entry:
    """A dataset as the catalogue shows it to one reader (its table read once)."""

    def __init__(self, dataset, api, request):
        self.dataset = dataset
        self.table = _table(dataset, api)
        self.request = request
        self._count = None
        self._row = None

    @property
    def records_count(self) -> int:
        if self._count is None:
            self._count = self.table.count()
        return self._count

    def row(self) -> dict:
        """The catalogue's fields, for ``where``, ``refine`` and ``order_by`` over datasets."""
        if self._row is None:
            self._row = self._read_row()
        return self._row

    def _read_row(self) -> dict:
        dataset = self.dataset
        modified = _modified(dataset, self.table)
        return {
            "_id": dataset.identifier,
            "dataset_id": dataset.identifier,
            "title": dataset.title,
            "description": dataset.description,
            "keyword": dataset.keyword_list(),
            "theme": [str(DatasetTheme(code).label) for code in dataset.themes or ()],
            "license": _licence_label(dataset.licence),
            "publisher": self.publisher,
            "language": self.language,
            "features": _features(self.table),
            "modified": modified.astimezone(dt.UTC).isoformat(timespec="seconds")
            if modified
            else None,
            "records_count": self.records_count,
            "has_records": self.records_count > 0,
        }

    @property
    def publisher(self) -> str:
        return self.dataset.publisher or self.dataset.get_site().site_name

    @property
    def language(self) -> str:
        return (self.dataset.locale.language_code or "fr")[:2]

    def fields(self) -> list[dict]:
        return [
            {
                "name": f.name,
                "label": str(f.label),
                "type": ODS_TYPES.get(f.type, "text"),
                "description": str(f.description) or None,
                "annotations": {"facet": []} if f.facet and f.type in FACETABLE else {},
            }
            for f in self.table.fields
        ]

    def as_json(self, zone, *, links: bool) -> dict:
        dataset = self.dataset
        modified = _modified(dataset, self.table)
        stored = getattr(self.table, "table", None)
        data_processed = getattr(stored, "uploaded_at", None)
        answer = {}
        if links:
            answer["_links"] = [
                {
                    "rel": "self",
                    "href": _url(self.request, f"catalog/datasets/{dataset.identifier}"),
                },
                {"rel": "catalog", "href": _url(self.request, "catalog/datasets")},
            ]
        answer.update(
            {
                "dataset_id": dataset.identifier,
                "dataset_uid": f"da_{dataset.package_uuid.hex[:6]}",
                "attachments": [],
                "has_records": self.records_count > 0,
                "data_visible": True,
                "fields": self.fields(),
                "metas": {
                    "default": {
                        "title": dataset.title,
                        "description": dataset.description or None,
                        "keyword": dataset.keyword_list() or None,
                        "theme": [str(DatasetTheme(code).label) for code in dataset.themes or ()]
                        or None,
                        "license": _licence_label(dataset.licence),
                        "license_url": dataset.licence_url or None,
                        "modified": _iso(modified, zone),
                        "data_processed": _iso(data_processed, zone),
                        "metadata_processed": _iso(dataset.last_published_at, zone),
                        "publisher": self.publisher,
                        "records_count": self.records_count,
                        "language": self.language,
                        "territory": [dataset.spatial_coverage]
                        if dataset.spatial_coverage
                        else None,
                        "timezone": None,
                        "references": dataset.full_url,
                        "attributions": None,
                    }
                },
                "features": _features(self.table),
            }
        )
        return answer


def _licence_label(code: str) -> str:
    try:
        return str(Licence(code).label)
    except ValueError:
        return code


def _iso(moment, zone) -> str | None:
    if not isinstance(moment, dt.datetime):
        return None
    return moment.astimezone(zone or dt.UTC).isoformat(timespec="seconds")


def _url(request, path: str) -> str:
    return request.build_absolute_uri(f"/{PREFIX}{path}")


def _catalog_matches(node, row: dict) -> bool:
    """``opendata.query.python.matches`` where a list (keywords, themes) matches when one of
    its values does."""
    if node is None:
        return True
    if isinstance(node, And):
        return all(_catalog_matches(item, row) for item in node.items)
    if isinstance(node, Or):
        return any(_catalog_matches(item, row) for item in node.items)
    if isinstance(node, Not):
        return not _catalog_matches(node.item, row)
    name = getattr(node, "field", None)
    value = row.get(name) if name else None
    if isinstance(value, list):
        if not value:
            return in_python.matches(node, {**row, name: None})
        return any(in_python.matches(node, {**row, name: item}) for item in value)
    flat = {k: (" ".join(v) if isinstance(v, list) else v) for k, v in row.items()}
    return in_python.matches(node, flat)


def _catalog(request, api) -> list[Entry]:
    """The datasets the reader may see, filtered and sorted as the request says."""
    where = _where(request, CATALOG_FIELDS)
    order = parse_order_by(request.GET.get("order_by"), CATALOG_FIELDS)
    entries, rows = [], []
    for dataset in datasets_of(api.site).select_related("locale"):
        if not api.audience.may_read(dataset):
            continue
        entry = Entry(dataset, api, request)
        row = entry.row()
        if _catalog_matches(where, row):
            rows.append({**row, "_entry": entry})
    if order:
        rows = in_python.sort_records(rows, order)
    entries = [row["_entry"] for row in rows]
    return entries


def _dataset_keys(request) -> tuple[str, ...]:
    """The keys a catalogue ``select`` keeps (all without one)."""
    raw = request.GET.get("select", "").strip()
    if not raw or raw == "*":
        return DATASET_KEYS
    keys = tuple(part.strip() for part in raw.split(","))
    unknown = [key for key in keys if key not in DATASET_KEYS]
    if unknown:
        raise QueryError(
            _(
                "ODSQL query is invalid: unknown field « %(name)s ». Clause(s) containing the "
                "error(s): select."
            )
            % {"name": unknown[0][:60]},
            code="unknown_field",
        )
    return keys


def _kept(answer: dict, keys) -> dict:
    return {k: v for k, v in answer.items() if k in keys or k == "_links"}


def _no_grouping(request):
    if request.GET.get("group_by", "").strip():
        raise _parameter_error(_("group_by is not available on the catalogue."))


@explore_view
def catalog_datasets(request, api):
    _no_grouping(request)
    keys = _dataset_keys(request)
    limit, offset = _page(request)
    zone = _zone(request)
    links = _flag(request, "include_links")
    entries = _catalog(request, api)
    answer = {"total_count": len(entries)}
    if links:
        answer["_links"] = _page_links(request, "catalog/datasets", len(entries), limit, offset)
    answer["results"] = [
        _kept(entry.as_json(zone, links=links), keys) for entry in entries[offset : offset + limit]
    ]
    return _json(answer)


@explore_view
def catalog_dataset(request, api, dataset_id):
    keys = _dataset_keys(request)
    entry = Entry(_dataset(api, dataset_id), api, request)
    return _json(_kept(entry.as_json(_zone(request), links=_flag(request, "include_links")), keys))


def _page_links(request, path: str, total: int, limit: int, offset: int) -> list[dict]:
    params = request.GET.copy()

    def href(start: int) -> str:
        params["offset"] = str(max(start, 0))
        params["limit"] = str(limit)
        return f"{_url(request, path)}?{params.urlencode()}"

    links = [{"rel": "self", "href": href(offset)}, {"rel": "first", "href": href(0)}]
    if limit:
        last = max((total - 1) // limit * limit, 0)
        links.append({"rel": "last", "href": href(min(last, WINDOW - limit))})
        if offset + limit < min(total, WINDOW):
            links.append({"rel": "next", "href": href(offset + limit)})
    return links


# --- records -------------------------------------------------------------------------------------


def _output_types(table, selection) -> dict[str, str]:
    """The type of each key of the results (to convert date-times to the time zone)."""
    by_name = {f.name: f.type for f in table.fields}
    if not selection.items and not selection.group_by:
        return by_name
    types = {}
    for group in selection.group_by:
        types[group.label] = by_name[group.field]
    for item in selection.items:
        if item.kind == "all":
            types.update(by_name)
        elif item.kind in ("field", "min", "max"):
            types[item.label] = by_name[item.field]
    return types


def _converted(row: dict, types: dict, zone) -> dict:
    if zone is None:
        return row
    return {
        key: _in_zone(value, zone) if types.get(key) == FieldType.DATETIME else value
        for key, value in row.items()
    }


@explore_view
def records(request, api, dataset_id):
    dataset = _dataset(api, dataset_id)
    table = _table(dataset, api)
    fields = table.fields
    where = _where(request, fields)
    selection = parse_selection(
        fields,
        select=request.GET.get("select"),
        group_by=request.GET.get("group_by"),
        order_by=request.GET.get("order_by"),
    )
    zone = _zone(request)
    types = _output_types(table, selection)
    if selection.aggregated:
        limit, offset = _page(request, grouped=True)
        groups = aggregate(table.iterate(where), selection)
        return _json(
            {"results": [_converted(row, types, zone) for row in groups[offset : offset + limit]]}
        )
    limit, offset = _page(request)
    links = _flag(request, "include_links")
    total = table.count(where)
    found = table.records(Query(where, selection.order_by, limit, offset)) if limit else []
    results = []
    for record in found:
        row = _converted(project(record, selection.items, table.names), types, zone)
        if links:
            address = _url(
                request, f"catalog/datasets/{dataset.identifier}/records/{record['_id']}"
            )
            row = {"_id": record["_id"], "_links": [{"rel": "self", "href": address}], **row}
        results.append(row)
    answer = {"total_count": total}
    if links:
        path = f"catalog/datasets/{dataset.identifier}/records"
        answer["_links"] = _page_links(request, path, total, limit, offset)
    answer["results"] = results
    return _json(answer)


@explore_view
def record(request, api, dataset_id, record_id):
    dataset = _dataset(api, dataset_id)
    table = _table(dataset, api)
    selection = parse_selection(table.fields, select=request.GET.get("select"))
    if selection.aggregated:
        raise _parameter_error(_("A single record has no aggregates: use the records endpoint."))
    found = table.record(record_id)
    if found is None:
        raise ApiError(404, "NotFound", _("Unknown record: %(id)s.") % {"id": str(record_id)[:60]})
    row = project(found, selection.items, table.names)
    return _json(_converted(row, _output_types(table, selection), _zone(request)))


# --- exports -------------------------------------------------------------------------------------


def _delimiter(request) -> str:
    delimiter = request.GET.get("delimiter", ";")
    if delimiter not in DELIMITERS:
        raise _parameter_error(
            _("Invalid value for delimiter API parameter: one of ; , | or a tab is expected.")
        )
    return delimiter


class _InZone:
    """A table whose date-times come out in ``zone`` (for the exports)."""

    def __init__(self, table, zone):
        self._table = table
        self._zone = zone
        self._datetimes = [f.name for f in table.fields if f.type == FieldType.DATETIME]

    def __getattr__(self, name):
        return getattr(self._table, name)

    def iterate(self, where=None, order_by=()):
        for found in self._table.iterate(where, order_by):
            yield {
                key: _in_zone(value, self._zone) if key in self._datetimes else value
                for key, value in found.items()
            }

    def rows(self, where=None, order_by=()):
        # The spreadsheet exports read rows, not records: the same zone for them.
        positions = [i for i, f in enumerate(self._table.fields) if f.name in self._datetimes]
        for row in self._table.rows(where, order_by):
            for i in positions:
                row[i] = _in_zone(row[i], self._zone)
            yield row


@explore_view
def dataset_exports(request, api, dataset_id):
    dataset = _dataset(api, dataset_id)
    table = _table(dataset, api)
    path = f"catalog/datasets/{dataset.identifier}/exports"
    return _json(
        {
            "links": [
                {"rel": fmt, "href": _url(request, f"{path}/{fmt}")} for fmt in formats_for(table)
            ]
        }
    )


@explore_view
def dataset_export(request, api, dataset_id, fmt):
    dataset = _dataset(api, dataset_id)
    table = _table(dataset, api)
    if request.GET.get("group_by", "").strip() or request.GET.get("select", "*").strip() != "*":
        raise _parameter_error(
            _(
                "select and group_by are not available on exports: export every column, or use "
                "the records endpoint."
            )
        )
    where = _where(request, table.fields)
    order = parse_order_by(request.GET.get("order_by"), table.fields)
    delimiter = _delimiter(request) if fmt == "csv" else ";"
    zone = _zone(request)
    if zone is not None:
        table = _InZone(table, zone)
    return export_response(
        table, fmt, where=where, order_by=order, filename=dataset.identifier, delimiter=delimiter
    )


CATALOG_EXPORTS = ("csv", "json")
CATALOG_COLUMNS = (
    "dataset_id",
    "title",
    "description",
    "keyword",
    "theme",
    "license",
    "license_url",
    "modified",
    "publisher",
    "records_count",
    "language",
    "features",
)


@explore_view
def catalog_exports(request, api):
    return _json(
        {
            "links": [
                {"rel": fmt, "href": _url(request, f"catalog/exports/{fmt}")}
                for fmt in CATALOG_EXPORTS
            ]
        }
    )


@explore_view
def catalog_export(request, api, fmt):
    if fmt not in CATALOG_EXPORTS:
        raise _parameter_error(
            _("Unknown export format: %(format)s. Available: %(formats)s.")
            % {"format": fmt[:20], "formats": ", ".join(CATALOG_EXPORTS)}
        )
    _no_grouping(request)
    zone = _zone(request)
    entries = _catalog(request, api)
    if fmt == "json":
        response = _json([entry.as_json(zone, links=False) for entry in entries])
    else:
        delimiter = _delimiter(request)

        def rows():
            for entry in entries:
                metas = entry.as_json(zone, links=False)["metas"]["default"]
                values = {**metas, "dataset_id": entry.dataset.identifier}
                values["features"] = _features(entry.table)
                yield [
                    ",".join(values[c]) if isinstance(values.get(c), list) else values.get(c)
                    for c in CATALOG_COLUMNS
                ]

        response = StreamingHttpResponse(
            iter_csv(rows(), headers=CATALOG_COLUMNS, delimiter=delimiter),
            content_type=FORMATS["csv"],
        )
    response["Content-Disposition"] = f'attachment; filename="catalog.{fmt}"'
    return response


# --- facets --------------------------------------------------------------------------------------

FACET_FUNCTION = re.compile(r'facet\(\s*name\s*=\s*"([^"]+)"[^)]*\)')


def _facet_names(request, fields) -> list[str] | None:
    asked = request.GET.getlist("facet")
    if not asked:
        return None
    names = []
    for raw in asked:
        match = FACET_FUNCTION.fullmatch(raw.strip())
        name = match.group(1) if match else raw.strip()
        target = next((f for f in fields if f.name == name), None)
        if target is None or target.type not in FACETABLE:
            raise _parameter_error(
                _("Invalid value for facet API parameter: « %(name)s » is not a facet.")
                % {"name": name[:60]}
            )
        names.append(name)
    return names


def _facet_answer(counts: dict, types: dict, refined: set) -> dict:
    facets = []
    for name, values in counts.items():
        entries = []
        for value, count in values:
            text = text_of(types.get(name, FieldType.TEXT), value)
            state = "refined" if (name, text) in refined else "displayed"
            entries.append({"count": count, "state": state, "name": text, "value": text})
        facets.append({"name": name, "facets": entries})
    return {"links": [], "facets": facets}


@explore_view
def dataset_facets(request, api, dataset_id):
    dataset = _dataset(api, dataset_id)
    table = _table(dataset, api)
    where = _where(request, table.fields)
    names = _facet_names(request, table.fields)
    counts = table.facets(where, names=names) if table.fields else {}
    types = {f.name: f.type for f in table.fields}
    return _json(_facet_answer(counts, types, _refined(request)))


@explore_view
def catalog_facets(request, api):
    names = _facet_names(request, [f for f in CATALOG_FIELDS if f.name in CATALOG_FACETS])
    entries = _catalog(request, api)
    counts = {}
    for name in names or CATALOG_FACETS:
        counter = Counter()
        for entry in entries:
            value = entry.row()[name]
            for item in value if isinstance(value, list) else [value]:
                if item not in (None, ""):
                    counter[item] += 1
        counts[name] = sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))
    return _json(_facet_answer(counts, {}, _refined(request)))


def _route(pattern: str, view, name: str):
    return re_path(rf"^{PREFIX}{pattern}/?$", view, name=f"explore_{name}")


SEGMENT = r"[^/]+"

urlpatterns = [
    _route("catalog/datasets", catalog_datasets, "datasets"),
    _route(f"catalog/datasets/(?P<dataset_id>{SEGMENT})", catalog_dataset, "dataset"),
    _route(f"catalog/datasets/(?P<dataset_id>{SEGMENT})/records", records, "records"),
    _route(
        f"catalog/datasets/(?P<dataset_id>{SEGMENT})/records/(?P<record_id>{SEGMENT})",
        record,
        "record",
    ),
    _route(f"catalog/datasets/(?P<dataset_id>{SEGMENT})/exports", dataset_exports, "exports"),
    _route(
        f"catalog/datasets/(?P<dataset_id>{SEGMENT})/exports/(?P<fmt>{SEGMENT})",
        dataset_export,
        "export",
    ),
    _route(f"catalog/datasets/(?P<dataset_id>{SEGMENT})/facets", dataset_facets, "facets"),
    _route("catalog/exports", catalog_exports, "catalog_exports"),
    _route("catalog/exports/(?P<fmt>json|csv)", catalog_export, "catalog_export"),
    _route("catalog/facets", catalog_facets, "catalog_facets"),
]
