"""Private calendar links: the secret addresses at which the equipment desk's bookings are
served as iCalendar feeds (``rentals.feeds``) — one or more for the organization's staff (every
pick-up and return, with borrowers' names), one per member (their own bookings).

The secret is the link itself, handed to a calendar app and never typed again: only its
SHA-256 digest and a few leading characters (to tell links apart in the admin) are kept, so
the full address is shown once, when it is made. A plain digest suffices: a secret of 256
random bits cannot be guessed back from it, and not mixing in ``SECRET_KEY`` keeps every
subscription working when that key is rotated. A revoked link stays, for the record of who
made it and when it was last read.
"""

from __future__ import annotations

import hashlib
import secrets
import string

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Site

from crm_blocks.models import Contact
from organizations.scoping import SiteScopedQuerySet

#: Random bytes in a secret (``secrets.token_urlsafe``: 43 URL-safe characters).
SECRET_BYTES = 32
SECRET_LENGTH = 43
#: Leading characters of the secret kept to tell links apart ("Kq3v9T…").
PREFIX_LENGTH = 6
_SECRET_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-_")


class CalendarTokenKind(models.TextChoices):
    MEMBER = "member", _("A member’s own bookings")
    STAFF = "staff", _("Equipment desk (every booking)")


class CalendarTokenQuerySet(SiteScopedQuerySet):
    def live(self):
        """Links that still open their calendar (not revoked)."""
        return self.filter(revoked_at__isnull=True)

    def of_member(self, contact):
        return self.filter(kind=CalendarTokenKind.MEMBER, contact=contact)

    def matching(self, secret: str):
        """The link whose secret is ``secret`` (at most one), without ever comparing secrets:
        only digests are stored. A string that cannot be a secret matches nothing."""
        if not CalendarToken.is_plausible(secret):
            return self.none()
        return self.filter(digest=CalendarToken.digest_of(secret))


class CalendarToken(models.Model):
    """A secret link to a private calendar of bookings, which staff or a member can revoke."""

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="rental_calendar_tokens",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    kind = models.CharField(_("calendar"), max_length=10, choices=CalendarTokenKind.choices)
    contact = models.ForeignKey(
        Contact,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rental_calendar_tokens",
        verbose_name=_("member"),
        help_text=_("Whose bookings a member's calendar shows."),
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("link"), max_length=16, editable=False)
    label = models.CharField(
        _("used by"),
        max_length=100,
        blank=True,
        help_text=_("Who or what reads this calendar: “Equipment desk”, “Marc’s phone”…"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(
        pgettext_lazy("calendar link", "created on"), auto_now_add=True
    )
    last_used_at = models.DateTimeField(_("last read on"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked on"), null=True, blank=True)

    objects = CalendarTokenQuerySet.as_manager()

    class Meta:
        ordering = [models.F("revoked_at").asc(nulls_first=True), "-created_at", "-pk"]
        verbose_name = _("private calendar link")
        verbose_name_plural = _("private calendar links")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind=CalendarTokenKind.STAFF, contact__isnull=True)
                    | models.Q(kind=CalendarTokenKind.MEMBER, contact__isnull=False)
                ),
                name="calendar_token_member_has_contact",
                violation_error_message=_(
                    "A member's calendar needs the member; the desk's calendar has none."
                ),
            )
        ]

    def __str__(self):
        name = self.label or self.get_kind_display()
        return f"{name} ({self.prefix}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None

    def clean(self):
        super().clean()
        if self.contact_id and self.site_id and self.contact.site_id != self.site_id:
            raise ValidationError({"contact": _("This record belongs to another organization.")})

    # --- The secret ---------------------------------------------------------------------------

    @staticmethod
    def new_secret() -> str:
        return secrets.token_urlsafe(SECRET_BYTES)

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @staticmethod
    def is_plausible(secret: str) -> bool:
        """Whether ``secret`` has the shape of one (length, characters): anything else is
        answered without reading the database."""
        return len(secret) == SECRET_LENGTH and _SECRET_CHARACTERS.issuperset(secret)

    def set_secret(self, secret: str) -> None:
        self.digest = self.digest_of(secret)
        self.prefix = secret[:PREFIX_LENGTH]

    def revoke(self, when=None) -> None:
        if self.revoked_at is None:
            self.revoked_at = when or timezone.now()
            self.save(update_fields=["revoked_at"])
