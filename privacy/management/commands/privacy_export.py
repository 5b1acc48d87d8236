"""``privacy_export``: the copy of everything an organization holds about a person (access and
portability), as the ZIP file the member space and the admin hand over.

The file is written beside its destination and renamed once complete: a failed export leaves
no partial file behind."""

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from privacy.portability import export_subject

from ._subject import add_subject_arguments, subject_from_options


class Command(BaseCommand):
    help = "Write everything an organization holds about a person (by e-mail) to a ZIP file."

    def add_arguments(self, parser):
        add_subject_arguments(parser)
        parser.add_argument("--output", required=True, help="The ZIP file to write.")
        parser.add_argument(
            "--language",
            default=settings.LANGUAGE_CODE.split("-")[0],
            choices=[code for code, _name in settings.LANGUAGES],
            help="The language of the readable summary.",
        )

    def handle(self, *args, **options):
        subject = subject_from_options(options)
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(
                _("The folder “%(folder)s” does not exist.") % {"folder": output.parent}
            )
        data = export_subject(subject, language=options["language"])
        handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=".privacy-export-")
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, output)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(
            _("Wrote %(path)s (%(size)d bytes).") % {"path": output, "size": len(data)}
        )
