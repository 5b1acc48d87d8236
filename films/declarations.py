"""What the films plugin declares in the foundations' registries (registered in
``wagtail_hooks.py``): the film database below every organization's home page, the network's
moderation of what distributors submit, who may read screenings' figures, and which fields are
private."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from organizations.registry import Grant, ModerationWorkflow, OrganizationRole, Section
from privacy.registry import PrivateFields

#: Screenings and the layouts of box-office exports, kept by the staff.
SCREENING_PERMISSIONS = tuple(
    f"films.{action}_{model}"
    for model in ("screening", "boxofficelayout")
    for action in ("add", "change", "delete", "view")
)
DIRECTORY_PERMISSIONS = tuple(
    f"films.{action}_distributorcontact" for action in ("add", "change", "delete", "view")
)


def films_sections():
    return [
        Section(
            "films.database",
            "films.FilmIndexPage",
            title=pgettext_lazy("section title", "Films"),
            slug=pgettext_lazy("section slug", "films"),
        )
    ]


def films_workflows():
    # What distributors submit to the film database waits for the network's editors.
    return [
        ModerationWorkflow(
            "films.review",
            "films.database",
            name=_("Review of the film database"),
            task_name=_("Films submitted by distributors"),
            approvers=(OrganizationRole.EDITORS,),
        )
    ]


def films_grants():
    # Editors run the film database and the programme; the CRM staff keep the screenings'
    # figures and the distributors' directory.
    return [
        Grant(OrganizationRole.EDITORS, permissions=SCREENING_PERMISSIONS),
        Grant(
            OrganizationRole.CRM_STAFF,
            permissions=(*SCREENING_PERMISSIONS, *DIRECTORY_PERMISSIONS),
        ),
    ]


def films_private_fields():
    return [
        PrivateFields(
            "films.Screening",
            # Admissions and receipts are the cinemas' business figures.
            fields=("admissions", "gross_receipts"),
            non_sensitive=(
                "site",
                "cinema",
                "cinema_key",
                "film",
                "version",
                "version_label",
                "room",
                "starts_at",
                "ends_at",
                "local_date",
                "status",
                "currency",
                "source",
                "created_at",
                "updated_at",
            ),
        ),
        PrivateFields(
            "films.DistributorContact",
            fields=("name", "role", "territory", "email", "phone", "consent_text"),
            non_sensitive=("site", "distributor", "validated_at", "validated_by", "consent_at"),
        ),
    ]


# --- Box-office exports (``films.boxoffice``) ----------------------------------------------------

#: Who may bring screenings in from box-office exports and take them out as spreadsheets.
SCREENING_SPREADSHEET_PERMISSIONS = ("films.import_screening", "films.export_screening")


def films_screening_spreadsheet_grants():
    # The staff who keep the screenings import the cinemas' exports and export the figures.
    return [
        Grant(OrganizationRole.EDITORS, permissions=SCREENING_SPREADSHEET_PERMISSIONS),
        Grant(OrganizationRole.CRM_STAFF, permissions=SCREENING_SPREADSHEET_PERMISSIONS),
    ]


def films_spreadsheet_kinds():
    """Films (the database, ``films.resources``) in and out; screenings: box-office exports in
    (their own command options and admin screens, since a cinema and the films must be
    settled), the screenings' figures out."""
    from spreadsheets.registry import SpreadsheetKind

    return [
        SpreadsheetKind(
            "screenings",
            label=_("Screenings"),
            export_label=_("Export screenings"),
            resource="films.screening_resources.ScreeningResource",
            import_permission="films.import_screening",
            export_permission="films.export_screening",
            roles=(OrganizationRole.CRM_STAFF, OrganizationRole.EDITORS),
            command="films.boxoffice_command",
        ),
        *film_database_spreadsheet_kinds(),
    ]


# --- Distributors: their logins, the films import, the members' directory -------------------

#: Importing and exporting the film database (``films``), by the network's editors.
FILM_SPREADSHEET_PERMISSIONS = ("films.import_filmpage", "films.export_filmpage")


def films_import_grants():
    return [Grant(OrganizationRole.EDITORS, permissions=FILM_SPREADSHEET_PERMISSIONS)]


def film_database_spreadsheet_kinds():
    from spreadsheets.registry import SpreadsheetKind

    return [
        SpreadsheetKind(
            "films",
            label=_("Films"),
            export_label=_("Export films"),
            resource="films.resources.FilmResource",
            import_permission="films.import_filmpage",
            export_permission="films.export_filmpage",
            roles=(OrganizationRole.EDITORS,),
        )
    ]


#: The network's CRM staff give distributors their logins.
ACCESS_PERMISSIONS = tuple(
    f"films.{action}_distributoraccess" for action in ("add", "change", "view")
)


def distributor_access_grants():
    return [Grant(OrganizationRole.CRM_STAFF, permissions=ACCESS_PERMISSIONS)]


# --- Cinema profiles and open data (``films.datasets``) --------------------------------------

#: The network's staff record its cinemas' classification, labels, screens and seats.
CINEMA_PROFILE_PERMISSIONS = tuple(
    f"films.{action}_cinemaprofile" for action in ("add", "change", "delete", "view")
)


def cinema_profile_grants():
    return [
        Grant(OrganizationRole.CRM_STAFF, permissions=CINEMA_PROFILE_PERMISSIONS),
        Grant(OrganizationRole.EDITORS, permissions=CINEMA_PROFILE_PERMISSIONS),
    ]
