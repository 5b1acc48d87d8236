"""Consent by purpose: each organization's purposes and the versioned words that ask for them.

A ``ConsentPurpose`` is one thing a person may agree to (being published on the website, the
newsletter…), asked separately from every other. Its wording, in French and English, is kept in
``ConsentWording`` versions: changing the words makes a new version, old versions are never
edited nor deleted, so that a consent in the log (``crm_blocks.ConsentRecord``) always points to
the exact words the person agreed to. Privacy by default: nobody has consented to anything until
a consent is recorded.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Site

from organizations.scoping import SiteScopedQuerySet

#: Codes of the purposes the product relies on (every organization gets them).
PUBLIC_PROFILE = "public_profile"
NEWSLETTER = "newsletter"
MEMBER_DIRECTORY = "member_directory"
PHOTOS = "photos"


class ConsentRequired(PermissionDenied):
    """Publishing a person's page without their consent to a public profile: refused (a view
    that lets it through answers "forbidden", not a server error)."""


class ConsentPurposeQuerySet(SiteScopedQuerySet):
    def active(self):
        return self.filter(active=True)


class ConsentPurpose(models.Model):
    """One purpose an organization asks consent for, separately from the others."""

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        related_name="consent_purposes",
        verbose_name=pgettext_lazy("tenant", "organization"),
    )
    code = models.CharField(
        _("code"),
        max_length=50,
        validators=[
            RegexValidator(
                r"^[a-z0-9_]+$",
                _("Use lowercase letters, digits and underscores only."),
            )
        ],
        help_text=_("A short fixed name the software uses (public_profile, newsletter…)."),
    )
    name_fr = models.CharField(_("name in French"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    required_for_membership = models.BooleanField(
        _("required for membership"),
        default=False,
        help_text=_(
            "Leave unticked unless membership cannot work without it: every other purpose "
            "stays optional, and off until the person agrees."
        ),
    )
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("An inactive purpose is no longer asked; its consent log is kept."),
    )
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    objects = ConsentPurposeQuerySet.as_manager()

    #: The published privacy page lists the purposes (``public_cache`` forgets it on a change).
    public_site_lookup = "site_id"

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("consent purpose")
        verbose_name_plural = _("consent purposes")
        constraints = [
            models.UniqueConstraint(
                fields=["site", "code"],
                name="unique_consent_purpose_code_per_site",
                violation_error_message=_(
                    "This organization already has a purpose with this code."
                ),
            )
        ]

    def __str__(self):
        return self.name()

    def name(self, language: str | None = None) -> str:
        """The purpose's name in ``language`` (the active one by default), French otherwise."""
        language = (language or translation.get_language() or "fr").split("-")[0]
        if language == "en" and self.name_en:
            return self.name_en
        return self.name_fr

    def current_wording(self) -> "ConsentWording | None":
        """The latest version of the words that ask for this consent."""
        return self.wordings.order_by("-version").first()


class ConsentWording(models.Model):
    """One version of the words asking for a purpose's consent, never edited once saved."""

    purpose = models.ForeignKey(
        ConsentPurpose,
        on_delete=models.CASCADE,
        related_name="wordings",
        verbose_name=_("purpose"),
    )
    version = models.PositiveIntegerField(_("version"))
    text_fr = models.TextField(_("wording in French"))
    text_en = models.TextField(_("wording in English"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("written by"),
    )

    public_site_lookup = "purpose__site_id"

    class Meta:
        ordering = ["purpose", "-version"]
        verbose_name = _("consent wording")
        verbose_name_plural = _("consent wordings")
        constraints = [
            models.UniqueConstraint(
                fields=["purpose", "version"], name="unique_consent_wording_version"
            )
        ]

    def __str__(self):
        return _("%(purpose)s, version %(version)d") % {
            "purpose": self.purpose,
            "version": self.version,
        }

    def save(self, *args, **kwargs):
        if self.pk is not None:
            # A consent points to the words the person agreed to: they never change.
            raise ValidationError(
                _("A version of a consent's wording cannot be changed; write a new version.")
            )
        super().save(*args, **kwargs)

    def text(self, language: str | None = None) -> str:
        language = (language or translation.get_language() or "fr").split("-")[0]
        if language == "en" and self.text_en:
            return self.text_en
        return self.text_fr
