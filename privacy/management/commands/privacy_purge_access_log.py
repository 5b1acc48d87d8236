"""Delete the access log's entries older than each organization keeps them (a year unless its
access log settings say otherwise): ``python site/manage.py privacy_purge_access_log``."""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from privacy.access import purge_access_log


class Command(BaseCommand):
    help = (
        "Delete the access log entries older than each organization's retention period "
        "(365 days unless its access log settings say otherwise)."
    )

    def handle(self, *args, **options):
        deleted = purge_access_log()
        self.stdout.write(
            self.style.SUCCESS(
                ngettext(
                    "%(count)s access log entry deleted.",
                    "%(count)s access log entries deleted.",
                    deleted,
                )
                % {"count": deleted}
            )
        )
