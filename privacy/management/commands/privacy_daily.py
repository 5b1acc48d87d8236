"""``privacy_daily``: the privacy plugin's daily round, from cron where no worker runs
(reminders to the people in charge about requests due within a week or late, the retention
rules of every organization, the access log's retention)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from privacy.tasks import privacy_daily


class Command(BaseCommand):
    help = "Run the privacy plugin's daily round (reminders about requests to answer)."

    def handle(self, *args, **options):
        done = privacy_daily()
        self.stdout.write(_("Reminders sent: %(count)d") % {"count": done["reminders"]})
        self.stdout.write(
            _("Destroyed or anonymized by the retention rules: %(count)d")
            % {"count": done["retention"]}
        )
