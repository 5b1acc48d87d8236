"""``grant_distributor_access --organization HOST --distributor NAME [--email E]``: give a
distributor of the organization's CRM its login space (``films.distributors``), and invite a
login when ``--email`` is given. Running it again adds what is missing, nothing twice."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from crm_blocks.models import OrganizationPage
from organizations.models import OrganizationKind
from organizations.scoping import site_root_pages
from spreadsheets.management.commands.import_records import organization_site
from spreadsheets.text import name_key

from ...distributors import distributor_access_grant, distributor_user_add


class Command(BaseCommand):
    help = (
        "Give a distributor (an organization record of kind distributor) a login space on the "
        "organization's film database, and invite a login."
    )

    def add_arguments(self, parser):
        parser.add_argument("--organization", required=True, help="Host name of its site.")
        parser.add_argument("--distributor", required=True, help="The distributor record's name.")
        parser.add_argument("--email", help="E-mail of a login to create and invite.")
        parser.add_argument(
            "--no-invitation", action="store_true", help="Create the login without e-mailing it."
        )

    def handle(self, *args, **options):
        site = organization_site(options["organization"])
        wanted = name_key(options["distributor"])
        candidates = OrganizationPage.objects.filter(kind=OrganizationKind.DISTRIBUTOR)
        found = [
            page
            for root in site_root_pages(site)
            for page in candidates.descendant_of(root)
            if name_key(page.title) == wanted
        ]
        originals = {page.translation_key: page for page in sorted(found, key=lambda p: p.pk)}
        if not originals:
            raise CommandError(
                _("No distributor of this organization is called “%(name)s”.")
                % {"name": options["distributor"]}
            )
        if len(originals) > 1:
            raise CommandError(
                _("Several distributors are called “%(name)s”: rename one first.")
                % {"name": options["distributor"]}
            )
        distributor = next(iter(originals.values()))
        try:
            access = distributor_access_grant(site=site, distributor=distributor)
            if options.get("email"):
                distributor_user_add(
                    access=access, email=options["email"], invite=not options["no_invitation"]
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(
            _("%(distributor)s: folder “%(folder)s”, group “%(group)s”, %(count)d login(s).")
            % {
                "distributor": distributor.title,
                "folder": access.folder.title,
                "group": access.group.name,
                "count": access.group.user_set.count(),
            }
        )
