"""A public postal address with coordinates, shared by organization pages and organization
settings, and its schema.org form. (A record's *private* postal address lives on its Contact.)"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel

from structured_data.mixins import postal_address_node
from structured_data.nodes import GeoCoordinates, PostalAddress


class PublicAddress(models.Model):
    street_address = models.CharField(_("street address"), max_length=255, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    locality = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("province or region"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        abstract = True

    @staticmethod
    def address_panel(**kwargs) -> MultiFieldPanel:
        return MultiFieldPanel(
            [
                FieldPanel("street_address"),
                FieldRowPanel([FieldPanel("postal_code"), FieldPanel("locality")]),
                FieldRowPanel([FieldPanel("region"), FieldPanel("country")]),
                FieldRowPanel([FieldPanel("latitude"), FieldPanel("longitude")]),
            ],
            **kwargs,
        )

    @property
    def has_address(self) -> bool:
        return bool(self.street_address or self.locality)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def postal_address_node(self) -> PostalAddress | None:
        return postal_address_node(
            street_address=self.street_address,
            postal_code=self.postal_code,
            locality=self.locality,
            region=self.region,
            country=self.country,
        )

    def geo_node(self) -> GeoCoordinates | None:
        if not self.has_coordinates:
            return None
        return GeoCoordinates(latitude=float(self.latitude), longitude=float(self.longitude))
