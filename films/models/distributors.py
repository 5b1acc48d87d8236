"""Distributors' part in the network: their logins (``DistributorAccess``: a Django group whose
page permissions cover the distributor's folder of the film database, and nothing else) and the
contacts they validated for the members' directory (``DistributorContact``)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from organizations.scoping import SiteScopedQuerySet


class DistributorAccess(models.Model):
    """The group of a distributor's users on one organization's site (the network)."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    distributor = models.OneToOneField(
        "crm_blocks.OrganizationPage",
        on_delete=models.CASCADE,
        related_name="distributor_access",
        verbose_name=_("distributor"),
    )
    folder = models.OneToOneField(
        "films.DistributorFilmsPage",
        on_delete=models.CASCADE,
        related_name="access",
        verbose_name=_("films folder"),
    )
    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="distributor_access")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SiteScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("distributor access")
        verbose_name_plural = _("distributor accesses")

    def __str__(self):
        return str(self.distributor_id)


class DistributorContactQuerySet(SiteScopedQuerySet):
    site_lookup = "site"

    def listed(self):
        """What members may read: validated by the distributor, with consent recorded."""
        return self.filter(validated_at__isnull=False, consent_at__isnull=False)


class DistributorContact(models.Model):
    """Someone members may call at a distributor (bookings, press, accessibility versions),
    listed once the distributor validated it and the person consented."""

    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    distributor = models.ForeignKey(
        "crm_blocks.OrganizationPage",
        on_delete=models.CASCADE,
        related_name="distributor_contacts",
        verbose_name=_("distributor"),
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=200, blank=True)
    territory = models.CharField(
        _("territory"), max_length=200, blank=True, help_text=_("Region, province or country.")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    validated_at = models.DateTimeField(_("validated on"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("validated by"),
    )
    consent_at = models.DateTimeField(_("consent given on"), null=True, blank=True)
    consent_text = models.TextField(
        _("consent"), blank=True, help_text=_("What the person agreed to, word for word.")
    )

    objects = DistributorContactQuerySet.as_manager()

    class Meta:
        ordering = ["distributor", "name"]
        verbose_name = _("distributor contact")
        verbose_name_plural = _("distributor contacts")

    def __str__(self):
        return self.name
