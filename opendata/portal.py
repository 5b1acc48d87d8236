"""The data portal's pages: the catalogue and each dataset's page (contexts for the page
models; ``opendata.page_views`` serves the dataset pages' routes).

Everything a page shows of the data comes from the table of the reader's audience
(``opendata.tables``): a members-only dataset shows the public its description and a way to log
in, never a row, a count, a map, a chart, an embed or an export; members-only columns are not in
the public's table at all. A page shown to a member is marked private, so that the page cache
(``public_cache``) never keeps it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from django.utils.translation import gettext as _

from organizations.maps import MapMarker, tile_settings
from public_cache.middleware import private_response

from .access import audience_for
from .browse import parse_table_request
from .charts import AGGREGATIONS, KINDS, build_chart, chart_fields, parse_chart_request
from .exports import formats_for
from .fields import FieldType
from .models import DatasetAccess, DatasetPage, DatasetTheme, SourceKind
from .query import Query
from .tables import NoData, NotReadable, table_for

PAGE_SIZE = 20
INDEX_PAGE_SIZE = 20
#: Markers a map carries at most (the table lists every record).
MAX_MARKERS = 3000
#: Places the map's plain list (without JavaScript) names at most.
MAX_LISTED_PLACES = 100
FORMAT_LABELS = {
    "csv": "CSV",
    "xlsx": "Excel (XLSX)",
    "json": "JSON",
    "jsonl": "JSON Lines",
    "geojson": "GeoJSON",
}
VIEWS = ("table", "map", "chart")


def member_login_url(next_url: str) -> str:
    try:
        return f"{reverse('member_login')}?{urlencode({'next': next_url})}"
    except NoReverseMatch:  # a site without the member space
        return ""


# --- the catalogue --------------------------------------------------------------------------


@dataclass
class DatasetCard:
    dataset: DatasetPage
    url: str
    excerpt: str
    themes: list[str]
    readable: bool
    count: int | None = None
    formats: list[str] = field(default_factory=list)


def excerpt(text: str, length: int = 220) -> str:
    text = " ".join(text.split())
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0] + "…"


def _card(dataset, audience, request, live_counts: dict) -> DatasetCard:
    card = DatasetCard(
        dataset=dataset,
        url=dataset.get_url(request) or "",
        excerpt=excerpt(dataset.description),
        themes=[str(DatasetTheme(code).label) for code in dataset.themes if code in DatasetTheme],
        readable=audience.may_read(dataset),
    )
    if not card.readable:
        return card
    try:
        table = table_for(dataset, audience)
    except NoData:
        return card
    card.formats = [FORMAT_LABELS[fmt] for fmt in formats_for(table)]
    if dataset.source_kind == SourceKind.UPLOAD:
        card.count = dataset.table.row_count
    else:
        if dataset.live_source not in live_counts:
            live_counts[dataset.live_source] = table.count()
        card.count = live_counts[dataset.live_source]
    return card


def index_context(page, request) -> dict:
    """The catalogue: published datasets, searched (``q``) and filtered by ``theme``,
    ``keyword`` and ``access``, 20 a page."""
    site = page.get_site()
    audience = audience_for(request, site)
    published = DatasetPage.objects.published(within=page)
    errors = []
    themes_in_use, keywords_in_use = set(), set()
    for themes, keywords in published.values_list("themes", "keywords"):
        themes_in_use.update(themes)
        keywords_in_use.update(w.strip() for w in keywords.split(",") if w.strip())
    params = request.GET
    q = params.get("q", "").strip()[:200]
    theme = params.get("theme", "").strip()
    keyword = params.get("keyword", "").strip()[:100]
    access = params.get("access", "").strip()
    datasets = published
    for word in q.split():
        datasets = datasets.filter(
            Q(title__icontains=word) | Q(description__icontains=word) | Q(keywords__icontains=word)
        )
    if theme:
        if theme in DatasetTheme.values:
            datasets = datasets.filter(themes__contains=f"|{theme}|")
        else:
            errors.append(_("Unknown theme: « %(theme)s ».") % {"theme": theme})
            theme = ""
    if keyword:
        datasets = datasets.filter(keywords__iregex=rf"(^|,)\s*{re.escape(keyword)}\s*(,|$)")
    if access:
        if access in DatasetAccess.values:
            datasets = datasets.filter(access=access)
        else:
            errors.append(_("Unknown access: « %(access)s ».") % {"access": access})
            access = ""
    datasets = (
        datasets.order_by("title", "pk").select_related("table").prefetch_related("table__columns")
    )
    paginator = Paginator(datasets, INDEX_PAGE_SIZE)
    number = params.get("page", "1")
    try:
        datasets_page = paginator.page(number)
    except (EmptyPage, PageNotAnInteger):
        errors.append(
            _("There is no page « %(number)s »: the pages go from 1 to %(last)s.")
            % {"number": number[:20], "last": paginator.num_pages}
        )
        datasets_page = paginator.page(1)
    live_counts: dict = {}
    cards = [_card(dataset, audience, request, live_counts) for dataset in datasets_page]
    filters = [("q", q), ("theme", theme), ("keyword", keyword), ("access", access)]
    return {
        "audience": audience,
        "cards": cards,
        "datasets_page": datasets_page,
        "portal_query": {"q": q, "theme": theme, "keyword": keyword, "access": access},
        "has_filters": any(value for _name, value in filters),
        "filter_query": urlencode([(k, v) for k, v in filters if v]),
        "theme_choices": [(c, label) for c, label in DatasetTheme.choices if c in themes_in_use],
        "keyword_choices": sorted(keywords_in_use, key=str.lower),
        "access_choices": DatasetAccess.choices,
        "portal_errors": errors,
        "login_url": "" if audience.members else member_login_url(request.get_full_path()),
    }


# --- a dataset ------------------------------------------------------------------------------


def metadata_of(page) -> dict:
    return {
        "licence": page.get_licence_display(),
        "licence_url": page.licence_url,
        "publisher": page.publisher or getattr(page.get_site(), "site_name", ""),
        "frequency": page.get_frequency_display(),
        "themes": [str(DatasetTheme(c).label) for c in page.themes if c in DatasetTheme],
        "keywords": page.keyword_list(),
        "modified": page.last_published_at,
    }


def _record_label(table, record) -> str:
    for f in table.fields:
        if f.type == FieldType.TEXT and record.get(f.name):
            return str(record[f.name])
    return _("Record %(id)s") % {"id": record["_id"]}


def map_markers(page, table, where, request) -> tuple[list[MapMarker], int]:
    """Markers of the records matching ``where`` that have a point (at most
    :data:`MAX_MARKERS`), each linking to its record's page; and how many records have one."""
    geo = table.geo_field()
    base = page.get_url(request) or ""
    texts = [f for f in table.fields if f.type == FieldType.TEXT]
    markers, total = [], 0
    for record in table.iterate(where):
        point = record.get(geo.name)
        if not point:
            continue
        total += 1
        if len(markers) >= MAX_MARKERS:
            continue
        description = ""
        if len(texts) > 1 and record.get(texts[1].name):
            description = str(record[texts[1].name])
        markers.append(
            MapMarker(
                latitude=point["lat"],
                longitude=point["lon"],
                label=_record_label(table, record),
                url=f"{base}records/{record['_id']}/",
                description=description,
            )
        )
    return markers, total


class TableSlice:
    """The records matching a filter, for Django's ``Paginator`` (counted once, read by
    page)."""

    def __init__(self, table, where, order_by):
        self.table, self.where, self.order_by = table, where, order_by
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.table.count(self.where)
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, window):
        start = window.start or 0
        return self.table.records(
            Query(self.where, order_by=self.order_by, limit=window.stop - start, offset=start)
        )


def table_page(table, browse, number_text: str, errors: list):
    paginator = Paginator(TableSlice(table, browse.where, browse.order_by), PAGE_SIZE)
    try:
        return paginator.page(number_text or 1)
    except (EmptyPage, PageNotAnInteger):
        errors.append(
            _("There is no page « %(number)s »: the pages go from 1 to %(last)s.")
            % {"number": str(number_text)[:20], "last": paginator.num_pages}
        )
        return paginator.page(1)


def columns_of(table, browse) -> list[dict]:
    """The table's headers: label, the link that sorts by it, its ``aria-sort``."""
    columns = []
    for f in table.fields:
        column = {"field": f, "sortable": not f.is_geo, "aria_sort": ""}
        if f.name == browse.sort_field:
            column["aria_sort"] = "descending" if browse.sort_descending else "ascending"
            next_sort = f.name if browse.sort_descending else f"-{f.name}"
        else:
            next_sort = f.name
        column["sort_query"] = browse.query_string(sort=next_sort)
        columns.append(column)
    return columns


def rows_of(table, records) -> list[dict]:
    return [
        {"id": record["_id"], "cells": [(f, record.get(f.name)) for f in table.fields]}
        for record in records
    ]


def filter_controls(table, browse) -> list[dict]:
    """The filter form's inputs: a choice for the facet columns, a range for numbers and dates."""
    controls = []
    names = [f.name for f in table.facet_fields()]
    facets = table.facets(names=names) if names else {}
    for f in table.fields:
        if f.name in facets:
            controls.append(
                {
                    "field": f,
                    "kind": "choice",
                    "param": f"f.{f.name}",
                    "value": browse.value_of(f"f.{f.name}"),
                    "choices": [
                        (str(v).lower() if isinstance(v, bool) else str(v), n)
                        for v, n in facets[f.name]
                    ],
                }
            )
        elif f.type in (FieldType.INTEGER, FieldType.DECIMAL, FieldType.DATE):
            controls.append(
                {
                    "field": f,
                    "kind": "range",
                    "input_type": "date" if f.type == FieldType.DATE else "number",
                    "step": "any" if f.type == FieldType.DECIMAL else "1",
                    "min_param": f"f.{f.name}.min",
                    "max_param": f"f.{f.name}.max",
                    "min_value": browse.value_of(f"f.{f.name}.min"),
                    "max_value": browse.value_of(f"f.{f.name}.max"),
                }
            )
    return controls


def export_links(page, table, browse, request) -> list[dict]:
    base = page.get_url(request) or ""
    query = browse.query_string()
    links = []
    for fmt in formats_for(table):
        variants = [("", FORMAT_LABELS[fmt])]
        if fmt == "csv":
            variants = [
                ("", _("CSV (semicolons, for Excel in French)")),
                (",", _("CSV (commas)")),
            ]
        for delimiter, label in variants:
            extra = [("delimiter", delimiter)] if delimiter else []
            whole = f"{base}exports/{fmt}/" + (f"?{urlencode(extra)}" if extra else "")
            pairs = browse.params() + extra
            filtered = f"{base}exports/{fmt}/?{urlencode(pairs)}" if query else ""
            key = f"{fmt}-comma" if delimiter else fmt
            links.append({"key": key, "label": label, "whole": whole, "filtered": filtered})
    return links


def embed_snippet(page, request, kind: str, pairs) -> str:
    src = f"{page.get_full_url(request)}embed/{kind}/"
    pairs = [(k, v) for k, v in pairs if k not in ("view", "page")]
    if pairs:
        src += "?" + urlencode(pairs)
    title = {
        "table": _("Data: %(title)s"),
        "map": _("Map: %(title)s"),
        "chart": _("Chart: %(title)s"),
    }[kind] % {"title": page.title}
    height = 480 if kind != "chart" else 420
    return (
        f'<iframe src="{escape(src)}" title="{escape(title)}" width="100%" height="{height}" '
        'style="border:0" loading="lazy"></iframe>'
    )


def data_context(page, request, table, *, view: str = "table") -> dict:
    """What the table, map or chart of ``table`` shows for this request's parameters (the
    dataset page and its embeds)."""
    browse = parse_table_request(table, request.GET)
    errors = list(browse.errors)
    context = {"table": table, "browse": browse, "view": view, "errors": errors}
    if view == "map":
        if table.geo_field() is None:
            errors.append(_("This dataset has no map: its records have no coordinates."))
            view = context["view"] = "table"
        else:
            markers, located = map_markers(page, table, browse.where, request)
            context.update(
                markers=markers,
                map_data=[marker.as_json() for marker in markers],
                located=located,
                listed_places=markers[:MAX_LISTED_PLACES],
                tiles=tile_settings(),
                marker_hint=_("Press Enter to show its details."),
            )
    if view == "chart":
        xs, ys = chart_fields(table)
        chart_request = parse_chart_request(table, request.GET)
        errors.extend(chart_request.errors)
        if chart_request.x is None:
            errors.append(_("This dataset has no chart: it has no text or date column."))
            view = context["view"] = "table"
        else:
            context.update(
                chart_request=chart_request,
                chart=build_chart(table, browse.where, chart_request),
                chart_x_fields=xs,
                chart_y_fields=ys,
                chart_kinds=list(KINDS.items()),
                chart_aggregations=list(AGGREGATIONS.items()),
            )
    if view == "table":
        records = table_page(table, browse, request.GET.get("page", ""), errors)
        context.update(
            records_page=records,
            columns=columns_of(table, browse),
            rows=rows_of(table, records.object_list),
            record_base=page.get_url(request) or "",
        )
    context["count"] = table.count(browse.where) if view != "table" else records.paginator.count
    return context


def dataset_context(page, request) -> dict:
    """A dataset's page: its description and facts, and — for whoever may read it — its
    table (``view=table``), map (``view=map``) or chart (``view=chart``), the exports and the
    embed code."""
    audience = audience_for(request, page.get_site())
    if audience.members:
        private_response(request)  # members see what the page cache must never keep
    context = {"audience": audience, "meta": metadata_of(page), "errors": []}
    try:
        table = table_for(page, audience)
    except NotReadable:
        context.update(restricted=True, login_url=member_login_url(page.get_url(request) or "/"))
        return context
    except NoData:
        context["no_data"] = True
        return context
    view = request.GET.get("view", "") or "table"
    if view not in VIEWS:
        context["errors"].append(_("Unknown view: « %(view)s ».") % {"view": view[:20]})
        view = "table"
    context.update(data_context(page, request, table, view=view))
    browse = context["browse"]
    view = context["view"]
    context["total"] = table.count() if browse.has_filters else context["count"]
    pairs = browse.params()
    if view == "chart":
        pairs = [*pairs, *context["chart_request"].params()]
    context.update(
        views=[
            (name, label, urlencode([*browse.params(), ("view", name)]))
            for name, label in (
                ("table", _("Table")),
                ("map", _("Map")),
                ("chart", _("Chart")),
            )
            if name == "table"
            or (name == "map" and table.geo_field() is not None)
            or (name == "chart" and chart_fields(table)[0])
        ],
        controls=filter_controls(table, browse),
        exports=export_links(page, table, browse, request),
        embed_code=embed_snippet(page, request, view, pairs),
        members_columns=[f for f in table.fields if f.members_only],
    )
    return context
