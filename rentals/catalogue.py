"""What the public catalogue shows: the items of the catalogue by category, those free for the
dates a visitor asks for, and each item's page (rates, what comes with it, a month of free and
taken days, and the way to request it).

Only what the public may see is read: live items without view restriction below the catalogue,
their public fields, and counts of free units, never who holds them. Everything costs the same
number of queries whatever the number of items and bookings: "free from … to …" has the
database count each item's free units in the query that lists the items, with one index probe
per unit (:func:`with_free_units`), and the page's photos and renditions are fetched in bulk.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode as urlencode_pairs
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import formats, timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from wagtail.images import get_image_model
from wagtail.models import Site

from organizations.models import OrganizationGroup, OrganizationSettings
from organizations.money import format_money
from organizations.registry import OrganizationRole
from organizations.sorting import collate, collation_key
from public_cache.middleware import private_response

from .member import current_member
from .models import (
    BookingLine,
    EquipmentCategory,
    EquipmentIndexPage,
    EquipmentPage,
    EquipmentPhoto,
    EquipmentUnit,
    KitComponent,
    RateColumn,
    UnitStatus,
)
from .services import (
    Availability,
    availability,
    check_window,
    closed_days,
    date_range,
    day_ranges,
    local_midnight,
)

#: Items listed per page of the catalogue.
PAGE_SIZE = 24
#: The photo of an item in the catalogue's list, prefetched with its rendition.
LIST_RENDITION = "fill-480x320"
#: Photos on an item's page.
PHOTO_RENDITION = "max-1200x800"
#: Where members log in (the member space's login view).
MEMBER_LOGIN_PATH = "/espace-membre/connexion/"
#: The months an item's page shows: far enough for any plan, bounded against made-up URLs.
FIRST_YEAR, LAST_YEAR = 2000, 2100

#: Photos and kit items as the editor ordered them (rows saved without a position first, on
#: every database).
IN_ORDER = (F("sort_order").asc(nulls_first=True), "pk")

#: Stands for "no booking ahead" when comparing when a unit's next booking starts.
NEVER = dt.datetime(9999, 1, 1, tzinfo=dt.UTC)

#: The order categories are listed in (their order in ``EquipmentCategory``).
CATEGORY_ORDER = {value: index for index, value in enumerate(EquipmentCategory.values)}


# --- What every view needs ---------------------------------------------------------------


def site_of(page, request) -> Site:
    site = Site.find_for_request(request) if request is not None else None
    return site or page.get_site()


def organization_settings(request, site) -> OrganizationSettings:
    """The organization's settings, read once per request."""
    if request is not None and getattr(request, "_wagtail_site", None) == site:
        return OrganizationSettings.for_request(request)
    return OrganizationSettings.for_site(site)


def local_today(zone: ZoneInfo) -> dt.date:
    return timezone.now().astimezone(zone).date()


def parse_day(text: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def day_label(day: dt.date) -> str:
    """« mardi 9 mars 2027 »: the weekday and the language's own date format."""
    return _("%(weekday)s %(date)s") % {
        "weekday": WEEKDAYS[day.weekday()],
        "date": formats.date_format(day, "DATE_FORMAT"),
    }


# --- Free units for a window, for many items at once ---------------------------------------


def with_free_units(pages, start: dt.date, end: dt.date, zone: ZoneInfo):
    """``pages`` (a queryset of items) annotated with ``free_units``: how many of each item's
    bookable units nothing holds from ``start`` to ``end`` (days of ``zone``), the buffer after
    a return included.

    The database counts them in the same query, with one index probe per unit
    (``rentals_line_by_unit_time``): it keeps the active lines of a unit from overlapping
    (``rentals.constraints``), so a unit's lines ordered by the end of what they hold are also
    ordered by their start, and the first one that ends after the window starts is the only one
    that can tell whether the unit is held during the window."""
    window_start = local_midnight(start, zone)
    window_end = local_midnight(end + dt.timedelta(days=1), zone)
    first_line = (
        BookingLine.objects.filter(unit=OuterRef("pk"), active=True, blocked_until__gt=window_start)
        .order_by("blocked_until")
        .values("starts_at")[:1]
    )
    free = (
        EquipmentUnit.objects.filter(
            status=UnitStatus.AVAILABLE, equipment__translation_key=OuterRef("translation_key")
        )
        # No line ahead: free for ever after (a date beyond any window stands for it).
        .annotate(next_start=Coalesce(Subquery(first_line), Value(NEVER)))
        .filter(next_start__gte=window_end)
        .order_by()
        .values("equipment__translation_key")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return pages.annotate(free_units=Coalesce(Subquery(free), Value(0)))


def free_items(pages, start: dt.date, end: dt.date, zone: ZoneInfo) -> list[tuple]:
    """``(pk, category, title)`` of the items of ``pages`` (a queryset) with at least one unit
    free for the whole window; a kit when each of its items has enough free units for one whole
    kit. Three queries at most, whatever the numbers of items and bookings. (The desk's
    closures are the caller's to check: nothing is free on a day it is closed.)"""
    rows = list(
        with_free_units(pages.order_by(), start, end, zone).values_list(
            "pk", "category", "title", "free_units"
        )
    )
    kits = [pk for pk, category, _title, _free in rows if category == EquipmentCategory.KIT]
    components = defaultdict(list)
    for kit_id, item_id, quantity in KitComponent.objects.filter(kit_id__in=kits).values_list(
        "kit_id", "item_id", "quantity"
    ):
        components[kit_id].append((item_id, quantity))
    parts_free = {}
    if components:
        items = {item_id for parts in components.values() for item_id, _quantity in parts}
        parts_free = dict(
            with_free_units(EquipmentPage.objects.filter(pk__in=items), start, end, zone)
            .order_by()
            .values_list("pk", "free_units")
        )
    free = []
    for pk, category, title, count in rows:
        if category == EquipmentCategory.KIT:
            parts = components.get(pk)
            if parts and all(parts_free.get(item, 0) >= qty for item, qty in parts):
                free.append((pk, category, title))
        elif count > 0:
            free.append((pk, category, title))
    return free


# --- The catalogue ---------------------------------------------------------------------------


@dataclass
class CatalogueQuery:
    """What the visitor asked for through the query string, checked."""

    category: str = ""
    start: dt.date | None = None
    end: dt.date | None = None
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_request(cls, params) -> CatalogueQuery:
        query = cls()
        category = params.get("category", "")
        query.category = category if category in EquipmentCategory.values else ""
        for name, attribute in (("from", "start"), ("to", "end")):
            text = params.get(name, "").strip()[:40]
            if not text:
                continue
            value = parse_day(text)
            if value is None:
                query.errors.append(
                    _("“%(value)s” is not a date: write it as 2027-03-09.") % {"value": text}
                )
            setattr(query, attribute, value)
        if query.errors:
            query.start = query.end = None
            return query
        # One day given: that day alone.
        query.start = query.start or query.end
        query.end = query.end or query.start
        if query.start:
            try:
                check_window(query.start, query.end)
            except ValidationError as error:
                query.errors.append(
                    error.messages[0] + " " + _("The dates are ignored: all items are listed.")
                )
                query.start = query.end = None
        return query

    @property
    def has_window(self) -> bool:
        return self.start is not None

    def has_filters(self) -> bool:
        return bool(self.category or self.start)

    def params(self, **changes) -> dict:
        """The query string of this view (the filters kept), with ``changes``."""
        values = {
            "category": self.category,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
        }
        values.update(changes)
        return {key: value for key, value in values.items() if value}


def photos_prefetch(*filter_specs: str) -> Prefetch:
    """Each item's photos in their order, with their images and the renditions shown."""
    images = get_image_model().objects.prefetch_renditions(*filter_specs)
    return Prefetch(
        "photos",
        queryset=EquipmentPhoto.objects.order_by(*IN_ORDER).prefetch_related(
            Prefetch("image", queryset=images)
        ),
    )


def category_order():
    """Categories in the order of ``EquipmentCategory``, in SQL."""
    return Case(
        *(When(category=value, then=Value(index)) for value, index in CATEGORY_ORDER.items()),
        default=Value(len(CATEGORY_ORDER)),
        output_field=IntegerField(),
    )


def rate_labels(page: EquipmentPage, currency: str) -> dict:
    """The daily rates a card shows: non-members' and, when they have their own, members'."""
    return {
        "daily": format_money(page.daily_rate, currency),
        "member_daily": format_money(page.member_daily_rate, currency),
    }


def group_by_category(items: list) -> list[dict]:
    groups: list[dict] = []
    for item in items:
        if not groups or groups[-1]["category"] != item.category:
            groups.append(
                {
                    "category": item.category,
                    "label": item.get_category_display(),
                    "items": [],
                }
            )
        groups[-1]["items"].append(item)
    return groups


def catalogue_context(page: EquipmentIndexPage, request) -> dict:
    """The catalogue's context: the page of items asked for (by category, free for dates),
    grouped by category, the filter form and its messages."""
    site = site_of(page, request)
    settings = organization_settings(request, site)
    zone = ZoneInfo(settings.time_zone or "UTC")
    params = request.GET if request is not None else {}
    query = CatalogueQuery.from_request(params)

    published = EquipmentPage.objects.published(within=page)
    present = set(published.order_by().values_list("category", flat=True).distinct())
    listed = published.filter(category=query.category) if query.category else published
    ordering = (category_order(), collate("title").asc(), "pk")
    closed: list[dt.date] = []
    if query.has_window:
        # Sorted here rather than by the database: only the free ones need it.
        # As the booking rules: nothing is picked up or returned on a closed day; a closed day
        # inside the window does not stop a loan across it (``services.check_closures``).
        ends = {query.start, query.end}
        closed = sorted(ends & closed_days(site, query.start, query.end))
        free = free_items(listed, query.start, query.end, zone) if not closed else []
        free.sort(
            key=lambda row: (
                CATEGORY_ORDER.get(row[1], len(CATEGORY_ORDER)),
                collation_key(row[2]),
                row[0],
            )
        )
        paginator = Paginator([pk for pk, _category, _title in free], PAGE_SIZE)
        page_obj = paginator.get_page(params.get("page"))
        shown = {
            item.pk: item
            for item in EquipmentPage.objects.filter(
                pk__in=list(page_obj.object_list)
            ).prefetch_related(photos_prefetch(LIST_RENDITION))
        }
        page_obj.object_list = [shown[pk] for pk in page_obj.object_list if pk in shown]
    else:
        listed = listed.prefetch_related(photos_prefetch(LIST_RENDITION)).order_by(*ordering)
        page_obj = Paginator(listed, PAGE_SIZE).get_page(params.get("page"))
    items = list(page_obj.object_list)
    month = query.start.strftime("%Y-%m") if query.has_window else ""
    for item in items:
        item.rate_labels = rate_labels(item, settings.currency)
        item.first_photo = next(iter(item.photos.all()), None)
        item.link_query = urlencode({"month": month}) if month else ""
    categories = [
        (value, label)
        for value, label in EquipmentCategory.choices
        if value in present or value == query.category
    ]
    return {
        "catalogue_query": query,
        "items": page_obj,
        "groups": group_by_category(items),
        "category_choices": categories,
        "category_label": dict(EquipmentCategory.choices).get(query.category, ""),
        "filter_query": urlencode(query.params()),
        "catalogue_errors": query.errors,
        "closed_days": closed_days_label(closed),
        "window_label": window_label(query),
    }


def closed_days_label(days: list[dt.date]) -> str:
    """« 5 avril 2027, du 7 avril 2027 au 9 avril 2027 »: the days the desk is closed."""
    parts = []
    for first, last in day_ranges(days):
        first_label = formats.date_format(first, "DATE_FORMAT")
        if first == last:
            parts.append(first_label)
        else:
            last_label = formats.date_format(last, "DATE_FORMAT")
            parts.append(
                pgettext("closed days", "from %(first)s to %(last)s")
                % {"first": first_label, "last": last_label}
            )
    return ", ".join(parts)


def window_label(query: CatalogueQuery) -> str:
    """« le 9 mars 2027 » or « du 9 mars 2027 au 12 mars 2027 »."""
    if not query.has_window:
        return ""
    start = formats.date_format(query.start, "DATE_FORMAT")
    if query.start == query.end:
        return _("on %(date)s") % {"date": start}
    end = formats.date_format(query.end, "DATE_FORMAT")
    return _("from %(start)s to %(end)s") % {"start": start, "end": end}


# --- An item's page --------------------------------------------------------------------------

#: The rows of the rates table.
RATE_PERIODS = (
    ("daily", gettext_lazy("Per day")),
    ("weekend", gettext_lazy("Weekend")),
    ("weekly", gettext_lazy("Per week")),
)


def rates_table(page: EquipmentPage, currency: str) -> dict:
    """Non-members', members' and commercial productions' rates per day, weekend and week,
    formatted in the organization's currency. A column without a daily rate of its own pays
    the non-members' rates (``EquipmentPage.rates``): it shows them."""
    columns = [(column.value, column.label) for column in RateColumn]
    values = {column: page.rates(column) for column, _label in columns}
    rows = []
    for period, label in RATE_PERIODS:
        cells = [format_money(values[column][period], currency) for column, _label in columns]
        if any(cells):
            rows.append({"label": label, "cells": cells})
    return {
        "columns": [label for _column, label in columns],
        "rows": rows,
        "deposit": format_money(page.deposit, currency),
    }


def parse_month(text: str) -> dt.date | None:
    try:
        year, month = (int(part) for part in text.split("-"))
        first = dt.date(year, month, 1)
    except ValueError:
        return None
    return first if FIRST_YEAR <= year <= LAST_YEAR and len(text) == 7 else None


def day_status(free: int, total: int, closed: bool) -> tuple[str, str]:
    """``(state, words)`` of a day of the month view: the words tell it, the state only adds a
    colour."""
    if closed:
        return "closed", pgettext("day of the month view", "Closed")
    if free <= 0:
        return "taken", pgettext("day of the month view", "Taken")
    if free >= total:
        return "free", pgettext("day of the month view", "Free")
    return "partial", ngettext(
        "%(count)s of %(total)s free", "%(count)s of %(total)s free", free
    ) % {"count": free, "total": total}


def month_view(page: EquipmentPage, month: dt.date, today: dt.date, site) -> dict:
    """A month as weeks of days, each saying whether the item is free, partly free, taken or
    the desk closed (words, not only colours), with links to the months before and after."""
    last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
    if page.pk is None:  # the editor's preview of an item not saved yet: no unit, no booking
        result = Availability(month, last, 0, 0, [(day, 0) for day in date_range(month, last)])
    else:
        result = availability(page, month, last, site=site)
    closed = closed_days(site, month, last)
    free_by_day = dict(result.days)
    first_weekday = int(formats.get_format("FIRST_DAY_OF_WEEK"))  # 0 = Sunday
    weeks = calendar.Calendar((first_weekday - 1) % 7).monthdatescalendar(month.year, month.month)
    order = [(first_weekday - 1 + n) % 7 for n in range(7)]
    previous_month = (month - dt.timedelta(days=1)).replace(day=1)
    next_month = last + dt.timedelta(days=1)

    def link(target: dt.date) -> str:
        if not FIRST_YEAR <= target.year <= LAST_YEAR:
            return ""
        return "?" + urlencode({"month": target.strftime("%Y-%m")}) + "#availability"

    rows = []
    counts = {"free": 0, "partial": 0, "taken": 0, "closed": 0}
    for week in weeks:
        row = []
        for day in week:
            cell = {"date": day, "in_month": day.month == month.month}
            if cell["in_month"]:
                state, words = day_status(free_by_day[day], result.units_total, day in closed)
                counts[state] += 1
                cell.update(
                    state=state,
                    words=words,
                    label=day_label(day),
                    today=day == today,
                    past=day < today,
                )
            row.append(cell)
        rows.append(row)
    return {
        "first": month,
        "units_total": result.units_total,
        "weekdays": [{"name": WEEKDAYS[n], "abbr": WEEKDAYS_ABBR[n]} for n in order],
        "weeks": rows,
        "counts": counts,
        "previous": previous_month,
        "next": next_month,
        "previous_url": link(previous_month),
        "next_url": link(next_month),
        "this_month_url": link(today.replace(day=1)) if month != today.replace(day=1) else "",
    }


def is_member(user, site) -> bool:
    """Whether ``user`` is in the organization's members group (one query, logged-in only)."""
    if user is None or not user.is_authenticated:
        return False
    return OrganizationGroup.objects.filter(
        site=site, role=OrganizationRole.MEMBERS, group__user=user
    ).exists()


def request_context(page: EquipmentPage, request, site) -> dict:
    """Who may request the item online: members of the organization, when the item allows it.
    What a member sees depends on them: such a page is never cached for others."""
    page_url = page.get_url(request) or page.url or "/"
    user = getattr(request, "user", None)
    member = current_member(request, site) is not None if is_member(user, site) else False
    if user is not None and user.is_authenticated:
        private_response(request)
    return {
        "visitor_is_member": member,
        "visitor_logged_in": bool(user is not None and user.is_authenticated),
        "can_request": member and page.online_requests,
        "reserve_url": page_url + page.reverse_subpage("reserve"),
        "login_url": MEMBER_LOGIN_PATH + "?" + urlencode_pairs({"next": page_url}),
    }


def public_kit_items(page: EquipmentPage, catalogue, request) -> list[dict]:
    """What a kit is made of: each item's name and quantity; a link to the items the public
    may see."""
    if not page.is_kit:
        return []
    components = page.kit_components.all()
    if isinstance(components, QuerySet):
        components = components.select_related("item").order_by(*IN_ORDER)
    components = list(components)
    public = set(
        EquipmentPage.objects.published(within=catalogue)
        .filter(pk__in=[component.item_id for component in components])
        .values_list("pk", flat=True)
    )
    return [
        {
            "title": component.item.title,
            "quantity": component.quantity,
            "url": component.item.get_url(request) if component.item_id in public else "",
        }
        for component in components
    ]


def page_photos(page: EquipmentPage, *filter_specs: str) -> list:
    """The page's photos in their order, their images and renditions fetched in bulk (a
    preview's photos, still in memory, as they are)."""
    photos = page.photos.all()
    if isinstance(photos, QuerySet):
        images = get_image_model().objects.prefetch_renditions(*filter_specs)
        photos = photos.order_by(*IN_ORDER).prefetch_related(Prefetch("image", queryset=images))
    return list(photos)


def equipment_page_context(page: EquipmentPage, request) -> dict:
    """An item's page: its rates in the organization's currency, what is included, the
    training it needs, its photos, the catalogue's conditions, a month of free and taken days
    (``?month=YYYY-MM``), and the request button for members."""
    site = site_of(page, request)
    settings = organization_settings(request, site)
    zone = ZoneInfo(settings.time_zone or "UTC")
    today = local_today(zone)
    params = request.GET if request is not None else {}
    errors = []
    month = today.replace(day=1)
    text = params.get("month", "").strip()[:40]
    if text:
        asked = parse_month(text)
        if asked is None:
            errors.append(
                _("“%(value)s” is not a month: write it as 2027-03. Here is this month.")
                % {"value": text}
            )
        else:
            month = asked
    catalogue = EquipmentIndexPage.objects.ancestor_of(page).first()
    photos = page_photos(page, PHOTO_RENDITION)
    return {
        "rates_table": rates_table(page, settings.currency),
        "included_items": page.included_items(),
        "required_training": page.required_training,
        "equipment_photos": photos,
        "catalogue": catalogue,
        "kit_items": public_kit_items(page, catalogue, request) if catalogue else [],
        "month_errors": errors,
        "month_view": month_view(page, month, today, site),
        "availability_url": (page.get_url(request) or "") + page.reverse_subpage("availability"),
        **request_context(page, request, site),
    }
