from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from crm_blocks.resources import RECORD_RESOURCES
from crm_blocks.services import records_export

from .import_records import organization_site


class Command(BaseCommand):
    help = "Export one organization's records to a CSV (UTF-8 with BOM), XLSX or ODS file."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(RECORD_RESOURCES))
        parser.add_argument("--organization", required=True, help="Host name of its site.")
        parser.add_argument("--format", choices=["csv", "xlsx", "ods"], default="csv")
        parser.add_argument("--output", required=True, type=Path)

    def handle(self, *args, **options):
        site = organization_site(options["organization"])
        content = records_export(site=site, kind=options["kind"], fmt=options["format"])
        output: Path = options["output"]
        try:
            output.write_bytes(content)
        except OSError as error:
            raise CommandError(
                _("Cannot write “%(file)s”: %(error)s")
                % {"file": output, "error": error.strerror}
            ) from error
        self.stdout.write(self.style.SUCCESS(_("Written: %(file)s") % {"file": output}))
