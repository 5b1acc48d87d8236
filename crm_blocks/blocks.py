"""The StreamField block library shared by every page type.

Each block is a small ``StructBlock`` with its own template, so that editors see the same thing
in the preview as on the site. Blocks that mean something to search engines also have a
``structured_data(value, context)`` method returning schema.org nodes; the graph builder finds it
by walking StructBlock, ListBlock and StreamBlock values (``structured_data.graph.walk_blocks``).
"""

from urllib.parse import urlencode

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.html import strip_tags
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.embeds.blocks import EmbedBlock
from wagtail.embeds.exceptions import EmbedException
from wagtail.images.blocks import ImageBlock
from wagtail.models import Site

from organizations.structured_data import organization_node_type
from structured_data.mixins import image_node, location_id, postal_address_node
from structured_data.nodes import (
    Answer,
    GeoCoordinates,
    OpeningHoursSpecification,
    Organization,
    Person,
    Place,
    PlaceOrganization,
    Question,
    Ref,
    VideoObject,
)


class translated_preview:  # noqa: N801 - used like a value in ``Meta``
    """A block's ``preview_value`` whose texts are translated when the editor opens the preview,
    in the editor's language, not when the module is imported (Wagtail calls a callable
    ``preview_value``)."""

    def __init__(self, value):
        self.value = value

    def __call__(self):
        return self._evaluate(self.value)

    @classmethod
    def _evaluate(cls, value):
        if isinstance(value, Promise):
            return str(value)
        if isinstance(value, dict):
            return {key: cls._evaluate(item) for key, item in value.items()}
        if isinstance(value, list):
            return [cls._evaluate(item) for item in value]
        return value


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
        preview_value = translated_preview({"text": _("Our services"), "level": "h2"})


class TextBlock(blocks.StructBlock):
    text = blocks.RichTextBlock(
        label=_("Text"), features=["bold", "italic", "link", "ol", "ul", "h3", "h4"]
    )

    class Meta:
        icon = "pilcrow"
        label = _("Text")
        template = "crm_blocks/blocks/text.html"
        description = _("Paragraphs with links and lists.")
        preview_value = translated_preview(
            {"text": _("<p>A production centre in the heart of the region.</p>")}
        )


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
    copyright_holder = blocks.CharBlock(label=_("Copyright holder"), required=False, max_length=200)
    holder_kind = blocks.ChoiceBlock(
        label=_("The copyright holder is"),
        choices=[("person", _("a person")), ("organization", _("an organization"))],
        default="person",
        required=False,
    )
    licence = blocks.URLBlock(
        label=_("Licence"),
        required=False,
        help_text=_("Address of the licence, e.g. https://creativecommons.org/licenses/by/4.0/"),
    )

    class Meta:
        icon = "image"
        label = _("Image")
        template = "crm_blocks/blocks/image.html"
        description = _("An image with a caption, a credit and its licence.")

    def structured_data(self, value, context):
        image = value.get("image")
        if not image:
            return
        holder = value.get("copyright_holder")
        holder_node = None
        if holder:
            holder_class = Organization if value.get("holder_kind") == "organization" else Person
            holder_node = holder_class(name=holder)
        yield image_node(
            image,
            context,
            context.next_id("image"),
            caption=value.get("caption") or None,
            credit_text=value.get("credit") or None,
            copyright_holder=holder_node,
            creator=holder_node,
            copyright_notice=f"© {holder}" if holder else None,
            license=value.get("licence") or None,
            name=getattr(image, "contextual_alt_text", None) or image.title,
        )


class QuoteBlock(blocks.StructBlock):
    quote = blocks.TextBlock(label=_("Quote"))
    attribution = blocks.CharBlock(label=_("Attribution"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        label = _("Quote")
        template = "crm_blocks/blocks/quote.html"
        description = _("A quotation and who said it.")
        preview_value = translated_preview(
            {
                "quote": _("Cinema is a modern form of writing whose ink is light."),
                "attribution": "Jean Cocteau",
            }
        )


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
        preview_value = translated_preview(
            {
                "title": _("Become a member"),
                "text": _("Get access to the equipment and the workshops."),
                "button_label": _("Join"),
                "external_url": "https://example.org/",
            }
        )

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
    upload_date = blocks.DateBlock(
        label=_("Date the video was published"),
        required=False,
        help_text=_("Search engines show videos with their date."),
    )

    class Meta:
        icon = "media"
        label = _("Video or embed")
        template = "crm_blocks/blocks/embed.html"
        description = _("A video or other media from another site.")

    def structured_data(self, value, context):
        video = value.get("video")
        if not video:
            return
        thumbnail = None
        try:
            from wagtail.embeds.embeds import get_embed

            thumbnail = get_embed(video.url).thumbnail_url or None
        except EmbedException:
            pass  # provider unreachable: the editor report asks for what is missing
        node_id = context.next_id("video")
        context.page_videos.append(node_id)
        yield VideoObject(
            id=node_id,
            name=value.get("title"),
            description=value.get("caption") or value.get("title"),
            url=video.url,
            embed_url=video.url,
            thumbnail_url=thumbnail,
            upload_date=value.get("upload_date"),
        )


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=300)
    answer = blocks.RichTextBlock(label=_("Answer"), features=["bold", "italic", "link", "ul"])

    class Meta:
        icon = "help"
        label = _("Question")


class FAQBlock(blocks.StructBlock):
    """Questions and answers; the page becomes an FAQPage for search engines."""

    title = blocks.CharBlock(label=_("Title"), required=False, max_length=200)
    items = blocks.ListBlock(FAQItemBlock(), label=_("Questions"), min_num=1)

    class Meta:
        icon = "help"
        label = _("Questions and answers")
        template = "crm_blocks/blocks/faq.html"
        description = _("Frequently asked questions, each with its answer.")
        preview_value = translated_preview(
            {
                "title": _("Frequently asked questions"),
                "items": [
                    {
                        "question": _("Who can rent the equipment?"),
                        "answer": _("<p>Members in good standing of the centre.</p>"),
                    }
                ],
            }
        )

    def structured_data(self, value, context):
        context.page_type = "FAQPage"
        for item in value.get("items") or ():
            node_id = context.next_id("question")
            context.page_main_entity.append(node_id)
            answer_text = strip_tags(str(item.get("answer") or "")).strip()
            yield Question(
                id=node_id,
                name=item.get("question"),
                accepted_answer=Answer(text=answer_text),
            )


def shown_record(page, site):
    """``page`` (specific) if a card may show it on ``site``'s pages: published, viewable by
    anyone (no view restriction on it or above it) and of that same organization; else ``None``.
    A record made private after the card was placed simply disappears from it."""
    if page is None or not page.live or page.get_view_restrictions().exists():
        return None
    if site is not None and page.get_site() != site:
        return None
    return page.specific


class RecordCardBlock(blocks.StructBlock):
    """A card for a published person or organization of the site, linked to its page."""

    note = blocks.CharBlock(
        label=_("Note"),
        required=False,
        max_length=200,
        help_text=_("For example their role in this project."),
    )

    def record_node(self, page, url, context):  # pragma: no cover - subclasses define it
        raise NotImplementedError

    def clean(self, value):
        value = super().clean(value)
        page = value.get("page")
        if page is not None and shown_record(page, None) is None:
            raise blocks.StructBlockValidationError(
                block_errors={
                    "page": ValidationError(
                        _(
                            "“%(title)s” is not public (a draft, or restricted to some "
                            "visitors): a card can only show a published, public record."
                        )
                        % {"title": page.title}
                    )
                }
            )
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        site = Site.find_for_request(request) if request is not None else None
        page = value.get("page")
        context["record"] = shown_record(page, site or (page.get_site() if page else None))
        return context

    def structured_data(self, value, context):
        page = shown_record(value.get("page"), context.site)
        if page is None:
            return
        url = page.get_full_url(context.request)
        if not url:
            return
        node = self.record_node(page, url, context)
        context.page_mentions.append(node.id)
        yield node


class PersonCardBlock(RecordCardBlock):
    page = blocks.PageChooserBlock(label=_("Person"), page_type="crm_blocks.PersonPage")

    class Meta:
        icon = "user"
        label = _("Person card")
        template = "crm_blocks/blocks/record_card.html"
        description = _("Shows a person of your directory with a link to their profile.")

    def record_node(self, page, url, context):
        return Person(id=f"{url}#person", name=page.title, url=url)


class OrganizationCardBlock(RecordCardBlock):
    page = blocks.PageChooserBlock(label=_("Organization"), page_type="crm_blocks.OrganizationPage")

    class Meta:
        icon = "group"
        label = _("Organization card")
        template = "crm_blocks/blocks/record_card.html"
        description = _("Shows an organization of your directory with a link to its page.")

    def record_node(self, page, url, context):
        node_class = organization_node_type(page.kind)
        return node_class(id=f"{url}#organization", name=page.title, url=page.website or url)


class PlaceValue(blocks.StructValue):
    def has_coordinates(self):
        return self.get("latitude") is not None and self.get("longitude") is not None

    def map_url(self):
        if not self.has_coordinates():
            return ""
        lat, lon = self["latitude"], self["longitude"]
        return (
            "https://www.openstreetmap.org/?"
            + urlencode({"mlat": lat, "mlon": lon})
            + f"#map=16/{lat}/{lon}"
        )


class PlaceBlock(blocks.StructBlock):
    """A place with its address (a venue, the centre's studio)."""

    name = blocks.CharBlock(label=_("Name of the place"), max_length=200)
    street_address = blocks.CharBlock(label=_("Street address"), required=False)
    postal_code = blocks.CharBlock(label=_("Postal code"), required=False, max_length=20)
    locality = blocks.CharBlock(label=_("City"), required=False, max_length=100)
    region = blocks.CharBlock(label=_("Province or region"), required=False, max_length=100)
    country = blocks.CharBlock(label=_("Country"), required=False, max_length=100)
    latitude = blocks.DecimalBlock(
        label=_("Latitude"), required=False, min_value=-90, max_value=90, decimal_places=6
    )
    longitude = blocks.DecimalBlock(
        label=_("Longitude"), required=False, min_value=-180, max_value=180, decimal_places=6
    )

    class Meta:
        icon = "site"
        label = _("Place and address")
        template = "crm_blocks/blocks/place.html"
        description = _("A place with its address and a map link.")
        value_class = PlaceValue

    def structured_data(self, value, context):
        node_id = context.next_id("place")
        context.page_mentions.append(node_id)
        yield Place(
            id=node_id,
            name=value.get("name"),
            address=postal_address_node(
                street_address=value.get("street_address"),
                postal_code=value.get("postal_code"),
                locality=value.get("locality"),
                region=value.get("region"),
                country=value.get("country"),
            ),
            geo=GeoCoordinates(
                latitude=float(value["latitude"]), longitude=float(value["longitude"])
            )
            if value.has_coordinates()
            else None,
            has_map=value.map_url() or None,
        )


DAYS = [
    ("Monday", _("Monday")),
    ("Tuesday", _("Tuesday")),
    ("Wednesday", _("Wednesday")),
    ("Thursday", _("Thursday")),
    ("Friday", _("Friday")),
    ("Saturday", _("Saturday")),
    ("Sunday", _("Sunday")),
]

#: schema.org types that are places and so may carry opening hours themselves.
PLACE_TYPES = {"MovieTheater", "EducationalOrganization", "LocalBusiness"}


class OpeningHoursRowValue(blocks.StructValue):
    def days_display(self) -> str:
        labels = dict(DAYS)
        names = [str(labels[day]) for day in self.get("days") or () if day in labels]
        return capfirst(", ".join(names))


class OpeningHoursRowBlock(blocks.StructBlock):
    days = blocks.MultipleChoiceBlock(label=_("Days"), choices=DAYS)
    opens = blocks.TimeBlock(label=_("Opens at"))
    closes = blocks.TimeBlock(label=_("Closes at"))

    class Meta:
        icon = "time"
        label = _("Opening hours")
        value_class = OpeningHoursRowValue

    def clean(self, value):
        value = super().clean(value)
        if value.get("opens") and value.get("closes") and value["closes"] <= value["opens"]:
            raise blocks.StructBlockValidationError(
                block_errors={
                    "closes": blocks.BlockValidationError(
                        _("The closing time must come after the opening time.")
                    )
                }
            )
        return value


class OpeningHoursBlock(blocks.StructBlock):
    """When the organization (or the place this page is about) is open."""

    title = blocks.CharBlock(label=_("Title"), required=False, max_length=200)
    rows = blocks.ListBlock(OpeningHoursRowBlock(), label=_("Hours"), min_num=1)

    class Meta:
        icon = "time"
        label = _("Opening hours")
        template = "crm_blocks/blocks/opening_hours.html"
        description = _("Days and hours of opening, read by search engines and maps.")

    def structured_data(self, value, context):
        specification = [
            OpeningHoursSpecification(
                day_of_week=[f"https://schema.org/{day}" for day in row.get("days") or ()],
                opens=row["opens"].strftime("%H:%M"),
                closes=row["closes"].strftime("%H:%M"),
            )
            for row in value.get("rows") or ()
            if row.get("opens") and row.get("closes")
        ]
        if not specification:
            return
        if context.main_entity_id and context.main_entity_type in PLACE_TYPES:
            yield PlaceOrganization(
                id=context.main_entity_id, opening_hours_specification=specification
            )
            return
        owner = context.main_entity_id
        if context.main_entity_type in ("", "Person", "WebPage"):
            owner = context.organization_id
        place_id = location_id(owner)
        yield Organization(id=owner, location=Ref(id=place_id))
        yield Place(id=place_id, opening_hours_specification=specification)


#: The blocks every page body offers.
BASIC_BLOCKS = [
    ("heading", HeadingBlock()),
    ("text", TextBlock()),
    ("image", CaptionedImageBlock()),
    ("quote", QuoteBlock()),
    ("call_to_action", CallToActionBlock()),
    ("embed", VideoEmbedBlock()),
    ("faq", FAQBlock()),
    ("person_card", PersonCardBlock()),
    ("organization_card", OrganizationCardBlock()),
    ("place", PlaceBlock()),
    ("opening_hours", OpeningHoursBlock()),
]

#: Blocks for a record's biography or description: no call to action.
PROFILE_BLOCKS = [
    ("heading", HeadingBlock()),
    ("text", TextBlock()),
    ("image", CaptionedImageBlock()),
    ("quote", QuoteBlock()),
    ("embed", VideoEmbedBlock()),
    ("faq", FAQBlock()),
    ("place", PlaceBlock()),
    ("opening_hours", OpeningHoursBlock()),
]
