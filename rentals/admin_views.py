"""The equipment desk's admin screens: the bookings listing, one screen per booking (its terms,
items, units, rates and decisions), the check-out and check-in, the printable loan slip.

Every booking is looked up through the user's organizations (``scoped_queryset``): another
organization's booking answers "not found", as a missing one does. The views only read forms
and call ``rentals.staff``, ``rentals.desk`` and ``rentals.services``; the rules are theirs.
"""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.db.models.deletion import ProtectedError
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.generic.permissions import PermissionCheckedMixin
from wagtail.log_actions import log
from wagtail.models import Page

from crm_blocks.models import Contact
from crm_blocks.models.contacts import record_name
from organizations.models import OrganizationSettings
from organizations.money import format_money
from organizations.scoping import site_of
from organizations.views import ScopedDeleteView, ScopedIndexView, scoped_queryset
from spreadsheets.views import SpreadsheetIndexMixin

from . import staff
from .admin_forms import (
    BookingCreateForm,
    BookingEditForm,
    DecisionForm,
    DeskForm,
    UnitsForm,
    bookable_pages,
    item_formset,
    zone_of,
)
from .desk import DeskError, check_in, check_out
from .models import (
    Booking,
    BookingLine,
    BookingLinePhoto,
    BookingStatus,
    EquipmentIndexPage,
    PhotoMoment,
)
from .resources import BookingPeriodExportMixin
from .services import ALLOWED, BookingConflict, BookingError, availability_changed, change_status

#: The bookings viewset's name: its URL prefix and namespace.
BOOKINGS = "rentals_booking"


def booking_url(name: str, booking) -> str:
    return reverse(f"{BOOKINGS}:{name}", args=[booking.pk])


def error_text(error: Exception) -> str:
    """What staff read of a refusal: a conflict names the bookings holding the units."""
    if isinstance(error, BookingConflict):
        return error.message_for(staff=True)
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)


def local_moment(moment, zone: ZoneInfo) -> str:
    """« 2 avril 2027 10:00 »: a date and time as the organization's clock shows it."""
    if moment is None:
        return ""
    return date_format(moment.astimezone(zone), "DATETIME_FORMAT")


# --- The listing -----------------------------------------------------------------------------


def item_summaries(bookings) -> dict[int, str]:
    """« Caméra Sony FX6 × 2, Kit son » for each booking, in two queries whatever their number."""
    rows = list(
        BookingLine.objects.filter(booking__in=[booking.pk for booking in bookings]).values_list(
            "booking_id", "equipment__translation_key", "kit__translation_key"
        )
    )
    keys = {key for _b, item, kit in rows for key in (item, kit) if key}
    titles = {}
    for key, title in (
        Page.objects.filter(translation_key__in=keys)
        .order_by("-pk")
        .values_list("translation_key", "title")
    ):
        titles[key] = title  # the first page made wins (read last)
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    kits: dict[int, set] = defaultdict(set)
    for booking_id, item, kit in rows:
        if kit:
            kits[booking_id].add(kit)
            continue
        name = titles.get(item, "?")
        counts[booking_id][name] = counts[booking_id].get(name, 0) + 1
    summaries = {}
    for booking in bookings:
        parts = [titles.get(kit, "?") for kit in kits[booking.pk]]
        parts += [
            name if count == 1 else f"{name} × {count}"
            for name, count in counts[booking.pk].items()
        ]
        summaries[booking.pk] = ", ".join(sorted(parts))
    return summaries


class BookingIndexView(BookingPeriodExportMixin, SpreadsheetIndexMixin, ScopedIndexView):
    """The bookings of the user's organizations: number, borrower, items, pick-up and return
    (on the organization's clock), status with a "late" badge, total."""

    def get_base_queryset(self):
        return super().get_base_queryset().annotate(borrower_name=record_name("borrower"))

    def search_queryset(self, queryset):
        """A borrower's name or e-mail (accents and case aside), a production title, or a
        booking number."""
        if not self.is_searching:
            return queryset
        term = self.search_query.strip()
        condition = Q(borrower__in=Contact.objects.matching(term).values("pk"))
        condition |= Q(production_title__icontains=term)
        if term.lstrip("#").isdigit():
            condition |= Q(pk=int(term.lstrip("#")))
        return queryset.filter(condition)

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        bookings = list(object_list)
        zones = {
            site_id: ZoneInfo(zone)
            for site_id, zone in OrganizationSettings.objects.filter(
                site_id__in={booking.site_id for booking in bookings}
            ).values_list("site_id", "time_zone")
        }
        summaries = item_summaries(bookings)
        now = timezone.now()
        for booking in bookings:
            zone = zones.get(booking.site_id, ZoneInfo(timezone.get_default_timezone_name()))
            booking.items_summary = summaries.get(booking.pk, "")
            booking.pickup_local = local_moment(booking.pickup_at, zone)
            booking.return_local = local_moment(booking.return_at, zone)
            booking.total_display = format_money(booking.total, booking.currency)
            booking.late = booking.status == BookingStatus.CHECKED_OUT and booking.return_at < now
        return paginator, page, bookings, is_paginated


# --- One booking -----------------------------------------------------------------------------


class BookingViewMixin(PermissionCheckedMixin, WagtailAdminTemplateMixin):
    """A view of one booking of the user's organizations (``pk``), for users who may
    ``scope_actions`` it there."""

    model = Booking
    header_icon = "calendar-alt"
    index_url_name = None
    edit_url_name = None
    add_url_name = None
    delete_url_name = None
    history_url_name = None
    scope_actions: tuple[str, ...] = ("view", "change")
    any_permission_required = ("view", "change")
    #: The access log (``privacy.middleware``) notes who opened the booking, kept here.
    access_log_object = "booking"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.booking = self.get_object()

    def get_object(self):
        bookings = scoped_queryset(Booking, self.request.user, self.scope_actions)
        booking = get_object_or_404(
            bookings.select_related("site", "borrower").annotate(
                borrower_name=record_name("borrower")
            ),
            pk=self.kwargs["pk"],
        )
        booking.zone = zone_of(booking.site)
        return booking

    @cached_property
    def can_change(self) -> bool:
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, "change", self.booking
        )

    def require_change(self):
        if not self.can_change:
            raise PermissionDenied

    def get_page_subtitle(self):
        return str(self.booking)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(f"{BOOKINGS}:index"),
                "label": capfirst(Booking._meta.verbose_name_plural),
            },
            {"url": booking_url("edit", self.booking), "label": str(self.booking)},
            {"url": "", "label": self.get_page_title()},
        ]

    def booking_context(self) -> dict:
        booking = self.booking
        zone = booking.zone
        return {
            "booking": booking,
            "zone": zone,
            "borrower_name": booking.borrower_name or str(booking.borrower),
            "pickup_local": local_moment(booking.pickup_at, zone),
            "return_local": local_moment(booking.return_at, zone),
            "returned_local": local_moment(booking.returned_at, zone),
            "is_late": booking.is_late,
            "returned_late": bool(booking.returned_at and booking.returned_at > booking.return_at),
            "can_change": self.can_change,
            "edit_url": booking_url("edit", booking),
            "checkout_url": booking_url("checkout", booking),
            "checkin_url": booking_url("checkin", booking),
            "slip_url": booking_url("slip", booking),
        }


def photos_by_line(booking) -> dict[int, list[BookingLinePhoto]]:
    photos = defaultdict(list)
    for photo in BookingLinePhoto.objects.filter(line__booking=booking).select_related("document"):
        photos[photo.line_id].append(photo)
    return photos


def unit_rows(booking) -> list[dict]:
    """Each booked unit with its item, how it left and came back, and its photos."""
    lines = list(booking.lines.select_related("unit", "equipment", "kit").order_by("pk"))
    keys = {line.equipment.translation_key for line in lines}
    keys |= {line.kit.translation_key for line in lines if line.kit_id}
    pages = staff.first_pages(keys)
    photos = photos_by_line(booking)

    def title(twin):
        page = pages.get(twin.translation_key)
        return page.title if page else ""

    return [
        {
            "line": line,
            "item": title(line.equipment),
            "kit": title(line.kit) if line.kit_id else "",
            "photos_out": [p for p in photos[line.pk] if p.moment == PhotoMoment.DEPARTURE],
            "photos_in": [p for p in photos[line.pk] if p.moment == PhotoMoment.RETURN],
        }
        for line in lines
    ]


#: Decisions on the booking screen: action → (status it moves to, its button, what it logs).
DECISIONS = {
    "confirm": (BookingStatus.CONFIRMED, gettext_lazy("Confirm"), "rentals.booking.confirm"),
    "refuse": (BookingStatus.REFUSED, gettext_lazy("Refuse"), "rentals.booking.refuse"),
    "cancel": (
        BookingStatus.CANCELLED,
        gettext_lazy("Cancel the booking"),
        "rentals.booking.cancel",
    ),
    "reopen": (BookingStatus.REQUESTED, gettext_lazy("Reopen"), "rentals.booking.reopen"),
}
DECISION_MESSAGES = {
    "confirm": gettext_lazy("Booking %(number)s confirmed: its rates are frozen."),
    "refuse": gettext_lazy("Booking %(number)s refused."),
    "cancel": gettext_lazy("Booking %(number)s cancelled: its units are free again."),
    "reopen": gettext_lazy("Booking %(number)s reopened: it waits for a decision again."),
}


def decisions_for(booking) -> list[dict]:
    allowed = ALLOWED[BookingStatus(booking.status)]
    return [
        {"action": action, "label": label}
        for action, (status, label, _log) in DECISIONS.items()
        if status in allowed
    ]


class BookingEditView(BookingViewMixin, View):
    """One screen per booking: its borrower, terms and items (while it waits for a decision),
    its units (staff may give a line another free unit), its rates — live before confirming,
    frozen after — and the decisions allowed from its status."""

    template_name = "rentals/admin/booking_edit.html"
    page_title = gettext_lazy("Booking")

    def get_page_title(self):
        return str(self.booking)

    def get_page_subtitle(self):
        return self.booking.borrower_name or str(self.booking.borrower)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(f"{BOOKINGS}:index"),
                "label": capfirst(Booking._meta.verbose_name_plural),
            },
            {"url": "", "label": str(self.booking)},
        ]

    @cached_property
    def editable(self) -> bool:
        return self.can_change and self.booking.status in (
            BookingStatus.REQUESTED,
            BookingStatus.CONFIRMED,
            BookingStatus.CHECKED_OUT,
        )

    @cached_property
    def items_editable(self) -> bool:
        return self.editable and self.booking.status == BookingStatus.REQUESTED

    def forms(self, data=None, rates=None):
        booking = self.booking
        form = BookingEditForm(
            data,
            booking=booking,
            computed_deposit=getattr(rates, "computed_deposit", None),
        )
        formset = None
        if self.items_editable:
            pages = booking_pages(booking)
            initial = [
                {"item": count.page, "quantity": count.quantity}
                for count in staff.booking_items(booking)
            ]
            formset = item_formset(data=data, pages=pages, initial=initial)
        return form, formset

    def get(self, request, *args, **kwargs):
        rates = staff.live_rates(self.booking)
        form, formset = self.forms(rates=rates)
        return self.render(form, formset, rates)

    def post(self, request, *args, **kwargs):
        self.require_change()
        if not self.editable:
            messages.error(request, _("This booking can no longer be changed."))
            return redirect(booking_url("edit", self.booking))
        rates = staff.live_rates(self.booking)
        form, formset = self.forms(request.POST, rates=rates)
        valid = form.is_valid() and (formset is None or formset.is_valid())
        if not valid:
            return self.render(form, formset, rates)
        changes = form.changes(formset.items() if formset is not None else None)
        booking = self.booking
        if "preview" in request.POST:
            try:
                preview = staff.dry_run(
                    lambda: (
                        staff.booking_update(booking, changes, user=request.user),
                        staff.live_rates(booking),
                    )[1]
                )
            except BookingError as error:
                form.add_error(None, error_text(error))
                preview = None
            booking.refresh_from_db()
            return self.render(form, formset, preview or rates, previewing=preview is not None)
        try:
            staff.booking_update(booking, changes, user=request.user)
        except BookingError as error:
            form.add_error(None, error_text(error))
            return self.render(form, formset, rates)
        log(instance=booking, action="wagtail.edit", user=request.user)
        messages.success(request, _("Booking %(number)s saved.") % {"number": booking.number})
        return redirect(booking_url("edit", booking))

    def render(self, form, formset, rates, previewing=False):
        booking = self.booking
        units = unit_rows(booking)
        units_form = self.units_form()
        if units_form is not None:
            for row in units:
                name = f"unit_{row['line'].pk}"
                row["unit_field"] = units_form[name] if name in units_form.fields else None
        context = self.get_context_data(
            **self.booking_context(),
            form=form,
            formset=formset,
            editable=self.editable,
            rates=rates,
            previewing=previewing,
            units=units,
            units_form=units_form,
            media=form.media,
            decisions=decisions_for(booking) if self.can_change else [],
            decision_form=DecisionForm(),
            decision_url=booking_url("decide", booking),
            units_url=booking_url("units", booking),
            history_url=booking_url("history", booking),
            delete_url=booking_url("delete", booking),
            can_delete=self.permission_policy.user_has_permission_for_instance(
                self.request.user, "delete", booking
            ),
        )
        return self.render_to_response(context)

    def units_form(self):
        if not self.editable:
            return None
        choices = staff.unit_choices(self.booking)
        if not any(len(units) > 1 for units in choices.values()):
            return None
        return UnitsForm(choices=choices, lines=self.booking.lines.select_related("unit"))


def booking_pages(booking):
    """The items the booking's organization may lend."""
    return bookable_pages([booking.site])


class BookingCreateView(PermissionCheckedMixin, WagtailAdminTemplateMixin, View):
    """A new booking made by staff: borrower, items, dates, terms. « Preview the rates » shows
    what the borrower would pay (and any conflict) without keeping anything."""

    model = Booking
    permission_required = "add"
    template_name = "rentals/admin/booking_create.html"
    page_title = gettext_lazy("New booking")
    header_icon = "calendar-alt"
    index_url_name = None
    add_url_name = None
    edit_url_name = None

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse(f"{BOOKINGS}:index"),
                "label": capfirst(Booking._meta.verbose_name_plural),
            },
            {"url": "", "label": self.page_title},
        ]

    def get(self, request, *args, **kwargs):
        form = BookingCreateForm(user=request.user)
        return self.render(form, item_formset(pages=form.pages))

    def post(self, request, *args, **kwargs):
        form = BookingCreateForm(request.POST, user=request.user)
        formset = item_formset(data=request.POST, pages=form.pages)
        if not (form.is_valid() and formset.is_valid()):
            return self.render(form, formset)
        try:
            draft = form.draft(formset.items())
        except ValidationError as error:
            form.add_error(None, error)
            return self.render(form, formset)
        if "preview" in request.POST:
            try:
                preview = staff.booking_preview(draft, user=request.user)
            except BookingError as error:
                form.add_error(None, error_text(error))
                return self.render(form, formset)
            return self.render(form, formset, preview)
        try:
            booking = staff.booking_create(draft, user=request.user)
        except BookingError as error:
            form.add_error(None, error_text(error))
            return self.render(form, formset)
        log(instance=booking, action="wagtail.create", user=request.user)
        messages.success(
            request,
            _("Booking %(number)s made: it waits for confirmation.") % {"number": booking.number},
        )
        return redirect(booking_url("edit", booking))

    def render(self, form, formset, rates=None):
        return self.render_to_response(
            self.get_context_data(form=form, formset=formset, rates=rates, previewing=bool(rates))
        )


class BookingPostView(BookingViewMixin, View):
    """An action on the booking screen (a POST), back to the screen afterwards."""

    scope_actions = ("change",)
    permission_required = "change"
    any_permission_required = None

    def get(self, request, *args, **kwargs):
        return HttpResponseNotAllowed(["POST"])


class BookingDecisionView(BookingPostView):
    """Confirm (the rates freeze), refuse (with a message to the borrower), cancel, reopen."""

    def post(self, request, *args, **kwargs):
        booking = self.booking
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose what to do with the booking."))
            return redirect(booking_url("edit", booking))
        action = form.cleaned_data["action"]
        status, _label, log_action = DECISIONS[action]
        try:
            change_status(booking, status, user=request.user, note=form.cleaned_data["note"])
        except BookingError as error:
            booking.refresh_from_db()
            messages.error(request, error_text(error))
            return redirect(booking_url("edit", booking))
        log(instance=booking, action=log_action, user=request.user)
        messages.success(request, DECISION_MESSAGES[action] % {"number": booking.number})
        return redirect(booking_url("edit", booking))


class BookingUnitsView(BookingPostView):
    """Give lines another free unit of their item (``assign_unit``): all the choices or none."""

    def post(self, request, *args, **kwargs):
        booking = self.booking
        choices = staff.unit_choices(booking)
        form = UnitsForm(request.POST, choices=choices, lines=booking.lines.select_related("unit"))
        if not form.is_valid():
            messages.error(request, _("Choose a unit offered for each line."))
            return redirect(booking_url("edit", booking))
        try:
            changed = staff.assign_units(booking, form.wanted())
        except BookingError as error:
            messages.error(request, error_text(error))
            return redirect(booking_url("edit", booking))
        if changed:
            log(instance=booking, action="wagtail.edit", user=request.user)
            messages.success(request, _("The booking's units were changed."))
        return redirect(booking_url("edit", booking))


class DeskView(BookingViewMixin, View):
    """The check-out or check-in screen: scan the units, say how each leaves or comes back."""

    scope_actions = ("change",)
    permission_required = "change"
    any_permission_required = None
    template_name = "rentals/admin/desk.html"
    returning = False

    def get_page_title(self):
        return _("Check-in") if self.returning else _("Check-out")

    def lines(self):
        lines = self.booking.lines.select_related("unit").order_by("pk")
        if self.returning:
            return [line for line in lines if line.checked_out_at and not line.returned_at]
        return [line for line in lines if not line.checked_out_at]

    def get(self, request, *args, **kwargs):
        form = DeskForm(booking=self.booking, lines=self.lines(), returning=self.returning)
        return self.render(form)

    def post(self, request, *args, **kwargs):
        form = DeskForm(
            request.POST,
            request.FILES,
            booking=self.booking,
            lines=self.lines(),
            returning=self.returning,
        )
        if not form.is_valid():
            return self.render(form)
        try:
            done = self.act(form.reports())
        except (DeskError, BookingError) as error:
            for message in error.messages:
                form.add_error(None, message)
            self.booking.refresh_from_db()
            return self.render(form)
        log(
            instance=self.booking,
            action="rentals.booking.check_in" if self.returning else "rentals.booking.check_out",
            user=request.user,
        )
        self.tell(done)
        return redirect(booking_url("edit", self.booking))

    def act(self, reports):
        if self.returning:
            return check_in(self.booking, reports, user=self.request.user)
        return check_out(self.booking, reports, user=self.request.user)

    def tell(self, done):
        number = self.booking.number
        if not self.returning:
            messages.success(
                self.request,
                _("Booking %(number)s checked out: print the loan slip for the borrower to sign.")
                % {"number": number},
            )
            return
        if done.to_repair:
            messages.warning(
                self.request,
                _("Sent to repair: %(units)s. They are not bookable until set back to available.")
                % {"units": ", ".join(unit.inventory_number for unit in done.to_repair)},
            )
        if done.still_out:
            messages.success(
                self.request,
                _("Units back. Still out: %(units)s.")
                % {"units": ", ".join(line.unit.inventory_number for line in done.still_out)},
            )
        else:
            messages.success(
                self.request,
                _("Booking %(number)s returned: every unit is back.") % {"number": number},
            )

    def render(self, form):
        booking = self.booking
        expected = BookingStatus.CHECKED_OUT if self.returning else BookingStatus.CONFIRMED
        return self.render_to_response(
            self.get_context_data(
                **self.booking_context(),
                form=form,
                returning=self.returning,
                on_desk=True,
                ready=booking.status == expected and bool(form.lines),
                status_label=BookingStatus(booking.status).label,
            )
        )


class CheckOutView(DeskView):
    returning = False


class CheckInView(DeskView):
    returning = True


class LoanSlipView(BookingViewMixin, View):
    """The loan slip, printed and signed at the desk: organization, borrower, booking number,
    items with inventory and serial numbers, dates, rates, deposit and total, condition on
    departure, and signature lines for the borrower and staff."""

    template_name = "rentals/admin/loan_slip.html"

    def get(self, request, *args, **kwargs):
        booking = self.booking
        settings = OrganizationSettings.for_site(booking.site)
        rates = staff.rates_of(booking)
        rows = unit_rows(booking)
        catalogue = EquipmentIndexPage.objects.descendant_of(booking.site.root_page).first()
        for row, rate in zip(rows, rates.lines, strict=True):
            row["rate"] = rate
        return self.render_to_response(
            {
                **self.booking_context(),
                "organization": settings,
                "site": booking.site,
                "borrower": booking.borrower,
                "rates": rates,
                "units": rows,
                "printed_at": local_moment(timezone.now(), booking.zone),
                "conditions": catalogue.conditions if catalogue else "",
            }
        )


class InventoryDeleteView(ScopedDeleteView):
    """Deleting a record of the desk: what is free changes (the public availability forgets);
    a unit that bookings still name cannot go (retire it instead)."""

    def delete_action(self):
        site = site_of(self.object)
        super().delete_action()
        if site is not None:
            availability_changed(site)

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except ProtectedError:
            messages.error(
                self.request,
                _("Bookings still name it: it cannot be deleted. Mark it as retired instead."),
            )
            return redirect(self.get_success_url())
