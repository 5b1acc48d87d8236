"""Typed schema.org nodes (pydantic 2).

Other apps build these, never JSON strings: a typo in a property name, a relative URL or a naive
date fails when the node is built, not when a search engine reads the page. Field names are
snake_case in Python and camelCase in JSON-LD; ``id`` is ``@id``; ``@type`` comes from the class.
"""

import re
from datetime import date
from typing import Annotated, ClassVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    model_serializer,
)
from pydantic.alias_generators import to_camel


def _absolute_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    return value


_DURATION = re.compile(
    r"^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)


def _iso_duration(value: str) -> str:
    if not _DURATION.match(value):
        raise ValueError(f"{value!r} is not an ISO 8601 duration such as PT1H30M")
    return value


AbsoluteUrl = Annotated[str, AfterValidator(_absolute_url)]
Duration = Annotated[str, AfterValidator(_iso_duration)]
#: A date, or a date and time with its UTC offset (never a naive time).
DateOrDateTime = AwareDatetime | date


class Node(BaseModel):
    """A schema.org node. ``schema_type`` is its ``@type``."""

    model_config = ConfigDict(
        extra="forbid",
        alias_generator=to_camel,
        populate_by_name=True,
        validate_assignment=True,
    )
    schema_type: ClassVar[str] = "Thing"

    id: str | None = Field(default=None, alias="@id")
    name: str | None = None
    alternate_name: str | None = None
    description: str | None = None
    url: AbsoluteUrl | None = None
    same_as: list[AbsoluteUrl] | None = None
    image: "list[ImageObject | Ref | AbsoluteUrl] | ImageObject | Ref | AbsoluteUrl | None" = None

    @model_serializer(mode="wrap")
    def _with_type(self, handler):
        data = handler(self)
        node_id = data.pop("@id", None)
        head = {"@id": node_id} if node_id else {}
        return {**head, "@type": self.schema_type, **data}

    def ref(self) -> "Ref":
        if not self.id:
            raise ValueError(f"A {self.schema_type} without @id cannot be referred to")
        return Ref(id=self.id)

    def to_jsonld(self) -> dict:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class Ref(BaseModel):
    """A reference to a node elsewhere in the graph: ``{"@id": …}``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)
    id: str = Field(alias="@id")


# --- Places and contact ------------------------------------------------------------------------


class PostalAddress(Node):
    schema_type = "PostalAddress"
    street_address: str | None = None
    postal_code: str | None = None
    address_locality: str | None = None
    address_region: str | None = None
    address_country: str | None = None


class GeoCoordinates(Node):
    schema_type = "GeoCoordinates"
    latitude: float
    longitude: float


class ContactPoint(Node):
    schema_type = "ContactPoint"
    contact_type: str | None = None
    email: str | None = None
    telephone: str | None = None
    available_language: list[str] | None = None


class OpeningHoursSpecification(Node):
    schema_type = "OpeningHoursSpecification"
    day_of_week: list[str] | str | None = None
    opens: str | None = None
    closes: str | None = None
    valid_from: DateOrDateTime | None = None
    valid_through: DateOrDateTime | None = None


class Place(Node):
    schema_type = "Place"
    address: PostalAddress | Ref | str | None = None
    geo: GeoCoordinates | None = None
    has_map: AbsoluteUrl | None = None
    opening_hours_specification: list[OpeningHoursSpecification] | None = None
    telephone: str | None = None


# --- Media ------------------------------------------------------------------------------------


class ImageObject(Node):
    schema_type = "ImageObject"
    content_url: AbsoluteUrl | None = None
    width: int | None = None
    height: int | None = None
    caption: str | None = None
    credit_text: str | None = None
    copyright_holder: "Ref | Person | Organization | None" = None
    creator: "Ref | Person | Organization | None" = None
    license: AbsoluteUrl | None = None
    acquire_license_page: AbsoluteUrl | None = None
    copyright_notice: str | None = None


class VideoObject(Node):
    schema_type = "VideoObject"
    thumbnail_url: list[AbsoluteUrl] | AbsoluteUrl | None = None
    upload_date: DateOrDateTime | None = None
    content_url: AbsoluteUrl | None = None
    embed_url: AbsoluteUrl | None = None
    duration: Duration | None = None


# --- Agents -----------------------------------------------------------------------------------


class Organization(Node):
    """An organization. Coordinates and opening hours belong to a Place: an organization that is
    not itself a place (see :class:`PlaceOrganization`) points to one with ``location``."""

    schema_type = "Organization"
    legal_name: str | None = None
    logo: ImageObject | Ref | AbsoluteUrl | None = None
    address: PostalAddress | Ref | None = None
    location: "Place | Ref | None" = None
    contact_point: list[ContactPoint] | None = None
    email: str | None = None
    telephone: str | None = None
    member_of: list[Ref] | Ref | None = None
    parent_organization: Ref | None = None
    area_served: str | None = None


class PlaceOrganization(Organization):
    """An organization that schema.org also counts as a Place (a cinema, a school): it carries
    its coordinates and opening hours itself."""

    schema_type = "LocalBusiness"
    geo: GeoCoordinates | None = None
    has_map: AbsoluteUrl | None = None
    opening_hours_specification: list[OpeningHoursSpecification] | None = None


class NGO(Organization):
    schema_type = "NGO"


class EducationalOrganization(PlaceOrganization):
    schema_type = "EducationalOrganization"


class PerformingGroup(Organization):
    schema_type = "PerformingGroup"


class MovieTheater(PlaceOrganization):
    """A cinema: an Organization (via LocalBusiness) and a Place at once."""

    schema_type = "MovieTheater"
    screen_count: int | None = None


class NewsMediaOrganization(Organization):
    schema_type = "NewsMediaOrganization"


class FundingScheme(Organization):
    schema_type = "FundingScheme"


class Corporation(Organization):
    schema_type = "Corporation"


class Person(Node):
    schema_type = "Person"
    given_name: str | None = None
    family_name: str | None = None
    job_title: list[str] | str | None = None
    works_for: list[Ref] | Ref | None = None
    affiliation: list[Ref] | Ref | None = None
    member_of: list[Ref] | Ref | None = None


# --- Web pages --------------------------------------------------------------------------------


class WebSite(Node):
    schema_type = "WebSite"
    publisher: Ref | None = None
    in_language: list[str] | str | None = None


class ListItem(Node):
    schema_type = "ListItem"
    position: int
    item: AbsoluteUrl | Ref | None = None


class BreadcrumbList(Node):
    schema_type = "BreadcrumbList"
    item_list_element: list[ListItem]


class WebPage(Node):
    schema_type = "WebPage"
    is_part_of: Ref | None = None
    in_language: str | None = None
    breadcrumb: BreadcrumbList | Ref | None = None
    main_entity: "list[Ref | Question] | Ref | None" = None
    about: Ref | None = None
    mentions: list[Ref] | None = None
    primary_image_of_page: ImageObject | Ref | None = None
    date_published: DateOrDateTime | None = None
    date_modified: DateOrDateTime | None = None
    date_created: DateOrDateTime | None = None
    publisher: Ref | None = None
    video: list[Ref] | None = None


class ProfilePage(WebPage):
    schema_type = "ProfilePage"


class CollectionPage(WebPage):
    schema_type = "CollectionPage"


class FAQPage(WebPage):
    schema_type = "FAQPage"


class Answer(Node):
    schema_type = "Answer"
    text: str


class Question(Node):
    schema_type = "Question"
    accepted_answer: Answer


# --- Events, offers, works (ready for the next rooms) -----------------------------------------


class PriceSpecification(Node):
    schema_type = "PriceSpecification"
    price: str | float | None = None
    price_currency: str | None = None
    valid_from: DateOrDateTime | None = None
    valid_through: DateOrDateTime | None = None


class UnitPriceSpecification(PriceSpecification):
    """A price per unit of something: per day (``unit_code="DAY"``), per week (``"WEE"``),
    codes of UN/CEFACT Common Code; ``unit_text`` for a unit without a code (a weekend)."""

    schema_type = "UnitPriceSpecification"
    unit_code: str | None = None
    unit_text: str | None = None


class Brand(Node):
    schema_type = "Brand"
    logo: "ImageObject | Ref | AbsoluteUrl | None" = None


class Offer(Node):
    schema_type = "Offer"
    price: str | float | None = None
    price_currency: str | None = None
    availability: AbsoluteUrl | None = None
    valid_from: DateOrDateTime | None = None
    seller: Ref | None = None
    category: str | None = None
    #: What the offer is (GoodRelations): ``http://purl.org/goodrelations/v1#LeaseOut`` for a
    #: rental, ``…#Sell`` (the default) for a sale.
    business_function: AbsoluteUrl | None = None
    offered_by: "Ref | Organization | Person | None" = None
    price_specification: (
        list[UnitPriceSpecification | PriceSpecification]
        | UnitPriceSpecification
        | PriceSpecification
        | None
    ) = None


class VirtualLocation(Node):
    """Where an online event is followed: its ``url``."""

    schema_type = "VirtualLocation"


def _year(value: str) -> str:
    if not re.fullmatch(r"\d{4}", value):
        raise ValueError(f"{value!r} is not a year such as 2026")
    return value


#: A year alone (``"2026"``): ISO 8601's reduced precision, which schema.org's dates accept.
Year = Annotated[str, AfterValidator(_year)]


class Country(Node):
    """A country, named in the page's language, with its ISO 3166-1 code as ``identifier``."""

    schema_type = "Country"
    identifier: str | None = None


class PropertyValue(Node):
    """An identifier of a given scheme (``propertyID``): a film's CNC visa, its IMDb id."""

    schema_type = "PropertyValue"
    property_id: str | None = Field(default=None, alias="propertyID")
    value: str | None = None


class Movie(Node):
    """A film, or one of its versions (``example_of_work`` pointing at the film): the version's
    language, subtitles and accessibility features are properties of a creative work in
    schema.org, not of the screening."""

    schema_type = "Movie"
    date_created: DateOrDateTime | Year | None = None
    date_published: DateOrDateTime | None = None
    director: list[Ref | Person] | None = None
    actor: list[Ref | Person] | None = None
    duration: Duration | None = None
    genre: list[str] | None = None
    in_language: list[str] | str | None = None
    subtitle_language: list[str] | str | None = None
    accessibility_feature: list[str] | None = None
    country_of_origin: list[Country] | Country | None = None
    production_company: list[Ref | Organization] | None = None
    #: The distributor: schema.org's ``productionCompany`` is the studio that made the film.
    publisher: Ref | Organization | None = None
    content_rating: str | None = None
    identifier: list[PropertyValue] | None = None
    trailer: Ref | VideoObject | None = None
    work_example: list[Ref] | None = None
    example_of_work: Ref | None = None


#: Where an event takes place: a place (or a place-organization such as a cinema), an online
#: location, or a reference to one of them elsewhere in the graph.
EventLocation = Place | PlaceOrganization | VirtualLocation | Ref


class Event(Node):
    schema_type = "Event"
    start_date: DateOrDateTime | None = None
    end_date: DateOrDateTime | None = None
    previous_start_date: DateOrDateTime | None = None
    event_status: AbsoluteUrl | None = None
    event_attendance_mode: AbsoluteUrl | None = None
    location: list[EventLocation] | EventLocation | None = None
    organizer: list[Ref | Organization | Person] | Ref | None = None
    performer: list[Ref | Organization | Person] | None = None
    offers: list[Offer | Ref] | Offer | Ref | None = None
    is_accessible_for_free: bool | None = None
    sub_event: list[Ref] | None = None
    super_event: Ref | None = None
    in_language: str | None = None
    typical_age_range: str | None = None


class ScreeningEvent(Event):
    """A film shown at a cinema. ``work_presented`` is the film; ``work_featured`` the version
    shown (a ``Movie`` whose ``example_of_work`` is the film), which carries its accessibility
    features (schema.org has no ``accessibilityFeature`` on events)."""

    schema_type = "ScreeningEvent"
    work_presented: Movie | Ref | None = None
    work_featured: Movie | Ref | None = None
    video_format: str | None = None
    subtitle_language: str | None = None


class EducationEvent(Event):
    """A workshop, a class, a talk."""

    schema_type = "EducationEvent"


class Festival(Event):
    schema_type = "Festival"


class ExhibitionEvent(Event):
    schema_type = "ExhibitionEvent"


class EventSeries(Event):
    schema_type = "EventSeries"


class Product(Node):
    schema_type = "Product"
    sku: str | None = None
    brand: Ref | Organization | Brand | None = None
    category: str | None = None
    offers: list[Offer] | Offer | None = None
    #: The model's name (schema.org ``model``, text).
    model: str | None = None


class DataDownload(Node):
    schema_type = "DataDownload"
    content_url: AbsoluteUrl
    encoding_format: str | None = None
    license: AbsoluteUrl | None = None


class DataCatalog(Node):
    schema_type = "DataCatalog"
    publisher: Ref | None = None
    dataset: list[Ref] | None = None
    in_language: str | None = None


class Dataset(Node):
    """A dataset (Google Dataset Search). ``variable_measured`` lists the columns as
    ``PropertyValue``s (name, label, description); ``is_accessible_for_free`` is false, with
    ``conditions_of_access`` saying why, when only members read the data."""

    schema_type = "Dataset"
    identifier: str | None = None
    creator: list[Ref | Organization | Person] | Ref | None = None
    publisher: Ref | Organization | None = None
    license: AbsoluteUrl | None = None
    keywords: list[str] | None = None
    distribution: list[DataDownload] | None = None
    included_in_data_catalog: Ref | DataCatalog | None = None
    temporal_coverage: str | None = None
    spatial_coverage: Place | str | None = None
    variable_measured: list[PropertyValue] | None = None
    is_accessible_for_free: bool | None = None
    conditions_of_access: str | None = None
    date_published: DateOrDateTime | None = None
    date_modified: DateOrDateTime | None = None
    in_language: str | None = None


for _model in list(globals().values()):
    if isinstance(_model, type) and issubclass(_model, BaseModel) and _model is not BaseModel:
        _model.model_rebuild()
