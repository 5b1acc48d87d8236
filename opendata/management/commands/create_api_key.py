"""``create_api_key``: staff make an API key for a member (who lost access to their member
space, or whose script runs on the organization's servers) and hand it over.

Only the key is printed on the standard output, so that a script can capture it; every refusal
(unknown organization or member, membership not current) is an error with nothing written."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from wagtail.models import Site

from opendata.apikeys import ApiKeyError, api_key_create, member_for_email


class Command(BaseCommand):
    help = (
        "Make an API key for a member of an organization whose membership is current, and "
        "print it (it is shown only once)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="Host name of its site.")
        parser.add_argument(
            "--email",
            required=True,
            help="The e-mail of the member's login or of their person's record.",
        )
        parser.add_argument("--name", default="", help="What the key is for (shown in lists).")

    def handle(self, *args, **options):
        hostname = options["organization"].strip().lower()
        site = Site.objects.filter(hostname=hostname).first()
        if site is None:
            raise CommandError(
                _("No organization has the host name “%(host)s”.") % {"host": hostname}
            )
        try:
            account = member_for_email(site, options["email"])
            _key, secret = api_key_create(account=account, name=options["name"])
        except ApiKeyError as error:
            raise CommandError(error.messages[0]) from None
        self.stdout.write(secret)
