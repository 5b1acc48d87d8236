"""The staff access log: who looked at, exported or changed which record's private details, when.

Quebec's Law 25 and the GDPR both ask that an organization can tell who reached a person's
information. One row per event, written by ``privacy.access`` (a middleware for views, signals
for changes, a spreadsheets hook for exports): never the values themselves, only the names of
the fields changed and, for a bulk export, how many rows left. Rows are kept for the period
each organization chooses (``AccessLogSettings``), then purged.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site

from organizations.scoping import SiteScopedQuerySet

#: How long the log is kept when an organization has not said (one year).
DEFAULT_RETENTION_DAYS = 365


class AccessLogAction(models.TextChoices):
    VIEWED = "viewed", pgettext_lazy("access log action", "Viewed")
    EXPORTED = "exported", pgettext_lazy("access log action", "Exported")
    CREATED = "created", pgettext_lazy("access log action", "Created")
    CHANGED = "changed", pgettext_lazy("access log action", "Changed")
    DELETED = "deleted", pgettext_lazy("access log action", "Deleted")


class AccessLogQuerySet(SiteScopedQuerySet):
    def older_than(self, moment):
        return self.filter(at__lt=moment)


class AccessLog(models.Model):
    """One access to private details by someone (or by a command, ``actor``)."""

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    #: The user's name when it happened (kept once the account is gone), or the command's.
    actor = models.CharField(_("by"), max_length=150)
    action = models.CharField(_("action"), max_length=16, choices=AccessLogAction.choices)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("kind of record"),
    )
    object_id = models.CharField(_("record id"), max_length=64, blank=True)
    #: What staff called the record then (its name): a bulk export has none.
    object_label = models.CharField(_("record"), max_length=255, blank=True)
    #: Names of the fields created or changed, never their values.
    fields = models.JSONField(_("fields"), default=list, blank=True)
    #: Rows of a bulk export.
    rows = models.PositiveIntegerField(_("rows"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=100, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["site", "at"], name="privacy_accesslog_site_at"),
            models.Index(fields=["content_type", "object_id"], name="privacy_accesslog_object"),
        ]

    def __str__(self):
        return f"{self.actor} — {self.get_action_display()} — {self.object_label}"

    @property
    def fields_display(self) -> str:
        return ", ".join(self.fields or ())


@register_setting(icon="history")
class AccessLogSettings(BaseSiteSetting):
    """How long an organization keeps its access log."""

    retention_days = models.PositiveIntegerField(
        _("keep the access log (days)"),
        default=DEFAULT_RETENTION_DAYS,
        validators=[MinValueValidator(30), MaxValueValidator(3650)],
        help_text=_("Entries older than this are deleted every day (365 for one year)."),
    )

    panels = [FieldPanel("retention_days")]

    class Meta:
        verbose_name = _("access log settings")
        verbose_name_plural = _("access log settings")
