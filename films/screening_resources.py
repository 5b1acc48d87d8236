"""Screenings as spreadsheet rows (kind ``screenings``): the export of the admin's listing, for
staff (admissions and receipts included: the export needs ``films.export_screening``).

Files come in through the box-office import (``films.boxoffice``: a cinema to choose, films to
match), not through the generic pipeline; an export is laid out like a box-office export, so
that it imports back unchanged through it.
"""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, pgettext_lazy

from organizations.models import OrganizationSettings
from spreadsheets.reports import RowError
from spreadsheets.resources import SpreadsheetResource, column

from .models import Screening


class ScreeningResource(SpreadsheetResource):
    sheet_columns = (
        column("date", pgettext_lazy("spreadsheet column", "date"), "date séance"),
        column("time", pgettext_lazy("spreadsheet column", "time"), "heure"),
        column("title", pgettext_lazy("spreadsheet column", "film"), "titre", required=True),
        column("visa", pgettext_lazy("spreadsheet column", "visa number"), "visa"),
        column("version", pgettext_lazy("spreadsheet column", "version")),
        column("cinema", pgettext_lazy("spreadsheet column", "cinema"), "cinéma"),
        column("room", pgettext_lazy("spreadsheet column", "room"), "salle"),
        column("admissions", pgettext_lazy("spreadsheet column", "admissions"), "entrées"),
        column("receipts", pgettext_lazy("spreadsheet column", "gross receipts"), "recette"),
    )

    class Meta(SpreadsheetResource.Meta):
        model = Screening
        fields = ()

    def run_import(self, dataset, *, row_numbers, report, dry_run: bool, progress=None) -> None:
        report.errors.append(
            RowError(
                0,
                "",
                gettext("Screenings are imported through the box-office import: Films › Import."),
            )
        )

    def iter_export_rows(self, queryset=None) -> Iterator[list]:
        if queryset is None:
            queryset = Screening.objects.filter(site=self.site)
        zones = dict(OrganizationSettings.objects.values_list("site_id", "time_zone"))
        rows = queryset.select_related("film", "cinema", "version").order_by("starts_at", "pk")
        for screening in rows.iterator(chunk_size=2000):
            local = screening.starts_at.astimezone(ZoneInfo(zones.get(screening.site_id, "UTC")))
            yield [
                local.date(),
                local.strftime("%H:%M"),
                screening.film.title,
                screening.film.visa_number,
                screening.version.label if screening.version_id else screening.version_label,
                screening.cinema.title if screening.cinema_id else "",
                screening.room,
                screening.admissions,
                screening.gross_receipts,
            ]
