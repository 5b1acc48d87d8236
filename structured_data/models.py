"""The last check of each published page's graph.

Why a table: the admin dashboard counts the published pages whose structured data has errors,
for every user, on every visit. Rebuilding each page's graph there would cost a dozen queries per
page; the result of the last check is kept instead, written when a page is published (by the
worker, see ``tasks``), when an organization's settings change, and by ``check_structured_data``.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PageCheckQuerySet(models.QuerySet):
    def current(self):
        """Checks of what is published now: a live page, checked at its live revision (a check
        of an older revision says nothing of the page as it is)."""
        return self.filter(page__live=True, revision=models.F("page__live_revision"))

    def with_errors(self):
        return self.filter(errors__gt=0)


class PageCheck(models.Model):
    """How many errors and warnings a published page's graph had when it was last checked."""

    page = models.OneToOneField(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=_("page"),
    )
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked revision"),
    )
    errors = models.PositiveIntegerField(_("errors"), default=0)
    warnings = models.PositiveIntegerField(_("warnings"), default=0)
    checked_at = models.DateTimeField(_("checked at"))

    objects = PageCheckQuerySet.as_manager()

    class Meta:
        verbose_name = _("structured data check")
        verbose_name_plural = _("structured data checks")
        indexes = [models.Index(fields=["errors"], name="structured_data_check_errors")]

    def __str__(self):
        return f"{self.page_id}: {self.errors} error(s), {self.warnings} warning(s)"
