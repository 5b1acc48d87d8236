"""The routes of a dataset's page (``DatasetPage``): the page itself, a record's page
(``records/<id>/``), the exports (``exports/<format>/``) and the embeds (``embed/table/``,
``embed/map/``, ``embed/chart/``).

Exports follow the page's filters (``opendata.browse``): without parameters, the whole dataset;
``delimiter=,`` gives a CSV with commas. They are never cached (each is the reader's: a member's
export carries members-only columns). Embeds are small pages without the site's header, the only
pages of a dataset other sites may frame; the map embed runs the site's own scripts only.
A members-only dataset gives the public none of these: its page shows a notice, the other routes
answer 403 with the same notice.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _

from organizations.models import OrganizationSettings
from public_cache.middleware import private_response

from .access import audience_for
from .browse import parse_table_request
from .exports import export_response
from .portal import data_context, member_login_url, metadata_of
from .query import QueryError
from .tables import NoData, NotReadable, table_for

#: What a framed table or chart allows: nothing runs.
EMBED_CSP = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors *"
)
#: The framed map runs the site's own scripts (Leaflet, the map) and loads the tiles.
EMBED_MAP_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https: http:; base-uri 'none'; form-action 'self'; frame-ancestors *"
)
EMBED_KINDS = ("table", "map", "chart")


def dataset_page_view(request, page):
    """The dataset's page; 400 when the address asks for something that cannot be (the page
    still shows, with the message)."""
    request.is_preview = getattr(request, "is_preview", False)
    context = page.get_context(request)
    response = TemplateResponse(request, page.get_template(request), context)
    if context.get("errors"):
        response.status_code = 400
    return response


def _reader_table(request, page):
    audience = audience_for(request, page.get_site())
    if audience.members:
        private_response(request)
    return audience, table_for(page, audience)


def _restricted(request, page, template="opendata/restricted.html", status=403):
    return TemplateResponse(
        request,
        template,
        {
            "page": page,
            "self": page,
            "login_url": member_login_url(page.get_url(request) or "/"),
        },
        status=status,
    )


def record_view(request, page, record_id: str):
    """One record: each column the reader may read, with its label."""
    try:
        _audience, table = _reader_table(request, page)
    except NotReadable:
        return _restricted(request, page)
    except NoData as error:
        raise Http404(_("No data yet.")) from error
    record = table.record(record_id)
    if record is None:
        raise Http404(_("No such record."))
    return TemplateResponse(
        request,
        "opendata/record_page.html",
        {
            "page": page,
            "self": page,
            "record": record,
            "record_id": record_id,
            "cells": [(f, record.get(f.name)) for f in table.fields],
            "meta": metadata_of(page),
        },
    )


def export_view(request, page, fmt: str):
    """The export of the dataset (its current filter, from the address) as ``fmt``."""
    try:
        _audience, table = _reader_table(request, page)
    except NotReadable:
        response = _restricted(request, page)
    except NoData as error:
        raise Http404(_("No data yet.")) from error
    else:
        response = _export(request, page, table, fmt)
    add_never_cache_headers(response)
    return response


def _export(request, page, table, fmt):
    browse = parse_table_request(table, request.GET)
    delimiter = request.GET.get("delimiter", ";")
    delimiter = {"comma": ",", "semicolon": ";"}.get(delimiter, delimiter)
    errors = list(browse.errors)
    if delimiter not in (";", ","):
        errors.append(_("The CSV delimiter is « ; » or « , »."))
    if not errors:
        try:
            return export_response(
                table,
                fmt,
                where=browse.where,
                order_by=browse.order_by,
                filename=slugify(page.identifier) or "dataset",
                delimiter=delimiter,
            )
        except QueryError as error:
            errors.append(error.message)
    return HttpResponse(
        "\n".join(str(e) for e in errors) + "\n",
        status=400,
        content_type="text/plain; charset=utf-8",
    )


def embed_view(request, page, kind: str):
    """A table, map or chart of the dataset (its filter from the address) made to be framed."""
    if kind not in EMBED_KINDS:
        raise Http404(kind)
    settings = OrganizationSettings.for_request(request)
    base = {
        "page": page,
        "self": page,
        "organization": settings,
        "html_language": settings.html_language,
        "page_url": page.get_full_url(request) or "",
        "kind": kind,
    }
    try:
        _audience, table = _reader_table(request, page)
    except NotReadable:
        response = TemplateResponse(
            request,
            "opendata/embed.html",
            {**base, "restricted": True, "login_url": member_login_url(page.url or "/")},
            status=403,
        )
    except NoData:
        response = TemplateResponse(request, "opendata/embed.html", {**base, "no_data": True})
    else:
        context = data_context(page, request, table, view=kind)
        context.update(base)
        context["kind"] = context["view"]
        response = TemplateResponse(
            request,
            "opendata/embed.html",
            context,
            status=400 if context["errors"] else 200,
        )
    response.xframe_options_exempt = True  # Django's XFrameOptionsMiddleware leaves it out
    response["Content-Security-Policy"] = EMBED_MAP_CSP if kind == "map" else EMBED_CSP
    return response
