"""An event's private twin: what staff note about it and who proposed it, never published."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from organizations.registry import OrganizationRole
from privacy.models import PrivateRecord


class EventPrivate(PrivateRecord):
    """Internal notes, budget lines and the contributor's details of one event (shared by its
    translations). Editors of the organization see them; nobody else, nowhere else."""

    view_roles = (OrganizationRole.EDITORS, OrganizationRole.CRM_STAFF)

    internal_notes = models.TextField(_("internal notes"), blank=True)
    budget = models.TextField(
        _("budget lines"),
        blank=True,
        help_text=_("One line per item, for example “Projectionniste : 150 $”."),
    )
    contributor_name = models.CharField(_("contributor's name"), max_length=200, blank=True)
    contributor_email = models.EmailField(_("contributor's e-mail"), blank=True)
    contributor_consent = models.TextField(
        _("consent given by the contributor"),
        blank=True,
        help_text=_("The wording the contributor agreed to, as it was shown to them."),
    )
    contributed_at = models.DateTimeField(_("proposed on"), null=True, blank=True)
    contributor_answered_at = models.DateTimeField(
        _("contributor told on"),
        null=True,
        blank=True,
        help_text=_("When the contributor was told that the event was published or refused."),
    )

    class Meta:
        verbose_name = _("private details of an event")
        verbose_name_plural = _("private details of events")
