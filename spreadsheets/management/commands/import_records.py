from importlib import import_module
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from wagtail.models import Site

from spreadsheets.files import SpreadsheetError
from spreadsheets.pipeline import spreadsheet_import
from spreadsheets.registry import kinds


def organization_site(hostname: str) -> Site:
    site = Site.objects.filter(hostname=hostname.strip().lower()).first()
    if site is None:
        raise CommandError(_("No organization has the host name “%(host)s”.") % {"host": hostname})
    return site


class Command(BaseCommand):
    help = (
        "Import a CSV, XLSX or ODS file of a registered kind (people, organizations, "
        "memberships, …) into one organization (all or nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "kind", choices=sorted(name for name, kind in kinds().items() if kind.importable)
        )
        parser.add_argument("file", type=Path)
        parser.add_argument("--organization", required=True, help="Host name of its site.")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument("--publish", action="store_true", help="Publish new records.")
        for kind in kinds().values():
            if kind.importable and kind.command:
                import_module(kind.command).add_arguments(parser)

    def handle(self, *args, **options):
        site = organization_site(options["organization"])
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read “%(file)s”: %(error)s") % {"file": path, "error": error.strerror}
            ) from error
        command = kinds()[options["kind"]].command
        if command:
            import_module(command).import_file(
                self, site=site, path=path, data=data, options=options
            )
            return
        try:
            report = spreadsheet_import(
                site=site,
                kind=options["kind"],
                data=data,
                filename=path.name,
                dry_run=options["dry_run"],
                publish=options["publish"],
            )
        except (SpreadsheetError, ValueError) as error:
            raise CommandError(str(error)) from error
        if report.unknown_columns:
            self.stdout.write(
                _("Columns ignored: %(columns)s") % {"columns": ", ".join(report.unknown_columns)}
            )
        if not report.ok:
            lines = [
                _("Row %(row)s, %(field)s: %(message)s")
                % {"row": error.row, "field": error.field or "—", "message": error.message}
                if error.row
                else error.message
                for error in report.errors
            ]
            raise CommandError(_("Nothing was imported.") + "\n" + "\n".join(lines))
        summary = _("%(new)s new, %(updated)s updated, %(unchanged)s unchanged.") % {
            "new": report.new,
            "updated": report.updated,
            "unchanged": report.unchanged,
        }
        if report.dry_run:
            summary = _("Dry run, nothing written: ") + summary
        self.stdout.write(self.style.SUCCESS(summary))
