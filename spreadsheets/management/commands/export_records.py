"""Export one organization's rows of a kind (people, organizations, memberships, …) to a
spreadsheet file.

The file is written next to ``--output`` under a temporary name and renamed once complete: an
export that fails half-way (a full disk, a database error, Ctrl+C) leaves no half-written file,
and an existing file is replaced only by a whole new one.
"""

import contextlib
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail import hooks

from spreadsheets.exports import AFTER_EXPORT_HOOK, export_file
from spreadsheets.files import FORMATS
from spreadsheets.pipeline import resource_class_for
from spreadsheets.registry import kinds

from .import_records import organization_site


class Command(BaseCommand):
    help = (
        "Export one organization's rows of a registered kind (people, organizations, "
        "memberships, …) to a CSV (UTF-8 with BOM), XLSX or ODS file, with canonical column "
        "names (or headers in --language)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(kinds()))
        parser.add_argument("--organization", required=True, help="Host name of its site.")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            help="csv, xlsx or ods (default: the output file's extension, else csv).",
        )
        parser.add_argument("--output", required=True, type=Path, help="The file to write.")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Headers in this language instead of the canonical column names.",
        )

    def handle(self, *args, **options):
        site = organization_site(options["organization"])
        output: Path = options["output"]
        extension = output.suffix.lower().lstrip(".")
        fmt = options["format"] or (extension if extension in FORMATS else "csv")
        if output.is_dir():
            raise CommandError(_("“%(file)s” is a folder, not a file.") % {"file": output})
        try:
            partial = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below
                dir=output.parent, prefix=f".{output.name}.", suffix=".part", delete=False
            )
        except OSError as error:
            raise _cannot_write(output, error) from error
        try:
            with partial:
                count = export_file(
                    kind=options["kind"],
                    fmt=fmt,
                    site=site,
                    language=options["language"],
                    output=partial,
                )
                partial.flush()
                os.fsync(partial.fileno())  # complete on disk before it takes the name
            os.chmod(partial.name, _file_mode(output))
            os.replace(partial.name, output)
        except OSError as error:
            _remove(partial.name)
            raise _cannot_write(output, error) from error
        except BaseException:
            _remove(partial.name)
            raise
        model = resource_class_for(options["kind"])._meta.model
        for after_export in hooks.get_hooks(AFTER_EXPORT_HOOK):
            after_export(None, model=model, kind=options["kind"], fmt=fmt, rows=count, sites=[site])
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "%(count)s row written to %(file)s.",
                    "%(count)s rows written to %(file)s.",
                    count,
                )
                % {"count": count, "file": output}
            )
        )


def _cannot_write(output: Path, error: OSError) -> CommandError:
    return CommandError(
        _("Cannot write “%(file)s”: %(error)s") % {"file": output, "error": error.strerror or error}
    )


def _file_mode(output: Path) -> int:
    """The mode a plain ``open(output, "w")`` would give: the existing file's, or the default
    under the umask (a temporary file is created readable by its owner only)."""
    with contextlib.suppress(OSError):
        return output.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
