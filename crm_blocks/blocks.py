"""The StreamField block library shared by every page type.

Each block is a small ``StructBlock`` with its own template, so that editors see the same thing
in the preview as on the site, and later outputs (structured data) can walk the same values.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageBlock


class HeadingBlock(blocks.StructBlock):
    """A section heading; levels start at 2 because the page title is the only ``h1``."""

    text = blocks.CharBlock(label=_("Text"), max_length=200)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Heading 2")), ("h3", _("Heading 3")), ("h4", _("Heading 4"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Heading")
        template = "crm_blocks/blocks/heading.html"
        description = _("A section title, to structure long texts.")
        preview_value = {"text": "Nos services", "level": "h2"}


class TextBlock(blocks.StructBlock):
    text = blocks.RichTextBlock(
        label=_("Text"), features=["bold", "italic", "link", "ol", "ul", "h3", "h4"]
    )

    class Meta:
        icon = "pilcrow"
        label = _("Text")
        template = "crm_blocks/blocks/text.html"
        description = _("Paragraphs with links and lists.")
        preview_value = {"text": "<p>Un centre de production au cœur de la région.</p>"}


class CaptionedImageBlock(blocks.StructBlock):
    """An image with its alternative text, caption and credit (photographer, licence)."""

    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=255)
    credit = blocks.CharBlock(
        label=_("Credit"),
        required=False,
        max_length=255,
        help_text=_("Photographer or rights holder, shown under the image."),
    )

    class Meta:
        icon = "image"
        label = _("Image")
        template = "crm_blocks/blocks/image.html"
        description = _("An image with a caption and a credit.")


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "crm_blocks/blocks/quote.html"
        description = _("A quotation and who said it.")
        preview_value = {
            "quote": "Le cinéma, c'est l'écriture moderne dont l'encre est la lumière.",
            "attribution": "Jean Cocteau",
        }


class CallToActionValue(blocks.StructValue):
    def url(self):
        page = self.get("page")
        if page is not None and page.live:
            return page.url
        return self.get("external_url") or ""


class CallToActionBlock(blocks.StructBlock):
    """A short invitation with one button, to a page of the site or another address."""

    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False)
    button_label = blocks.CharBlock(label=_("Button label"), max_length=60)
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    external_url = blocks.URLBlock(label=_("Or an address"), required=False)

    class Meta:
        icon = "pick"
        label = _("Call to action")
        template = "crm_blocks/blocks/call_to_action.html"
        description = _("An invitation with a button.")
        value_class = CallToActionValue
        preview_value = {
            "title": "Devenez membre",
            "text": "Accédez à l'équipement et aux formations.",
            "button_label": "Adhérer",
            "external_url": "https://example.org/adhesion",
        }

    def clean(self, value):
        value = super().clean(value)
        if not value.get("page") and not value.get("external_url"):
            raise blocks.StructBlockValidationError(
                block_errors={
                    "page": blocks.BlockValidationError(
                        _("Choose a page or enter an address for the button.")
                    )
                }
            )
        return value


class VideoEmbedBlock(blocks.StructBlock):
    video = EmbedBlock(label=_("Address of the video"), help_text=_("YouTube, Vimeo, …"))
    title = blocks.CharBlock(
        label=_("Title"),
        max_length=200,
        help_text=_("Describes the video for people who cannot see it."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=255)

    class Meta:
        icon = "media"
        label = _("Video or embed")
        template = "crm_blocks/blocks/embed.html"
        description = _("A video or other media from another site.")


#: The basic blocks every page body offers.
BASIC_BLOCKS = [
    ("heading", HeadingBlock()),
    ("text", TextBlock()),
    ("image", CaptionedImageBlock()),
    ("quote", QuoteBlock()),
    ("call_to_action", CallToActionBlock()),
    ("embed", VideoEmbedBlock()),
]

#: Blocks for a record's biography or description: no call to action.
PROFILE_BLOCKS = [
    ("heading", HeadingBlock()),
    ("text", TextBlock()),
    ("image", CaptionedImageBlock()),
    ("quote", QuoteBlock()),
    ("embed", VideoEmbedBlock()),
]
