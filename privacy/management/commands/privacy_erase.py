"""``privacy_erase``: erase everything an organization holds about a person (by e-mail), but
what a legal reason keeps, anonymized; ``--dry-run`` only lists what would be done.

One transaction: on any error nothing is erased. What remains is a proof of the erasure,
whose reference is printed."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from privacy.erasure import erase_subject, erasure_plan

from ._subject import add_subject_arguments, subject_from_options


class Command(BaseCommand):
    help = (
        "Erase a person's personal information (by e-mail) from an organization, keeping "
        "anonymized what the law requires; --dry-run lists what would be done."
    )

    def add_arguments(self, parser):
        add_subject_arguments(parser)
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be done; erase nothing."
        )

    def handle(self, *args, **options):
        subject = subject_from_options(options)
        plan = erasure_plan(subject)
        if not plan:
            raise CommandError(
                _("%(organization)s holds nothing under the address %(address)s.")
                % {
                    "organization": subject.site.site_name or subject.site.hostname,
                    "address": subject.email,
                }
            )
        for line in plan:
            self.stdout.write(
                _("%(label)s: %(deleted)d deleted, %(anonymized)d anonymized, %(kept)d kept")
                % {
                    "label": line.source.label,
                    "deleted": line.deleted,
                    "anonymized": line.anonymized,
                    "kept": line.kept,
                }
            )
            if line.anonymized or line.kept:
                self.stdout.write(f"  {line.reason}")
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was erased."))
            return
        proof = erase_subject(subject, by_name=_("command privacy_erase"))
        self.stdout.write(
            _("Erased. Proof reference: %(reference)s") % {"reference": proof.reference}
        )
