"""The agenda on other websites: ``{agenda}events.json`` and ``{agenda}embed/``.

Both read the agenda's own filters (``from``, ``to``, ``when``, ``month``, ``past``, ``kind``,
``venue``, ``audience``, ``access``, ``free``, ``cinema``, ``region``, ``department``, ``page``,
and the registered sources' parameters such as ``film``) and list what the agenda lists: the
public dates of the agenda's events, on a network's agenda those of its sharing members too,
and what other plugins add (``events.sources``). Nothing private: no draft, no page with a view
restriction, no private detail of an event.

``GET {agenda}events.json`` answers, always this shape::

    {"agenda": {"title": "Agenda", "url": "https://reseau.example/agenda/"},
     "count": 42, "page": 1, "pages": 3,
     "next": "https://reseau.example/agenda/events.json?page=2", "previous": null,
     "items": [{"title": "Ciné-club", "url": "https://rex.example/agenda/cine-club/",
                "start": "2027-03-09T19:30:00+01:00", "end": "2027-03-09T21:30:00+01:00",
                "all_day": false, "time_zone": "Europe/Paris",
                "kind": "screening", "kind_label": "Projection", "summary": "…",
                "venue": "Le Rex", "venue_url": "https://rex.example/lieux/le-rex/",
                "organization": "Le Rex", "accessibility": ["audio_description"],
                "status": "", "moved": false, "source": "events"}, …]}

Times are ISO 8601 in the item's time zone with its offset; ``end`` is ``null`` when the item
has none; an all-day item (``"all_day": true``) gives dates instead, ``end`` its last day.
``status`` is ``""`` or the event's mark (``cancelled``, ``postponed``, ``full``…); ``url`` is
the item's canonical page on its own organization's site. Wrong input answers HTTP 400 with
``{"error": {"code": …, "message": …}}``, the message in the request's language; codes:
``invalid_filter`` (a date, month, department or organization that is not one),
``invalid_page``; any method but GET and HEAD answers 405 (``method_not_allowed``).

``GET {agenda}embed/`` is a page made to be framed by another site (``<iframe>``): its own small
template, no site header, no script, a plain list whose links open in a new tab; the only route
of the site that browsers let other sites frame (no ``X-Frame-Options``,
``Content-Security-Policy: frame-ancestors *``). One organization of a network:
``embed/?cinema=<its host name>`` on the network's agenda, or its own agenda's ``embed/``.
"""

from __future__ import annotations

import datetime as dt
import re

from django.http import JsonResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from organizations.models import OrganizationSettings
from public_cache.middleware import max_age

from .agenda import agenda_listing, agenda_scope, group_by_day

#: Items per page of ``events.json`` and of the embed.
JSON_PAGE_SIZE = 50
EMBED_PAGE_SIZE = 20
#: What a framed agenda allows: nothing runs, it may be framed by any site.
EMBED_CSP = (
    "default-src 'none'; img-src 'self' data: https: http:; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors *"
)


def json_error(code: str, message: str, status: int = 400) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": str(message)}}, status=status)
    patch_cache_control(response, no_store=True)
    return response


def requested_page(params) -> int | None:
    """The ``page`` asked for (1 when none), or ``None`` when it is not a page number."""
    text = params.get("page", "").strip()
    if not text:
        return 1
    # ``str.isdigit`` also takes « ² », which ``int`` refuses.
    if not re.fullmatch(r"[0-9]{1,9}", text) or int(text) < 1:
        return None
    return int(text)


def item_json(item) -> dict:
    if item.all_day:  # dates, the last one included
        start = item.local_start.date().isoformat()
        last = item.local_end - dt.timedelta(days=1) if item.local_end else item.local_start
        end = max(last.date(), item.local_start.date()).isoformat()
    else:
        start = item.local_start.isoformat()
        end = item.local_end.isoformat() if item.local_end else None
    return {
        "title": item.title,
        "url": item.url,
        "start": start,
        "end": end,
        "all_day": item.all_day,
        "time_zone": item.time_zone,
        "kind": item.kind,
        "kind_label": str(item.kind_label),
        "summary": item.summary,
        "venue": str(item.venue),
        "venue_url": item.venue_url or None,
        "organization": item.organization,
        "accessibility": [name for name, _icon, _label in item.accessibility],
        "status": item.status,
        "moved": item.moved,
        "source": item.source,
    }


def agenda_json_view(request, agenda):
    """``events.json``: the agenda's list as JSON (see the module docstring)."""
    if request.method not in ("GET", "HEAD"):
        response = json_error("method_not_allowed", _("Only GET is allowed here."), status=405)
        response["Allow"] = "GET, HEAD"
        return response
    scope = agenda_scope(agenda, request)
    if scope.query.errors:
        return json_error("invalid_filter", " ".join(str(e) for e in scope.query.errors))
    number = requested_page(request.GET)
    if number is None:
        return json_error("invalid_page", _("“page” is a page number: 1, 2, 3…"))
    listing = agenda_listing(scope, number, per_page=JSON_PAGE_SIZE)
    page = listing.page
    if page.number != number:
        return json_error(
            "invalid_page",
            _("There is no page %(number)s: the last page is %(pages)s.")
            % {"number": number, "pages": page.paginator.num_pages},
        )
    base = agenda.get_full_url(request) or ""
    url = f"{base}events.json"

    def page_url(n: int) -> str:
        return f"{url}?{urlencode(scope.query.params(page=str(n)))}"

    body = {
        "agenda": {"title": agenda.title, "url": base},
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "next": page_url(page.next_page_number()) if page.has_next() else None,
        "previous": page_url(page.previous_page_number()) if page.has_previous() else None,
        "items": [item_json(item) for item in listing.items],
    }
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False})
    # Public dates, read by other sites' scripts as well as by servers.
    response["Access-Control-Allow-Origin"] = "*"
    patch_cache_control(response, max_age=max_age())
    return response


def agenda_embed_view(request, agenda):
    """``embed/``: the agenda as a small page another site frames (see the module docstring)."""
    scope = agenda_scope(agenda, request)
    listing = agenda_listing(scope, request.GET.get("page"), per_page=EMBED_PAGE_SIZE)
    settings = OrganizationSettings.for_request(request)
    query = scope.query
    response = TemplateResponse(
        request,
        "events/embed.html",
        {
            "page": agenda,
            "agenda_url": agenda.get_full_url(request) or "",
            "agenda_query": query,
            "agenda_errors": query.errors,
            "days": group_by_day(listing.items),
            "occurrences": listing.page,
            "filter_query": urlencode(query.params()),
            "html_language": settings.html_language,
            "organization": settings,
        },
    )
    response.xframe_options_exempt = True  # Django's XFrameOptionsMiddleware leaves it out
    response["Content-Security-Policy"] = EMBED_CSP
    return response
