from django.core.management.base import BaseCommand

from organizations.services import organizations_sync


class Command(BaseCommand):
    help = (
        "Give every existing organization what the installed plugins declare and it never got "
        "(groups, permissions, section pages), without touching what staff changed. "
        "Runs after every migrate too."
    )

    def handle(self, *args, **options):
        report = organizations_sync()
        self.stdout.write(report.summary())
