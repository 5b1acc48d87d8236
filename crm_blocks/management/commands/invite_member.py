from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from wagtail.models import Site

from crm_blocks.members import InvitationError, member_invite


class Command(BaseCommand):
    help = (
        "Give a person of an organization's CRM a login to its member space, and e-mail them "
        "a link to choose their password (again, to send a new link)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="Host name of its site.")
        parser.add_argument(
            "--email", required=True, help="The e-mail of the person's record in its CRM."
        )

    def handle(self, *args, **options):
        hostname = options["organization"].strip().lower()
        site = Site.objects.filter(hostname=hostname).first()
        if site is None:
            raise CommandError(
                _("No organization has the host name “%(host)s”.") % {"host": hostname}
            )
        try:
            account = member_invite(site=site, email=options["email"])
        except InvitationError as error:
            raise CommandError(error.messages[0]) from None
        except OSError as error:  # the e-mail server (SMTP errors are OSErrors)
            raise CommandError(
                _(
                    "The login is ready, but the e-mail could not be sent (%(error)s): invite "
                    "them again later."
                )
                % {"error": error}
            ) from None
        self.stdout.write(
            _("Invitation sent to %(address)s (login: %(login)s).")
            % {"address": account.user.email, "login": account.user.get_username()}
        )
