"""Keep the dates of repeating events stored about two years ahead (what the daily task does,
for installations that prefer cron)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from events.services import events_horizon_extend


class Command(BaseCommand):
    help = "Store the dates of repeating events up to about two years ahead."

    def handle(self, *args, **options):
        count = events_horizon_extend()
        self.stdout.write(_("%(count)d repeating events extended.") % {"count": count})
