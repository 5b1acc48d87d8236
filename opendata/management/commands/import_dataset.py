from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.models import Site

from opendata.inference import (
    UploadRefused,
    dataset_upload,
    propose_columns,
    read_upload,
    unknown_columns,
    with_members_only,
)
from opendata.models import DatasetAccess, DatasetIndexPage, DatasetPage, SourceKind
from opendata.tables import NoData, all_fields
from spreadsheets.files import SpreadsheetError


class Command(BaseCommand):
    help = (
        "Create or replace an uploaded dataset of an organization's data portal from a CSV, "
        "XLSX or ODS file (all or nothing), and print its dataset_id."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--organization", required=True, help="Host name of its site.")
        parser.add_argument("--title", required=True, help="The dataset's title.")
        parser.add_argument(
            "--slug", help="The dataset's slug in the portal (made from the title if omitted)."
        )
        parser.add_argument(
            "--access",
            choices=[choice.value for choice in DatasetAccess],
            help="Who reads the data (a new dataset: public).",
        )
        parser.add_argument(
            "--members-fields",
            default="",
            help="Columns read by members only, by name, separated by commas.",
        )
        parser.add_argument(
            "--publish", action="store_true", help="Publish the dataset (a new one is a draft)."
        )

    def handle(self, *args, **options):
        hostname = options["organization"].strip().lower()
        site = Site.objects.filter(hostname=hostname).first()
        if site is None:
            raise CommandError(
                _("No organization has the host name “%(host)s”.") % {"host": hostname}
            )
        portal = DatasetIndexPage.objects.descendant_of(site.root_page).first()
        if portal is None:
            raise CommandError(_("This organization has no data portal."))
        slug = slugify(options["slug"] or options["title"])
        if not slug:
            raise CommandError(_("Give the dataset a slug of letters and digits."))
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read “%(file)s”: %(error)s") % {"file": path, "error": error.strerror}
            ) from None
        try:
            table = read_upload(data, path.name)
        except SpreadsheetError as error:
            raise CommandError(str(error)) from None

        dataset = DatasetPage.objects.child_of(portal).filter(slug=slug).first()
        if dataset is not None and dataset.source_kind != SourceKind.UPLOAD:
            raise CommandError(
                _("The dataset “%(slug)s” shows live records: it has no table to replace.")
                % {"slug": slug}
            )
        previous = ()
        if dataset is not None:
            try:
                previous = all_fields(dataset)
            except NoData:
                previous = ()
        columns = propose_columns(table, previous)
        members = [n.strip() for n in options["members_fields"].split(",") if n.strip()]
        unknown = unknown_columns(columns, members)
        if unknown:
            raise CommandError(
                _("No column is named %(names)s. The file's columns: %(columns)s.")
                % {"names": ", ".join(unknown), "columns": ", ".join(c.name for c in columns)}
            )
        columns = with_members_only(columns, members)
        try:
            with transaction.atomic():
                dataset = self.dataset(portal, dataset, slug, path.name, options)
                stored = dataset_upload(dataset, table, columns, filename=path.name)
        except ValidationError as invalid:
            raise CommandError(" ".join(invalid.messages)) from None
        except UploadRefused as refused:
            lines = [
                _("Row %(row)s, %(field)s: %(message)s")
                % {"row": error.row, "field": error.column, "message": error.message}
                for error in refused.check.errors
            ]
            if refused.check.error_count > len(refused.check.errors):
                lines.append(
                    _("… and %(count)s more errors.")
                    % {"count": refused.check.error_count - len(refused.check.errors)}
                )
            raise CommandError(_("Nothing was imported.") + "\n" + "\n".join(lines)) from None
        self.stderr.write(
            ngettext(
                "%(rows)s row stored in “%(title)s”.",
                "%(rows)s rows stored in “%(title)s”.",
                stored.row_count,
            )
            % {"rows": stored.row_count, "title": dataset.title}
        )
        self.stdout.write(dataset.identifier)

    def dataset(self, portal, dataset, slug, filename, options) -> DatasetPage:
        """The dataset to fill: a new page, or the existing one with its title and access
        brought up to date (a new revision, published if it is live or ``--publish``)."""
        access = options["access"]
        if dataset is None:
            dataset = portal.add_child(
                instance=DatasetPage(
                    title=options["title"],
                    slug=slug,
                    description=_("Data of the file “%(file)s”.") % {"file": filename},
                    source_kind=SourceKind.UPLOAD,
                    access=access or DatasetAccess.PUBLIC,
                    live=False,
                )
            )
            revision = dataset.save_revision()
            if options["publish"]:
                revision.publish()
                dataset.refresh_from_db()
            return dataset
        changed = dataset.title != options["title"] or (access and dataset.access != access)
        if changed or (options["publish"] and not dataset.live):
            if dataset.live and dataset.has_unpublished_changes:
                # Publishing would publish an editor's draft nobody approved (it may open a
                # members-only dataset to the public): the operator settles it first.
                raise CommandError(
                    _(
                        "“%(title)s” has changes waiting in the admin: publish or discard them "
                        "before changing its title or access here (nothing was imported)."
                    )
                    % {"title": dataset.title}
                )
            draft = dataset.get_latest_revision_as_object()
            draft.title = options["title"]
            draft.access = access or draft.access
            revision = draft.save_revision()
            if options["publish"] or dataset.live:
                revision.publish()
            dataset.refresh_from_db()
        return dataset
