"""What the rentals plugin declares in the foundations' registries (registered in
``wagtail_hooks.py``): the catalogue below every organization's home page, who runs the
equipment desk, and which fields of its records are private."""

from django.utils.translation import pgettext_lazy

from organizations.registry import Grant, OrganizationRole, Section
from privacy.registry import PrivateFields

#: The equipment desk's records, run by the CRM staff.
DESK_MODELS = (
    "equipment",
    "equipmentunit",
    "booking",
    "bookingline",
    "training",
    "qualification",
    "closure",
    "membershiprate",
)
DESK_PERMISSIONS = tuple(
    f"rentals.{action}_{model}"
    for model in DESK_MODELS
    for action in ("add", "change", "delete", "view")
)
#: Who may bring equipment and bookings in and out as spreadsheets.
SPREADSHEET_PERMISSIONS = (
    "rentals.import_equipmentpage",
    "rentals.export_equipmentpage",
    "rentals.import_booking",
    "rentals.export_booking",
)


def rentals_sections():
    return [
        Section(
            "rentals.catalogue",
            "rentals.EquipmentIndexPage",
            title=pgettext_lazy("section title", "Equipment"),
            slug=pgettext_lazy("section slug", "equipment"),
        )
    ]


def rentals_grants():
    # The CRM staff run the equipment desk (units, bookings, trainings, the desk's settings);
    # editors keep the catalogue's pages and see an item's private notes.
    return [
        Grant(
            OrganizationRole.CRM_STAFF,
            permissions=(*DESK_PERMISSIONS, *SPREADSHEET_PERMISSIONS),
            site_permissions=("rentals.change_rentalsettings",),
        ),
        Grant(
            OrganizationRole.EDITORS,
            permissions=tuple(
                f"rentals.{action}_equipment" for action in ("add", "change", "delete", "view")
            ),
        ),
    ]


def rentals_private_fields():
    """Units (what was paid, serial numbers, where they are), who borrows what and what staff
    note about it are private; periods, statuses, amounts and keys are bookkeeping."""
    return [
        PrivateFields("rentals.Equipment", fields=("internal_notes",)),
        PrivateFields(
            "rentals.EquipmentUnit",
            fields=(
                "inventory_number",
                "serial_number",
                "purchase_date",
                "purchase_price",
                "location",
                "notes",
            ),
            non_sensitive=("site", "equipment", "condition", "status"),
        ),
        PrivateFields(
            "rentals.Booking",
            fields=("borrower", "production_title", "notes", "decision_note"),
            non_sensitive=(
                "site",
                "pickup_at",
                "return_at",
                "status",
                "commercial",
                "rate_column",
                "subtotal",
                "discount",
                "total",
                "deposit",
                "currency",
                "requested_online",
                "requested_by",
                "rates_frozen_at",
                "decided_by",
                "checked_out_at",
                "returned_at",
                "created_at",
                "updated_at",
            ),
        ),
        PrivateFields(
            "rentals.BookingLine",
            fields=("condition_out_note", "condition_in_note"),
            non_sensitive=(
                "booking",
                "equipment",
                "unit",
                "kit",
                "starts_at",
                "blocked_until",
                "active",
                "price",
                "rate_detail",
                "condition_out",
                "checked_out_at",
                "condition_in",
                "returned_at",
            ),
        ),
        PrivateFields(
            "rentals.Qualification",
            fields=("contact", "note"),
            non_sensitive=("training", "obtained_on", "expires_on"),
        ),
        # A calendar link opens a calendar of borrowers: its secret's digest and prefix, whose
        # link it is and what staff call it are private; when it was made, read or revoked is
        # bookkeeping.
        PrivateFields(
            "rentals.CalendarToken",
            fields=("digest", "prefix", "contact", "label"),
            non_sensitive=(
                "site",
                "kind",
                "created_by",
                "created_at",
                "last_used_at",
                "revoked_at",
            ),
        ),
    ]


#: The private calendar links (``rentals.feeds``): the desk makes and revokes them.
CALENDAR_PERMISSIONS = tuple(
    f"rentals.{action}_calendartoken" for action in ("add", "change", "delete", "view")
)


def rentals_calendar_grants():
    """The CRM staff, who run the desk, make the desk's calendar links and revoke any link of
    their organization (a member's too)."""
    return [Grant(OrganizationRole.CRM_STAFF, permissions=CALENDAR_PERMISSIONS)]


def rentals_spreadsheet_kinds():
    """Equipment (one row per unit) and bookings (the move from an old spreadsheet, the
    accountant's export), run by the equipment desk (``rentals.resources``)."""
    from django.utils.translation import gettext_lazy as _

    from spreadsheets.registry import SpreadsheetKind

    return [
        SpreadsheetKind(
            "equipment",
            label=_("Equipment"),
            export_label=_("Export equipment"),
            resource="rentals.resources.EquipmentResource",
            import_permission="rentals.import_equipmentpage",
            export_permission="rentals.export_equipmentpage",
            roles=(OrganizationRole.CRM_STAFF,),
        ),
        SpreadsheetKind(
            "bookings",
            label=_("Bookings"),
            export_label=_("Export bookings"),
            resource="rentals.resources.BookingResource",
            import_permission="rentals.import_booking",
            export_permission="rentals.export_booking",
            roles=(OrganizationRole.CRM_STAFF,),
        ),
    ]


def rentals_desk_private_fields():
    """Photos of a unit's condition show what a borrower brought back: private, like the notes
    beside them."""
    return [
        PrivateFields(
            "rentals.BookingLinePhoto",
            fields=("document",),
            non_sensitive=("line", "moment", "created_at"),
        ),
    ]
