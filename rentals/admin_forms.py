"""The forms of the equipment desk's admin screens: a booking (borrower, items, dates in the
organization's time zone, rates' terms), its status changes, its units, the check-out and
check-in, and the inventory's own records.

Every choice list is limited to the user's organizations; the rules themselves are checked by
``rentals.services`` when the view calls it.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.widgets import AdminDateTimeInput
from wagtail.models import Page, Site
from wagtail.permissions import policy_registry

from crm_blocks.models import Contact
from organizations.models import OrganizationSettings
from organizations.views import SiteScopedAdminForm

from .choosers import ScopedBorrowerWidget, borrowers_for
from .desk import MAX_PHOTOS_PER_UNIT, UnitReport, match_scan
from .models import (
    Booking,
    Condition,
    Equipment,
    EquipmentPage,
    EquipmentUnit,
)
from .services import availability_changed
from .staff import BookingChanges, BookingDraft

DATETIME_INPUT_FORMATS = ["%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"]


def zone_of(site) -> ZoneInfo:
    return ZoneInfo(OrganizationSettings.for_site(site).time_zone)


def zone_help(zone: ZoneInfo) -> str:
    """« Time in America/Toronto (UTC−04:00 today). »"""
    offset = timezone.now().astimezone(zone).strftime("%z")
    return _("Time of the organization: %(zone)s (UTC%(offset)s today).") % {
        "zone": zone.key,
        "offset": f"{offset[:3]}:{offset[3:]}".replace("-", "\u2212"),
    }


class LocalDateTimeField(forms.DateTimeField):
    """A date and time read in the organization's time zone (``zone``), not the user's: a
    pick-up at 10:00 is 10:00 at the desk. A wall time that a clock change skips or repeats is
    refused with Django's own message."""

    zone: ZoneInfo | None = None

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATETIME_INPUT_FORMATS)
        kwargs.setdefault("widget", AdminDateTimeInput)
        super().__init__(**kwargs)

    def to_python(self, value):
        if self.zone is None:
            return super().to_python(value)
        with timezone.override(self.zone):
            return super().to_python(value)


def local_initial(moment: dt.datetime | None, zone: ZoneInfo) -> dt.datetime | None:
    """An aware time as a naive wall time of ``zone``, for a form's initial value."""
    return moment.astimezone(zone).replace(tzinfo=None) if moment else None


def sites_where(user, model, actions):
    """The organizations where ``user`` may do one of ``actions`` with ``model`` (every one for
    a superuser)."""
    policy = policy_registry.get_by_type(model)
    sites = Site.objects.order_by("site_name")
    ids = policy.sites_for_actions(user, list(actions))
    return sites if ids is None else sites.filter(pk__in=ids)


def booking_sites(user, action: str):
    """The organizations where ``user`` may ``action`` bookings."""
    return sites_where(user, Booking, [action])


def bookable_pages(sites):
    """The items of ``sites`` (one page per item: the first made), by title."""
    first = (
        Page.objects.filter(translation_key=models.OuterRef("translation_key"))
        .order_by("pk")
        .values("pk")[:1]
    )
    keys = Equipment.objects.filter(site__in=sites).values("translation_key")
    return (
        EquipmentPage.objects.filter(translation_key__in=keys)
        .filter(pk=models.Subquery(first))
        .order_by("title", "pk")
    )


class ItemChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, page):
        label = page.title
        if page.is_kit:
            label = _("%(title)s (kit)") % {"title": label}
        if not page.live:
            label = _("%(title)s (unpublished)") % {"title": label}
        return label


class ItemForm(forms.Form):
    """One row of the booking's items: an item or a kit, and how many."""

    item = ItemChoiceField(queryset=EquipmentPage.objects.none(), required=False, label=_("Item"))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=99, initial=1)

    def __init__(self, *args, pages=None, **kwargs):
        super().__init__(*args, **kwargs)
        if pages is not None:
            self.fields["item"].queryset = pages
        self.fields["quantity"].required = False


class BaseItemFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.items():
            raise forms.ValidationError(_("Choose at least one item."))

    def items(self) -> list[tuple[EquipmentPage, int]]:
        chosen = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            if data.get("item") is not None:
                chosen.append((data["item"], data.get("quantity") or 1))
        return chosen


def item_formset(*, data=None, pages, initial=None, prefix="items"):
    """The items' rows: those given, and a few empty ones to add more."""
    extra = 3 if not initial else 2
    formset_class = forms.formset_factory(
        ItemForm, formset=BaseItemFormSet, extra=extra, max_num=40, validate_max=True
    )
    return formset_class(data=data, initial=initial, prefix=prefix, form_kwargs={"pages": pages})


class BookingTermsForm(forms.Form):
    """The dates and terms a booking shares with every screen: pick-up and return in the
    organization's time zone, commercial production, discount, deposit, title and notes."""

    pickup_at = LocalDateTimeField(label=_("Pick-up"))
    return_at = LocalDateTimeField(label=_("Return"))
    commercial = forms.BooleanField(
        label=_("Commercial production"),
        required=False,
        help_text=_("Commercial productions pay the commercial rates."),
    )
    discount = forms.DecimalField(
        label=_("Discount"), min_value=0, max_digits=10, decimal_places=2, required=False
    )
    deposit = forms.DecimalField(
        label=_("Deposit"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        required=False,
        help_text=_("Leave empty for the items' deposits."),
    )
    production_title = forms.CharField(label=_("Production title"), max_length=200, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def set_zone(self, zone: ZoneInfo) -> None:
        self.zone = zone
        for name in ("pickup_at", "return_at"):
            self.fields[name].zone = zone
            self.fields[name].help_text = zone_help(zone)

    def clean(self):
        data = super().clean()
        pickup, return_at = data.get("pickup_at"), data.get("return_at")
        if pickup and return_at and return_at <= pickup:
            self.add_error("return_at", _("The return must come after the pick-up."))
        return data


class BookingCreateForm(BookingTermsForm):
    """A new booking: the organization (when the user works for several), the borrower, then
    the terms; the items come in their own rows (``item_formset``)."""

    site = forms.ModelChoiceField(
        label=_("Organization"), queryset=Site.objects.none(), empty_label=None
    )
    borrower = forms.ModelChoiceField(
        label=_("Borrower"),
        queryset=Contact.objects.none(),
        help_text=_("A person or an organization record."),
    )

    field_order = ["site", "borrower", "pickup_at", "return_at"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        sites = booking_sites(user, "add")
        self.fields["site"].queryset = sites
        if len(sites) == 1:
            self.fields["site"].initial = sites[0].pk
            self.fields["site"].widget = forms.HiddenInput()
        self.fields["borrower"].queryset = borrowers_for(user).filter(site__in=sites)
        widget = ScopedBorrowerWidget()
        widget.queryset = self.fields["borrower"].queryset
        self.fields["borrower"].widget = widget
        self.sites = sites
        site = self.chosen_site()
        if site is not None:
            self.set_zone(zone_of(site))
        self.pages = bookable_pages(sites)

    def chosen_site(self):
        value = self.data.get(self.add_prefix("site")) if self.is_bound else None
        value = value or self.fields["site"].initial
        try:
            return self.sites.get(pk=value) if value else None
        except (Site.DoesNotExist, ValueError, TypeError):
            return None

    def clean(self):
        data = super().clean()
        site, borrower = data.get("site"), data.get("borrower")
        if site and borrower and borrower.site_id != site.pk:
            self.add_error("borrower", _("This borrower belongs to another organization."))
        return data

    def draft(self, items) -> BookingDraft:
        data = self.cleaned_data
        site = data["site"]
        for page, _quantity in items:
            twin = page.get_private_twin()
            if twin is None or twin.site_id != site.pk:
                raise forms.ValidationError(_("This item belongs to another organization."))
        return BookingDraft(
            site=site,
            borrower=data["borrower"],
            items=items,
            pickup_at=data["pickup_at"],
            return_at=data["return_at"],
            commercial=data["commercial"],
            discount=data.get("discount") or 0,
            deposit=data.get("deposit"),
            production_title=data["production_title"],
            notes=data["notes"],
        )


class BookingEditForm(BookingTermsForm):
    """The booking screen's form. Once the rates are confirmed, the terms that make them
    (commercial production, discount, deposit) are shown but cannot change: reopen the booking
    to change them."""

    def __init__(self, *args, booking: Booking, computed_deposit=None, **kwargs):
        zone = zone_of(booking.site)
        deposit = booking.deposit
        if computed_deposit is not None and deposit in (0, computed_deposit):
            deposit = None
        kwargs.setdefault(
            "initial",
            {
                "pickup_at": local_initial(booking.pickup_at, zone),
                "return_at": local_initial(booking.return_at, zone),
                "commercial": booking.commercial,
                "discount": booking.discount,
                "deposit": deposit,
                "production_title": booking.production_title,
                "notes": booking.notes,
            },
        )
        super().__init__(*args, **kwargs)
        self.booking = booking
        self.set_zone(zone)
        if booking.rates_frozen:
            for name in ("commercial", "discount", "deposit"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "The rates are confirmed: reopen the booking to change them."
                )
        if any(line.checked_out_at for line in booking.lines.all()):
            self.fields["pickup_at"].disabled = True

    def changes(self, items) -> BookingChanges:
        data = self.cleaned_data
        return BookingChanges(
            items=items,
            pickup_at=data["pickup_at"],
            return_at=data["return_at"],
            commercial=data["commercial"],
            discount=data.get("discount") or 0,
            deposit=data.get("deposit"),
            production_title=data["production_title"],
            notes=data["notes"],
        )


class DecisionForm(forms.Form):
    """Confirm, refuse, cancel or reopen a booking, with a message to the borrower."""

    action = forms.ChoiceField(
        choices=[
            ("confirm", _("Confirm")),
            ("refuse", _("Refuse")),
            ("cancel", _("Cancel")),
            ("reopen", _("Reopen")),
        ]
    )
    note = forms.CharField(
        label=_("Message to the borrower"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Sent with the confirmation or the refusal."),
    )


def unit_label(unit: EquipmentUnit) -> str:
    if unit.serial_number:
        return f"{unit.inventory_number} ({unit.serial_number})"
    return unit.inventory_number


class UnitsForm(forms.Form):
    """One choice per line that has not gone out: its unit or a free one of the same item."""

    def __init__(self, *args, choices: dict[int, list[EquipmentUnit]], lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = {line.pk: line for line in lines}
        for line_id, units in choices.items():
            self.fields[f"unit_{line_id}"] = forms.TypedChoiceField(
                label=self.lines[line_id].unit.inventory_number,
                choices=[(unit.pk, unit_label(unit)) for unit in units],
                coerce=int,
                initial=units[0].pk,
            )

    def rows(self):
        for name in self.fields:
            yield self.lines[int(name.split("_", 1)[1])], self[name]

    def wanted(self) -> dict[int, int]:
        return {int(name.split("_", 1)[1]): unit_id for name, unit_id in self.cleaned_data.items()}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos at once (phones offer their camera)."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,image/gif"}),
        )
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class DeskForm(forms.Form):
    """The check-out or check-in form: the inventory numbers scanned (one per line or separated
    by spaces, as a barcode scanner types them), and for each unit its condition, a description
    and photos. Only the scanned units are handed over or taken back."""

    numbers = forms.CharField(
        label=_("Inventory numbers"),
        widget=forms.Textarea(
            attrs={
                "rows": 4,
                "autofocus": True,
                "autocomplete": "off",
                "spellcheck": "false",
                "autocapitalize": "off",
            }
        ),
        help_text=_(
            "Scan each unit's barcode, or type its number: one per line or separated by spaces."
        ),
    )

    def __init__(self, *args, booking: Booking, lines, returning: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.booking, self.returning = booking, returning
        self.lines = list(lines)
        for line in self.lines:
            self.fields[f"condition_{line.pk}"] = forms.ChoiceField(
                label=_("Condition"), choices=Condition.choices, initial=Condition.OK
            )
            self.fields[f"note_{line.pk}"] = forms.CharField(
                label=_("Description"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"photos_{line.pk}"] = PhotosField(
                label=_("Photos"),
                help_text=_("At most %(count)s, JPEG, PNG, WebP or GIF.")
                % {"count": MAX_PHOTOS_PER_UNIT},
            )

    def rows(self):
        """Each unit with its fields, for the template."""
        for line in self.lines:
            yield {
                "line": line,
                "condition": self[f"condition_{line.pk}"],
                "note": self[f"note_{line.pk}"],
                "photos": self[f"photos_{line.pk}"],
            }

    def clean(self):
        data = super().clean()
        if "numbers" not in data:
            return data
        scan = match_scan(self.booking, data["numbers"], returning=self.returning)
        for problem in scan.problems:
            self.add_error("numbers", problem)
        self.scanned = scan.lines
        return data

    def reports(self) -> dict[int, UnitReport]:
        data = self.cleaned_data
        return {
            line.pk: UnitReport(
                condition=data.get(f"condition_{line.pk}") or Condition.OK,
                note=data.get(f"note_{line.pk}") or "",
                photos=data.get(f"photos_{line.pk}") or [],
            )
            for line in self.scanned
        }


# --- The inventory's records -----------------------------------------------------------------


class EquipmentUnitForm(SiteScopedAdminForm):
    """A unit: its item is one of the user's organizations'; its organization is its item's.
    A change of status (to repair, back from it) is seen by the public availability."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("equipment")
        if field is not None and getattr(self, "for_user", None) is not None:
            title = (
                Page.objects.filter(translation_key=models.OuterRef("translation_key"))
                .order_by("pk")
                .values("title")[:1]
            )
            field.queryset = (
                Equipment.objects.filter(
                    site__in=sites_where(self.for_user, EquipmentUnit, ("add", "change"))
                )
                .annotate(title=models.Subquery(title))
                .order_by("title", "pk")
            )
            field.label_from_instance = lambda twin: twin.title or str(twin)

    def clean(self):
        data = super().clean()
        equipment = data.get("equipment")
        if equipment is not None:
            self.instance.site_id = equipment.site_id
        return data

    def save(self, commit=True):
        unit = super().save(commit=commit)
        if commit and unit.site_id:
            availability_changed(unit.site)
        return unit


class AvailabilityForm(SiteScopedAdminForm):
    """A record that changes what is free (a closure): the public availability forgets."""

    def save(self, commit=True):
        instance = super().save(commit=commit)
        if commit and getattr(instance, "site_id", None):
            availability_changed(instance.site)
        return instance


class QualificationForm(SiteScopedAdminForm):
    """A training held by a person (not an organization record) of the user's organizations."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("contact")
        if field is not None:
            field.queryset = field.queryset.filter(kind=Contact.Kind.PERSON)
