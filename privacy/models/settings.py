"""Each organization's privacy settings: its person in charge of personal information, the
processors it uses, and what its published privacy page adds (``privacy.views``)."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable


@register_setting(icon="lock")
class PrivacySettings(ClusterableModel, BaseSiteSetting):
    """The organization's person in charge of personal information (Quebec's Law 25 requires
    one, their title and contact published on the website), its processors and its rules."""

    officer_name = models.CharField(_("name"), max_length=200, blank=True)
    officer_title_fr = models.CharField(_("title in French"), max_length=200, blank=True)
    officer_title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    officer_email = models.EmailField(_("e-mail"), blank=True)
    officer_phone = models.CharField(_("phone"), max_length=40, blank=True)
    officer_address = models.TextField(_("postal address"), blank=True)
    extra_text_fr = models.TextField(
        _("more text in French"),
        blank=True,
        help_text=_("Shown at the end of the published privacy page."),
    )
    extra_text_en = models.TextField(_("more text in English"), blank=True)
    public_profile_consent_required = models.BooleanField(
        _("publish people only with their consent"),
        default=True,
        help_text=_(
            "A person's page can be published only once they consented to their public "
            "profile; withdrawing that consent unpublishes it at once."
        ),
    )

    #: The published privacy page shows these settings (``public_cache`` forgets it on a change).
    public_site_lookup = "site_id"

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("officer_name"),
                FieldRowPanel([FieldPanel("officer_title_fr"), FieldPanel("officer_title_en")]),
                FieldRowPanel([FieldPanel("officer_email"), FieldPanel("officer_phone")]),
                FieldPanel("officer_address"),
            ],
            heading=_("Person in charge of personal information"),
        ),
        InlinePanel("processors", heading=_("Processors"), label=_("Processor")),
        FieldPanel("public_profile_consent_required"),
        MultiFieldPanel(
            [FieldPanel("extra_text_fr"), FieldPanel("extra_text_en")],
            heading=_("Privacy page"),
        ),
    ]

    class Meta:
        verbose_name = _("privacy")
        verbose_name_plural = _("privacy")

    def officer_title(self, language: str | None = None) -> str:
        language = (language or translation.get_language() or "fr").split("-")[0]
        if language == "en" and self.officer_title_en:
            return self.officer_title_en
        return self.officer_title_fr

    def extra_text(self, language: str | None = None) -> str:
        language = (language or translation.get_language() or "fr").split("-")[0]
        if language == "en" and self.extra_text_en:
            return self.extra_text_en
        return self.extra_text_fr


class Processor(Orderable):
    """A service provider that processes personal information for the organization."""

    settings = ParentalKey(PrivacySettings, on_delete=models.CASCADE, related_name="processors")
    name = models.CharField(_("name"), max_length=200)
    purpose = models.CharField(_("what for"), max_length=300)
    country = models.CharField(_("country"), max_length=100)

    public_site_lookup = "settings__site_id"

    class Meta(Orderable.Meta):
        verbose_name = _("processor")
        verbose_name_plural = _("processors")

    def __str__(self):
        return self.name
