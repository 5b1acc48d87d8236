"""Rentals in the member space: the member's bookings, one booking's page, and the request of
an item for dates (``{equipment page}reserve/``).

``reserve/`` answers (the page's ``reserve`` route):

- ``GET``: to a member of the organization, the request form with their rates (the rate column
  of their live membership) and, once dates are given (``?start=…&end=…``), the price and how
  many units are free; to anyone else (anonymous visitors, another organization's members,
  staff without a member account here), a short page saying that members log in to request it.
- ``POST`` ``start``, ``end`` (ISO dates, or date-times in the organization's time zone; a date
  means the desk's usual hour) and ``quantity`` (1 by default), with Django's CSRF token, from a
  member of this organization (``403`` otherwise), at most ``RENTALS_REQUESTS_PER_HOUR``
  requests an hour per member (``429`` past it):

  - ``303`` to the member's new booking (status *requested*; the desk is e-mailed);
  - ``409`` when units are taken for some of the dates: the message names the dates, never
    who holds them;
  - ``400`` for anything else that cannot be requested (dates not understood or in the wrong
    order, closed day, missing training, item not requestable online).

  The answer is the form page with the message, or JSON when the client sends
  ``Accept: application/json``: ``{"error": "conflict", "message": …, "days": ["YYYY-MM-DD",
  …]}`` (409), ``{"error": "invalid", "message": …, "fields": {"start": [...]}}`` (400),
  ``{"error": "forbidden" | "rate_limited", "message": …}`` (403, 429); a success is the same
  303 with ``{"booking": "00042", "status": "requested", "url": …}``.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_blocks.member_space import member_account
from crm_blocks.models import Membership
from organizations.models import OrganizationSettings
from organizations.money import format_money
from public_cache.middleware import private_response

from .booking_summary import booking_url, line_rows, summaries
from .models import Booking, BookingStatus, RateColumn
from .notifications import request_received
from .services import (
    BookingConflict,
    Period,
    availability,
    change_status,
    organization_zone,
    parse_when,
    price_for,
    rate_column_for,
    rental_settings,
    request_booking,
)

DEFAULT_REQUESTS_PER_HOUR = 10
#: The member's latest bookings shown in their space.
BOOKINGS_SHOWN = 50


def requests_per_hour() -> int:
    return getattr(settings, "RENTALS_REQUESTS_PER_HOUR", DEFAULT_REQUESTS_PER_HOUR)


def _rate_key(user) -> str:
    return f"rentals:requests:{user.pk}"


def rate_limited(user) -> bool:
    return cache.get(_rate_key(user), 0) >= requests_per_hour()


def count_request(user) -> None:
    key = _rate_key(user)
    if not cache.add(key, 1, timeout=3600):
        try:
            cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.add(key, 1, timeout=3600)


class RequestForm(forms.Form):
    """The dates and the quantity of a request. Dates are read in the organization's time zone
    by the booking rules (``Period``); a date alone means the desk's usual hour."""

    start = forms.CharField(
        label=gettext_lazy("Pick-up date"),
        max_length=40,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.CharField(
        label=gettext_lazy("Return date"),
        max_length=40,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    quantity = forms.IntegerField(
        label=gettext_lazy("Quantity"), min_value=1, max_value=99, required=False, initial=1
    )

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.site = site

    def clean_start(self):
        return parse_when(self.cleaned_data["start"])

    def clean_end(self):
        return parse_when(self.cleaned_data["end"])

    def clean_quantity(self):
        return self.cleaned_data.get("quantity") or 1

    def clean(self):
        data = super().clean()
        if "start" in data and "end" in data:
            try:
                data["period"] = Period.from_values(self.site, data["start"], data["end"])
            except ValidationError as error:
                raise ValidationError(error.messages) from None
        return data

    def first_message(self) -> str:
        for errors in (self.non_field_errors(), *(self[name].errors for name in self.fields)):
            if errors:
                return str(errors[0])
        return ""


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _rates(page, column: str, currency: str) -> list[tuple[str, str]]:
    labels = {"daily": _("Per day"), "weekend": _("Weekend"), "weekly": _("Per week")}
    return [
        (labels[period], format_money(amount, currency))
        for period, amount in page.rates(column).items()
        if amount is not None
    ]


def current_member(request, site):
    """The visitor's member account in ``site`` if their membership is current today (the
    request button and the request itself follow the membership, not only the login)."""
    account = member_account(request)
    if account is None or account.site_id != site.pk:
        return None
    current = Membership.objects.filter(contact=account.contact).current(today=_local_today(site))
    return account if current.exists() else None


def _local_today(site) -> dt.date:
    return timezone.now().astimezone(organization_zone(site)).date()


def _estimate(page, contact, period: Period, quantity: int, site, currency: str) -> dict:
    """What the member would pay and whether the units are free, before sending."""
    zone = organization_zone(site)
    column = rate_column_for(contact, period.pickup_at.date())
    price = price_for(page, column, period, currency)
    free = availability(
        page,
        period.pickup_at.astimezone(zone).date(),
        period.return_at.astimezone(zone).date(),
        site=site,
    ).units_free
    return {
        "period": period,
        "price": format_money(price.amount * quantity, currency),
        "detail": price.detail if quantity == 1 else f"{quantity} × {price.detail}",
        "deposit": format_money(page.deposit * quantity, currency) if page.deposit else "",
        "units_free": free,
        "enough": free >= quantity,
        "quantity": quantity,
    }


def _context(request, page, account, site, form=None, message="", conflict_days=()):
    organization = OrganizationSettings.for_site(site)
    context = {
        "item": page,
        "account": account,
        "catalogue": page.get_parent(),
        "time_zone": organization.time_zone,
        "desk": rental_settings(site),
        "login_url": f"{reverse('member_login')}?next={request.path}",
        "message": message,
        "conflict_days": conflict_days,
    }
    if account is None:
        return context
    currency = organization.currency
    today = _local_today(site)
    column = rate_column_for(account.contact, today)
    form = form or RequestForm(
        request.GET if "start" in request.GET else None,
        site=site,
        initial={"quantity": 1},
    )
    estimate = None
    if request.method == "GET" and form.is_bound and form.is_valid():
        try:
            estimate = _estimate(
                page,
                account.contact,
                form.cleaned_data["period"],
                form.cleaned_data["quantity"],
                site,
                currency,
            )
        except ValidationError as error:
            context["message"] = error.messages[0]
    context.update(
        form=form,
        column_label=RateColumn(column).label,
        is_member_rate=column == RateColumn.MEMBER,
        rates=_rates(page, column, currency),
        deposit=format_money(page.deposit, currency) if page.deposit else "",
        estimate=estimate,
        today=today.isoformat(),
    )
    return context


def _answer(request, page, account, site, *, status, message, form=None, days=(), code=""):
    if wants_json(request):
        body = {"error": code, "message": message}
        if status == 409:
            body["days"] = [day.isoformat() for day in days]
        if form is not None and form.errors:
            body["fields"] = {name: list(errors) for name, errors in form.errors.items()}
        return JsonResponse(body, status=status)
    template = "rentals/member/reserve.html" if account else "rentals/member/members_only.html"
    context = _context(request, page, account, site, form=form, message=message)
    context["conflict_days"] = days
    return TemplateResponse(request, template, context, status=status)


def reserve_view(request, page):
    """The request form of ``page`` (GET) and the request itself (POST): see the module."""
    private_response(request)
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    site = page.get_site()
    account = member_account(request)
    if account is not None and account.site_id != site.pk:
        account = None
    if account is not None and current_member(request, site) is None:
        message = _(
            "Your membership is not current: renew it with the organization to request "
            "equipment online."
        )
        if request.method != "POST":
            return TemplateResponse(
                request,
                "rentals/member/members_only.html",
                _context(request, page, None, site, message=message),
            )
        return _answer(
            request, page, None, site, status=403, code="membership_expired", message=message
        )
    if request.method != "POST":
        template = "rentals/member/reserve.html" if account else "rentals/member/members_only.html"
        return TemplateResponse(request, template, _context(request, page, account, site))
    if account is None:
        return _answer(
            request,
            page,
            None,
            site,
            status=403,
            code="forbidden",
            message=_(
                "Only members of this organization logged in to its member space can "
                "request equipment online."
            ),
        )
    if rate_limited(request.user):
        return _answer(
            request,
            page,
            account,
            site,
            status=429,
            code="rate_limited",
            message=_(
                "You have sent many requests in the last hour. Please try again later, "
                "or contact the equipment desk."
            ),
        )
    form = RequestForm(request.POST, site=site)
    if not form.is_valid():
        return _answer(
            request,
            page,
            account,
            site,
            status=400,
            code="invalid",
            message=form.first_message(),
            form=form,
        )
    count_request(request.user)
    try:
        booking = request_booking(
            site,
            account.contact,
            [(page, form.cleaned_data["quantity"])],
            form.cleaned_data["period"],
            None,
            user=request.user,
            online=True,
        )
    except BookingConflict as conflict:
        return _answer(
            request,
            page,
            account,
            site,
            status=409,
            code="conflict",
            message=conflict.message_for(staff=False),
            form=form,
            days=conflict.days,
        )
    except ValidationError as error:  # BookingError and any other rule
        return _answer(
            request,
            page,
            account,
            site,
            status=400,
            code="invalid",
            message=error.messages[0],
            form=form,
        )
    request_received(booking)
    url = booking_url(page.get_parent().specific, booking, request)
    if wants_json(request):
        response = JsonResponse(
            {"booking": booking.number, "status": booking.status, "url": url}, status=303
        )
    else:
        response = HttpResponse(status=303)
    response["Location"] = url
    return response


def _member_booking(account, booking_id) -> Booking:
    booking = (
        Booking.objects.for_site(account.site)
        .filter(borrower=account.contact, pk=booking_id)
        .first()
    )
    if booking is None:
        raise Http404
    return booking


def booking_view(request, catalogue, booking_id):
    """One of the member's bookings (another's answers "not found", as a missing one does):
    its status, dates, items and amounts, and the button to withdraw a request staff have not
    answered yet (POST ``action=cancel``)."""
    private_response(request)
    account = member_account(request)
    if account is None:
        return redirect_to_login(request.get_full_path(), reverse("member_login"))
    booking = _member_booking(account, booking_id)
    message = ""
    status = 200
    if request.method == "POST":
        if request.POST.get("action") != "cancel":
            return HttpResponse(status=400)
        if booking.status != BookingStatus.REQUESTED:
            message = _(
                "Only a request not answered yet can be cancelled here: contact the equipment desk."
            )
            status = 400
        else:
            try:
                change_status(booking, BookingStatus.CANCELLED, user=request.user)
            except ValidationError as error:
                message, status = error.messages[0], 400
            else:
                response = HttpResponse(status=303)
                response["Location"] = f"{request.path}?cancelled=1"
                return response
    elif request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
    summary = summaries([booking], account.site, request)[0]
    context = {
        "account": account,
        "summary": summary,
        "booking": booking,
        "lines": line_rows(booking, summary.currency),
        "time_zone": OrganizationSettings.for_site(account.site).time_zone,
        "message": message,
        "cancelled": request.GET.get("cancelled") == "1"
        and booking.status == BookingStatus.CANCELLED,
    }
    return TemplateResponse(request, "rentals/member/booking.html", context, status=status)


def my_bookings_section(request, account) -> list[dict]:
    """The member space's « My bookings »: the member's latest bookings in this organization,
    each with its status, dates, items and total, in a fixed number of queries."""
    bookings = (
        Booking.objects.for_site(account.site)
        .filter(borrower=account.contact)
        .order_by("-pickup_at", "-pk")[: BOOKINGS_SHOWN + 1]
    )
    rows = summaries(bookings, account.site, request)
    return [
        {
            "title": _("My bookings"),
            "template": "rentals/member/section_bookings.html",
            "context": {
                "bookings": rows[:BOOKINGS_SHOWN],
                "more": len(rows) > BOOKINGS_SHOWN,
                "time_zone": OrganizationSettings.for_site(account.site).time_zone,
            },
        }
    ]
