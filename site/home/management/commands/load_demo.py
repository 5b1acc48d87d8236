import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from home.demo import DemoDataError, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo organizations from fixtures/demo/ (sites, pages, CRM data, accounts). "
        "Safe to run again: existing demo organizations are left as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--port",
            type=int,
            default=int(os.environ.get("PORT") or 8000),
            help="Port the demo server listens on, used in the sites' URLs (env PORT or 8000).",
        )

    def handle(self, *args, **options):
        try:
            result = load_demo(port=options["port"], stdout=self.stdout)
        except (ValidationError, DemoDataError) as error:
            raise CommandError(f"Nothing was loaded: {error}") from error

        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo ready."))
        for organization in result.organizations:
            self.stdout.write(f"  {organization.name}: {organization.site.root_url}/")
        self.stdout.write(f"  Administration: {result.admin_url}")
        self.stdout.write("")
        self.stdout.write("Logins (demo only):")
        for account in result.accounts:
            where = (
                f"{account.role}, {account.organization}" if account.organization else account.role
            )
            password = account.password if account.created else f"{account.password} (if unchanged)"
            self.stdout.write(f"  {account.username} / {password}  — {where}")
