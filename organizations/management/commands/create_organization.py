from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from organizations.models import OrganizationLanguage
from organizations.services import organization_create


class Command(BaseCommand):
    help = (
        "Create an organization in one step: its site, home page, settings, groups and the "
        "section pages of every installed plugin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Name of the organization.")
        parser.add_argument("--hostname", required=True, help="Host name of its website.")
        parser.add_argument("--port", type=int, default=80, help="Port of its website (80).")
        parser.add_argument(
            "--language",
            default=OrganizationLanguage.FR_CA.value,
            help="fr-ca, fr-fr or en (fr-ca).",
        )
        parser.add_argument("--time-zone", default="America/Toronto", help="IANA time zone.")
        parser.add_argument(
            "--default", action="store_true", help="Serve it for unknown host names."
        )

    def handle(self, *args, **options):
        try:
            site = organization_create(
                name=options["name"],
                hostname=options["hostname"],
                port=options["port"],
                language=options["language"].lower(),
                time_zone=options["time_zone"],
                is_default=options["default"],
            )
        except ValidationError as error:
            messages = [
                f"- {message}"
                for field_messages in error.message_dict.values()
                for message in field_messages
            ]
            raise CommandError(_("Nothing was created.") + "\n" + "\n".join(messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Organization “%(name)s” created: %(url)s")
                % {"name": site.site_name, "url": site.root_url}
            )
        )
