"""``python site/manage.py sync_openagenda --organization HOST [--push] [--pull] [--dry-run]``:
sync an organization's agenda with its OpenAgenda agenda (``events.openagenda.sync``).

Without ``--push`` or ``--pull``, both directions run as the organization's OpenAgenda settings
say. Messages are in the organization's language; a failure exits with a non-zero status and
changes nothing here."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from wagtail.models import Site

from events.openagenda.client import OpenAgendaError
from events.openagenda.sync import openagenda_sync
from organizations.models import OrganizationLanguage, OrganizationSettings


class Command(BaseCommand):
    help = "Send the agenda's published events to OpenAgenda and bring its events here."

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="Host name of its site.")
        parser.add_argument("--push", action="store_true", help="Send our events.")
        parser.add_argument("--pull", action="store_true", help="Bring OpenAgenda's events.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would change; change nothing."
        )

    def handle(self, *args, **options):
        hostname = options["organization"].strip().lower()
        site = Site.objects.filter(hostname=hostname).first()
        if site is None:
            raise CommandError(
                _("No organization has the host name “%(host)s”.") % {"host": hostname}
            )
        language = OrganizationLanguage(OrganizationSettings.for_site(site).language)
        push, pull = options["push"], options["pull"]
        if not push and not pull:
            push = pull = None  # as the settings say
        with translation.override(language.content_language):
            try:
                report = openagenda_sync(site, push=push, pull=pull, dry_run=options["dry_run"])
            except OpenAgendaError as error:
                raise CommandError(
                    _("The OpenAgenda sync failed, nothing was changed here: %(error)s")
                    % {"error": error}
                ) from None
            for line in report.lines:
                self.stdout.write(line)
            self.stdout.write(report.summary())
