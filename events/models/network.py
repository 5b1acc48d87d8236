"""A member organization's consent to show its public events in a network's agenda.

A network (an association of cinemas, an ``OrganizationSettings.kind`` of ``network``) on the
same installation shows in its agenda the public events of the members that chose it here, and
of no other organization: sharing is opted in by the member, never taken by the network.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Site

from organizations.models import OrganizationKind, OrganizationSettings

from ..panels import EmbedSnippetPanel
from .pages import EventIndexPage


def network_sites():
    """The organizations of the installation that are networks (their settings say so)."""
    return Site.objects.filter(organizationsettings__kind=OrganizationKind.NETWORK)


def network_label(site: Site) -> str:
    settings = getattr(site, "organizationsettings", None)
    return str(settings) if settings is not None else site.site_name or site.hostname


class NetworkSharingForm(WagtailAdminModelForm):
    """The networks offered are the installation's networks, named as they name themselves,
    the organization's own site left out."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("network")
        if field is not None:
            sites = network_sites().select_related("organizationsettings").order_by("site_name")
            if self.instance.site_id:
                sites = sites.exclude(pk=self.instance.site_id)
            field.queryset = sites
            field.label_from_instance = network_label


@register_setting(icon="calendar")
class NetworkSharing(BaseSiteSetting):
    """Which network's agenda shows this organization's public events (``share_events``)."""

    network = models.ForeignKey(
        Site,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="network_members",
        limit_choices_to={"organizationsettings__kind": OrganizationKind.NETWORK},
        verbose_name=_("network"),
        help_text=_("The association or network whose agenda may show your events."),
    )
    share_events = models.BooleanField(
        _("share my public events with the network"),
        default=False,
        help_text=_(
            "Your published events, without view restriction, appear in the network's agenda "
            "with a link to their page on your site. Drafts and private pages never do."
        ),
    )

    base_form_class = NetworkSharingForm
    panels = [
        FieldPanel("network", widget=forms.Select),
        FieldPanel("share_events"),
        EmbedSnippetPanel(heading=_("Show your agenda on another website")),
    ]

    class Meta:
        verbose_name = _("network agenda")
        verbose_name_plural = _("network agenda")

    def __str__(self):
        return str(self.site)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The network it shared with before a change: its agenda is forgotten too.
        instance.network_id_at_load = instance.__dict__.get("network_id")
        return instance

    def clean(self):
        super().clean()
        if self.network_id is None:
            if self.share_events:
                raise ValidationError(
                    {"network": _("Choose the network to share your events with.")}
                )
            return
        if self.network_id == self.site_id:
            raise ValidationError({"network": _("An organization cannot be its own network.")})
        kind = (
            OrganizationSettings.objects.filter(site_id=self.network_id)
            .values_list("kind", flat=True)
            .first()
        )
        if kind != OrganizationKind.NETWORK:
            raise ValidationError({"network": _("This organization is not a network.")})

    def embed_agendas(self) -> list:
        """The agendas whose embed code the settings screen shows: the organization's own, and
        the network's showing this organization's events only (``?cinema=``)."""
        agendas = []
        own = EventIndexPage.objects.child_of(self.site.root_page).first()
        if own is not None:
            agendas.append((own, ""))
        if self.network_id and self.share_events:
            network = EventIndexPage.objects.child_of(self.network.root_page).first()
            if network is not None and network.show_network_members:
                agendas.append((network, self.site.hostname))
        return agendas


class NetworkMembersForm(WagtailAdminModelForm):
    """The organizations offered are those that chose this network in their own settings."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("accepted_members")
        if field is not None:
            field.queryset = (
                Site.objects.filter(networksharing__network_id=self.instance.site_id)
                .select_related("organizationsettings")
                .order_by("site_name")
            )
            field.label_from_instance = network_label


@register_setting(icon="group")
class NetworkMembers(BaseSiteSetting):
    """A network's side of sharing: the organizations it accepts as members. An organization
    that chose the network shows nothing in its agenda, its film pages or its embeds until the
    network accepts it — nobody publishes on another organization's site by itself."""

    accepted_members = models.ManyToManyField(
        Site,
        blank=True,
        related_name="accepted_by_networks",
        verbose_name=_("accepted members"),
        help_text=_(
            "The organizations that chose your network in their own settings. Tick those you "
            "accept: their public events and screenings then appear in your agenda."
        ),
    )

    base_form_class = NetworkMembersForm
    panels = [FieldPanel("accepted_members", widget=forms.CheckboxSelectMultiple)]

    class Meta:
        verbose_name = _("network members")
        verbose_name_plural = _("network members")

    def __str__(self):
        return str(self.site)
