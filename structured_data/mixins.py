"""Pages contribute to their graph through :class:`StructuredDataPageMixin`."""

from __future__ import annotations

from collections.abc import Iterable

from wagtail.fields import StreamField
from wagtail.models import Page

from .graph import GraphContext, walk_blocks
from .nodes import (
    BreadcrumbList,
    CollectionPage,
    FAQPage,
    GeoCoordinates,
    ImageObject,
    ListItem,
    Node,
    Organization,
    Place,
    PlaceOrganization,
    PostalAddress,
    ProfilePage,
    Ref,
    WebPage,
)
from .panels import StructuredDataPanel

WEB_PAGE_TYPES = {
    "WebPage": WebPage,
    "ProfilePage": ProfilePage,
    "CollectionPage": CollectionPage,
    "FAQPage": FAQPage,
}

IMAGE_SPEC = "max-1200x1200"


def image_node(image, context: GraphContext, node_id: str | None = None, **fields) -> ImageObject:
    """An ImageObject for a Wagtail image, at a size search engines accept (≤ 1200 px)."""
    rendition = image.get_rendition(IMAGE_SPEC)
    url = context.absolute(rendition.url)
    return ImageObject(
        id=node_id,
        url=url,
        content_url=url,
        width=rendition.width,
        height=rendition.height,
        **fields,
    )


def postal_address_node(
    *,
    street_address: str | None = None,
    postal_code: str | None = None,
    locality: str | None = None,
    region: str | None = None,
    country: str | None = None,
) -> PostalAddress | None:
    """The schema.org form of a postal address, blank parts left out; ``None`` without a street
    address or a city (a region or a country alone does not say where to go). One rule for
    every address we publish: organization settings, organization pages, place blocks."""
    if not (street_address or locality):
        return None
    return PostalAddress(
        street_address=street_address or None,
        postal_code=postal_code or None,
        address_locality=locality or None,
        address_region=region or None,
        address_country=country or None,
    )


def location_id(organization_id: str) -> str:
    """The ``@id`` of the place where an organization is (``…#location``)."""
    return organization_id.rsplit("#", 1)[0] + "#location"


def organization_nodes(
    node_class: type[Organization],
    *,
    id: str,  # noqa: A002 - the schema.org name
    address: PostalAddress | None = None,
    geo: GeoCoordinates | None = None,
    **fields,
) -> list[Node]:
    """An organization and, when it is not a place itself, the Place it is at.

    schema.org puts coordinates and opening hours on places: a cinema (a place) carries them; an
    NGO points to its ``location``, whose ``@id`` opening-hours blocks reuse.
    """
    if issubclass(node_class, PlaceOrganization):
        return [node_class(id=id, address=address, geo=geo, **fields)]
    if geo is None:
        return [node_class(id=id, address=address, **fields)]
    place = Place(id=location_id(id), name=fields.get("name"), address=address, geo=geo)
    return [node_class(id=id, address=address, location=Ref(id=place.id), **fields), place]


def primary_image_ref(context: GraphContext) -> Ref:
    """The page's primary image node, which the mixin adds to the graph."""
    return Ref(id=f"{context.page_url}#primaryimage")


class StructuredDataPageMixin:
    """Adds the page's WebPage node, its breadcrumb, its own entity and its blocks' nodes.

    Subclasses override :meth:`structured_data_entities` (their Person, Organization, Event…)
    and may set ``structured_data_page_type`` (``"ProfilePage"``, ``"CollectionPage"``…).
    """

    structured_data_page_type = "WebPage"
    #: Which editor field fixes a missing property: ``{"Person.image": "photo", …}``.
    structured_data_fields: dict[str, str] = {"WebPage.description": "search_description"}
    promote_panels = [StructuredDataPanel(), *Page.promote_panels]

    def structured_data_entities(self, context: GraphContext) -> Iterable[Node]:
        return ()

    def structured_data_image(self):
        """The image that best represents the page (photo, logo), or ``None``."""
        return None

    def structured_data_image_fields(self) -> dict:
        """Extra ImageObject fields for the primary image (a credit, a copyright notice)."""
        return {}

    def structured_data_description(self) -> str:
        return getattr(self, "search_description", "") or getattr(self, "summary", "") or ""

    def structured_data_streams(self):
        for field in self._meta.get_fields():
            if isinstance(field, StreamField):
                yield getattr(self, field.name)

    def structured_data_breadcrumb(self, context: GraphContext) -> BreadcrumbList | None:
        root_depth = context.site.root_page.depth if context.site else 2
        ancestors = self.get_ancestors(inclusive=True).filter(depth__gte=root_depth)
        items = []
        for position, ancestor in enumerate(ancestors, start=1):
            items.append(
                ListItem(
                    position=position,
                    name=ancestor.title,
                    item=context.absolute(ancestor.get_url(context.request)),
                )
            )
        if len(items) < 2:
            return None
        return BreadcrumbList(id=f"{context.page_url}#breadcrumb", item_list_element=items)

    def structured_data_nodes(self, context: GraphContext) -> Iterable[Node]:
        entities = list(self.structured_data_entities(context))
        block_nodes = [
            node
            for stream in self.structured_data_streams()
            for node in walk_blocks(stream, context)
        ]
        page_type = self.structured_data_page_type
        if context.page_type == "FAQPage" and page_type == "WebPage":
            page_type = "FAQPage"
        main_entity = None
        if context.main_entity_id:
            main_entity = Ref(id=context.main_entity_id)
        if context.page_main_entity:
            refs = [Ref(id=node_id) for node_id in context.page_main_entity]
            main_entity = refs if main_entity is None else [main_entity, *refs]
        image = self.structured_data_image()
        image_id = f"{context.page_url}#primaryimage"
        breadcrumb = self.structured_data_breadcrumb(context)
        webpage = WEB_PAGE_TYPES[page_type](
            id=context.webpage_id,
            url=context.page_url,
            name=getattr(self, "seo_title", "") or self.title,
            description=self.structured_data_description() or None,
            in_language=context.language,
            is_part_of=Ref(id=context.website_id),
            breadcrumb=breadcrumb.ref() if breadcrumb else None,
            main_entity=main_entity,
            primary_image_of_page=Ref(id=image_id) if image else None,
            date_published=self.first_published_at,
            date_created=self.first_published_at,
            date_modified=self.last_published_at,
            mentions=[Ref(id=i) for i in dict.fromkeys(context.page_mentions)] or None,
            video=[Ref(id=i) for i in dict.fromkeys(context.page_videos)] or None,
        )
        yield webpage
        if breadcrumb:
            yield breadcrumb
        if image:
            yield image_node(image, context, image_id, **self.structured_data_image_fields())
        yield from entities
        yield from block_nodes
