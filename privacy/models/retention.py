"""Retention: each organization's periods (``RetentionPolicy``), and a report of each run
(``RetentionRun``); the rules themselves are registered by the plugins (``privacy.retention``)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Site

from organizations.scoping import SiteScopedQuerySet


class RetentionPolicy(models.Model):
    site = models.OneToOneField(
        Site,
        on_delete=models.CASCADE,
        related_name="retention_policy",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    #: ``{rule key: period}`` in the rule's unit; ``null`` switches a rule off; a rule missing
    #: here has its default period.
    periods = models.JSONField(_("periods"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated on"), auto_now=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")

    def __str__(self):
        return str(self.site)


class RetentionRun(models.Model):
    class Trigger(models.TextChoices):
        DAILY = "daily", _("Daily round")
        MANUAL = "manual", _("Run by staff")

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="retention_runs",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    ran_at = models.DateTimeField(_("run on"))
    trigger = models.CharField(
        _("started by"), max_length=10, choices=Trigger.choices, default=Trigger.DAILY
    )
    #: Per rule: its label, period, how many items were found and how many were done.
    results = models.JSONField(_("results"), default=list)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-ran_at", "-pk"]
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")

    def __str__(self):
        return f"{self.ran_at:%Y-%m-%d %H:%M}"

    @property
    def total_done(self) -> int:
        return sum(line.get("done", 0) for line in self.results)
