"""An organization's link with its OpenAgenda agenda: the keys and choices of the sync
(``OpenAgendaSettings``, a site setting, never revisioned) and which local event is which event
on OpenAgenda (``OpenAgendaLink``), so that each run updates instead of copying.

The secret key is private: it is declared in ``events.declarations`` (privacy registry), the
admin form never shows it again once saved (``events.openagenda_forms``), and no message,
log or export prints it (``events.openagenda.client`` keeps it to the token request).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from ..openagenda_forms import OpenAgendaSettingsForm


class OpenAgendaPullMode(models.TextChoices):
    DRAFT = "draft", _("As drafts, for an editor to publish")
    PUBLISHED = "published", _("Published at once")


@register_setting(icon="calendar-alt")
class OpenAgendaSettings(BaseSiteSetting):
    """Where the organization's agenda meets OpenAgenda: which agenda, with which keys, and
    which way events go."""

    agenda_uid = models.CharField(
        _("agenda identifier"),
        max_length=32,
        blank=True,
        help_text=_("The number shown at the bottom of the agenda's sidebar on OpenAgenda."),
    )
    public_key = models.CharField(
        _("public key"),
        max_length=100,
        blank=True,
        help_text=_("Reads the agenda (the API section of your OpenAgenda account settings)."),
    )
    secret_key = models.CharField(
        _("secret key"),
        max_length=200,
        blank=True,
        help_text=_("Writes to the agenda; OpenAgenda's support grants it on request."),
    )
    push = models.BooleanField(
        _("send our events to OpenAgenda"),
        default=False,
        help_text=_("The agenda's published events, updated and removed as they change here."),
    )
    pull = models.BooleanField(
        _("bring OpenAgenda's events here"),
        default=False,
        help_text=_("The events of the OpenAgenda agenda become events of our agenda."),
    )
    pull_mode = models.CharField(
        _("events brought here arrive"),
        max_length=10,
        choices=OpenAgendaPullMode.choices,
        default=OpenAgendaPullMode.DRAFT,
    )
    default_location_uid = models.CharField(
        _("default OpenAgenda place"),
        max_length=32,
        blank=True,
        help_text=_(
            "The identifier of an OpenAgenda place for events that name none (OpenAgenda "
            "requires a place for events that are not only online)."
        ),
    )
    last_synced_at = models.DateTimeField(_("last synchronized"), null=True, blank=True)

    base_form_class = OpenAgendaSettingsForm
    panels = [
        MultiFieldPanel(
            [
                FieldPanel("agenda_uid"),
                FieldRowPanel([FieldPanel("public_key"), FieldPanel("secret_key")]),
                FieldPanel("forget_secret_key"),
            ],
            heading=_("Agenda and keys"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("push"),
                FieldPanel("pull"),
                FieldPanel("pull_mode"),
                FieldPanel("default_location_uid"),
            ],
            heading=_("Synchronization"),
        ),
        FieldPanel("last_synced_at", read_only=True),
    ]

    class Meta:
        verbose_name = _("OpenAgenda")
        verbose_name_plural = _("OpenAgenda")

    def __str__(self):
        return f"OpenAgenda {self.agenda_uid or '-'}"

    @property
    def has_secret_key(self) -> bool:
        return bool(self.secret_key)

    def is_configured(self) -> bool:
        return bool(self.agenda_uid and (self.public_key or self.secret_key))


class OpenAgendaLink(models.Model):
    """One local event and its event on OpenAgenda. ``direction`` says which side is the
    source: a pushed event is ours (its ``extIds`` carry our key), a pulled one OpenAgenda's.
    The event is kept ``None`` when the page is deleted, so that the next push removes it
    from OpenAgenda too."""

    class Direction(models.TextChoices):
        PUSH = "push", _("Sent to OpenAgenda")
        PULL = "pull", _("Brought from OpenAgenda")

    site = models.ForeignKey(
        "wagtailcore.Site", on_delete=models.CASCADE, related_name="+", verbose_name=_("site")
    )
    event = models.ForeignKey(
        "events.EventPage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="openagenda_links",
        verbose_name=_("event"),
    )
    direction = models.CharField(_("direction"), max_length=4, choices=Direction.choices)
    openagenda_uid = models.CharField(_("OpenAgenda identifier"), max_length=32)
    #: Our stable identifier of the event (its ``translation_key``), the value of its extId.
    external_value = models.CharField(max_length=64, blank=True)
    #: A digest of what was last sent: an unchanged event is not sent again.
    pushed_fingerprint = models.CharField(max_length=64, blank=True)
    #: OpenAgenda's ``updatedAt`` of the version last brought here.
    pulled_updated_at = models.CharField(max_length=40, blank=True)
    synced_at = models.DateTimeField(_("synchronized"), auto_now=True)

    class Meta:
        verbose_name = _("OpenAgenda link")
        verbose_name_plural = _("OpenAgenda links")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "openagenda_uid"], name="events_openagenda_link_unique_uid"
            ),
            models.UniqueConstraint(
                fields=["site", "event"],
                condition=models.Q(event__isnull=False),
                name="events_openagenda_link_unique_event",
            ),
        ]

    def __str__(self):
        return f"{self.event_id} ↔ {self.openagenda_uid}"
