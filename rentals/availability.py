"""``GET {item page}availability.json?start=YYYY-MM-DD&end=YYYY-MM-DD``: how many units of a
public item are free each day, for calendars and other sites. Counts only, never who holds
a unit.

The answer, always this shape::

    {"start": "2027-03-12", "end": "2027-03-15", "units_total": 2, "units_free": 1,
     "days": [{"date": "2027-03-12", "units_free": 2}, …]}

``units_free`` is what stays free for the whole window. Without parameters the window is the
next :data:`DEFAULT_DAYS` days from today in the organization's time zone; ``start`` alone
gives the same length from ``start``, ``end`` alone starts today. A window of at most 366 days.

Wrong input answers HTTP 400 with ``{"error": {"code": …, "message": …}}``, the message in the
request's language; codes: ``invalid_date``, ``window_order``, ``window_too_long``. Drafts,
items with a view restriction (at or above them) and other pages answer 404.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from wagtail.models import Site

from organizations.models import OrganizationSettings
from public_cache.middleware import max_age

from .models import EquipmentPage
from .services import availability

#: Days answered when the request names none.
DEFAULT_DAYS = 30
#: The years a date may name (a date outside is refused as not a date).
FIRST_YEAR, LAST_YEAR = 2000, 2100


def json_error(code: str, message: str, status: int = 400) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": str(message)}}, status=status)
    patch_cache_control(response, no_store=True)
    return response


def is_public(page) -> bool:
    """Live and without a view restriction at or above it: what the catalogue lists."""
    return page.live and not page.get_view_restrictions().exists()


def hide_restricted_availability(page, request, serve_args, serve_kwargs):
    """``before_serve_page``: an item with a view restriction has no public availability.
    Wagtail would answer its ``availability.json`` with a login form or a redirect (it checks
    restrictions before the route runs), telling that the item exists; it is not found."""
    match = getattr(request, "routable_resolver_match", None)
    if (
        isinstance(page, EquipmentPage)
        and match is not None
        and match.url_name == "availability"
        and page.get_view_restrictions().exists()
    ):
        raise Http404


def parse_date(text: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR or len(text) != 10:
        raise ValidationError(
            _("“%(value)s” is not a date: write it as YYYY-MM-DD, for example 2027-03-12.")
            % {"value": text[:40]},
            code="invalid_date",
        )
    return day


def requested_window(params, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days asked for (``start``, ``end``), or the default window; ``ValidationError``
    when a parameter is not a date."""
    start_text = params.get("start", "").strip()
    end_text = params.get("end", "").strip()
    start = parse_date(start_text) if start_text else None
    end = parse_date(end_text) if end_text else None
    if start is None:
        start = today if end is None or end >= today else end
    if end is None:
        end = start + dt.timedelta(days=DEFAULT_DAYS - 1)
    return start, end


def availability_json_view(request, page: EquipmentPage):
    """The item's free units by day for the window asked for (see the module docstring)."""
    if request.method not in ("GET", "HEAD"):
        response = json_error("method_not_allowed", _("Only GET is allowed here."), status=405)
        response["Allow"] = "GET, HEAD"
        return response
    if not is_public(page):
        raise Http404
    site = Site.find_for_request(request) or page.get_site()
    zone = ZoneInfo(OrganizationSettings.for_request(request).time_zone or "UTC")
    today = timezone.now().astimezone(zone).date()
    try:
        start, end = requested_window(request.GET, today)
        result = availability(page, start, end, site=site)
    except ValidationError as error:
        return json_error(error.code or "invalid", error.messages[0])
    response = JsonResponse(result.as_json())
    # Free units change with every booking: kept a short while by browsers and proxies (the
    # site's own cache forgets it as soon as a booking changes what is free).
    patch_cache_control(response, max_age=max_age())
    return response
