"""What the equipment desk keeps of a unit's condition beyond words: photos of damage, taken
on departure or on return.

A photo is a Wagtail document in the organization's private collection (served to its signed-in
staff only, see ``docs/architecture.md``, *Private documents*); this row ties it to the booked
unit it shows.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.documents import get_document_model_string

from organizations.scoping import SiteScopedQuerySet

from .bookings import BookingLine


class PhotoMoment(models.TextChoices):
    DEPARTURE = "out", _("On departure")
    RETURN = "in", _("On return")


class BookingLinePhotoQuerySet(SiteScopedQuerySet):
    site_lookup = "line__booking__site"


class BookingLinePhoto(models.Model):
    """A photo of a booked unit's condition (a scratch noted on departure, damage found on
    return)."""

    line = models.ForeignKey(
        BookingLine, on_delete=models.CASCADE, related_name="photos", verbose_name=_("booked unit")
    )
    document = models.ForeignKey(
        get_document_model_string(),
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("photo"),
    )
    moment = models.CharField(
        _("taken"), max_length=3, choices=PhotoMoment.choices, default=PhotoMoment.RETURN
    )
    created_at = models.DateTimeField(_("added on"), auto_now_add=True)

    objects = BookingLinePhotoQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("photo of a booked unit")
        verbose_name_plural = _("photos of booked units")

    def __str__(self):
        return str(self.document)
