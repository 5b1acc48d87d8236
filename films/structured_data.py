"""A film's schema.org nodes (``structured_data``, ARCHITECTURE §5): the ``Movie``, its
versions, and a ``ScreeningEvent`` for each of its first coming screenings.

Built from the page it is given (the page class calls it through ``output_view``):

- the film (``…#movie``): title and original title (``alternateName``), year
  (``dateCreated``, a year alone) and release date (``datePublished``), ``duration`` in ISO
  8601, countries (``Country`` with their ISO code), original languages (``inLanguage``),
  genres, age rating (``contentRating``), synopsis, poster (the page's primary image, with its
  credit), trailer (the ``VideoObject`` the trailer's video block adds to the graph), identifiers
  (``PropertyValue``: CNC visa, Quebec classification, IMDb) and IMDb as ``sameAs``;
- its people: directors and actors, by the ``@id`` of their record page when it is live and
  public (the page's ``Person`` node), else by name;
- the distributor as ``publisher``: schema.org's ``productionCompany`` is the studio that made
  the film, which a distributor is not; a distributor puts the film out, which is what
  ``publisher`` says of a creative work;
- its versions (``…#version-<pk>``): each a ``Movie`` whose ``exampleOfWork`` is the film, with
  the language heard, its subtitles and its accessibility features; the film lists them as
  ``workExample`` and sums up their subtitle languages and features;
- its first coming screenings (:data:`GRAPH_SCREENINGS`, the ones its page lists first):
  ``ScreeningEvent`` (``…#screening-<pk>``) presenting the film (``workPresented``) in a version
  (``workFeatured``), at the cinema (its record's node, ``…#organization``, the ``@id`` its own
  page gives it; the organization's node when it is the cinema itself), in the version's
  language and subtitles, with dates and offsets in the organization's time zone.

What schema.org does not allow is not said: ``accessibilityFeature`` belongs to creative works
(the version carries it), not to events; ``videoFormat`` (2D, 3D) is not known — a version's
format is how the copy is delivered (DCP, file), not how it looks — so it is left out.
Screenings' admissions and receipts are never read (``catalogue.public_screenings_of``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from django.utils.html import strip_tags
from django.utils.text import capfirst
from django.utils.translation import gettext
from wagtail.rich_text import expand_db_html

from organizations.models import OrganizationKind
from organizations.structured_data import organization_node_type
from structured_data.graph import GraphContext
from structured_data.mixins import location_id, primary_image_ref
from structured_data.nodes import (
    Country,
    Movie,
    Node,
    Person,
    Place,
    PlaceOrganization,
    PropertyValue,
    Ref,
    ScreeningEvent,
)

from .catalogue import (
    in_memory,
    iso_duration,
    public_page_ids,
    public_screenings_of,
    screening_rows,
)
from .countries import country_name
from .models import FilmGenre
from .versions import ACCESSIBILITY_FEATURES, ACCESSIBILITY_FIELDS

SCHEMA = "https://schema.org/"
#: Screenings described in the graph: the first ones the page lists, bounded.
GRAPH_SCREENINGS = 50
IMDB_ID = re.compile(r"tt\d{5,10}")


def movie_id(url: str) -> str:
    return f"{url}#movie"


def version_id(url: str, version) -> str:
    return f"{url}#version-{version.pk}"


def screening_id(url: str, screening) -> str:
    return f"{url}#screening-{screening.pk}"


def plain_text(rich_text: str) -> str:
    """A rich text field as one line of text."""
    return " ".join(html.unescape(strip_tags(expand_db_html(rich_text or ""))).split())


def _one_or_list(values: list):
    if not values:
        return None
    return values[0] if len(values) == 1 else values


def trailer_ref(film, context: GraphContext) -> Ref | None:
    """The trailer's ``VideoObject``: the trailer's video block adds it to the graph as the
    page's first video (``#video-1``, the trailer being the page's only stream of blocks)."""
    for block in film.trailer or ():
        if block.value.get("video"):
            return Ref(id=f"{context.page_url}#video-1")
    return None


def people(credits: list, public_ids: set[int], context: GraphContext):
    """``(values, nodes)``: each person by reference to their public record's node (added to
    ``nodes``), or by the name typed on the credit — never a draft or restricted record's
    title."""
    values: list[Ref | Person] = []
    nodes: list[Node] = []
    for credit in credits:
        if credit.person_id and credit.person_id in public_ids:
            url = context.absolute(credit.person.get_url(context.request))
            person = Person(id=f"{url}#person", name=credit.person.title, url=url)
            nodes.append(person)
            values.append(person.ref())
        elif credit.public_name(public_ids):
            values.append(Person(name=credit.public_name(public_ids)))
    return values, nodes


def publisher(film, public_ids: set[int], context: GraphContext):
    """``(value, node)``: the distributor's record node when public; nothing when the record
    is a draft or restricted (its title is not the public's)."""
    if not film.distributor_id or film.distributor_id not in public_ids:
        return None, None
    record = film.distributor
    if record is None:
        return None, None
    url = context.absolute(record.get_url(context.request))
    node_class = organization_node_type(record.kind)
    node = node_class(id=f"{url}#organization", name=record.title, url=record.website or url)
    return node.ref(), node


def identifiers(film) -> list[PropertyValue]:
    result = []
    if film.visa_number:
        result.append(
            PropertyValue(
                name=capfirst(gettext("CNC visa number")),
                property_id="cnc-visa",
                value=film.visa_number,
            )
        )
    if film.quebec_classification:
        result.append(
            PropertyValue(
                name=capfirst(gettext("Quebec classification number")),
                property_id="quebec-classification",
                value=film.quebec_classification,
            )
        )
    if IMDB_ID.fullmatch(film.imdb_id or ""):
        result.append(PropertyValue(name="IMDb", property_id="imdb", value=film.imdb_id))
    return result


def features_of(version) -> list[str]:
    return [ACCESSIBILITY_FEATURES[name] for name in ACCESSIBILITY_FIELDS if getattr(version, name)]


def version_nodes(
    film, versions: list, context: GraphContext, image, directors=None
) -> list[Movie]:
    """Each saved version as a ``Movie`` that is an example of the film (made by the same
    directors, the same year)."""
    original = film.original_languages[0] if film.original_languages else None
    nodes = []
    for version in versions:
        if version.pk is None:  # an editor's preview of a version not saved yet
            continue
        nodes.append(
            Movie(
                id=version_id(context.page_url, version),
                name=f"{film.title} ({version.label})",
                url=context.page_url,
                example_of_work=Ref(id=movie_id(context.page_url)),
                in_language=version.audio_language or original,
                subtitle_language=version.subtitle_language or None,
                accessibility_feature=features_of(version) or None,
                image=image,
                director=directors or None,
                date_created=str(film.year) if film.year else None,
            )
        )
    return nodes


# --- Where screenings take place -----------------------------------------------------------------


def _site_url(site) -> str:
    return site.root_url.rstrip("/")


def organization_of_site(settings, site, context: GraphContext) -> tuple[Ref, list[Node]]:
    """The organization a screening belongs to: on this site, its node already in the graph;
    another organization's, a brief node under the ``@id`` its own pages give it."""
    if context.site is not None and site.pk == context.site.pk:
        return Ref(id=context.organization_id), []
    node_id = f"{_site_url(site)}/#organization"
    node_class = organization_node_type(settings.kind if settings else OrganizationKind.OTHER)
    fields = {
        "id": node_id,
        "name": settings.display_name if settings else site.site_name,
        "url": _site_url(site) + "/",
        "address": settings.postal_address_node() if settings else None,
    }
    if issubclass(node_class, PlaceOrganization):
        fields["geo"] = settings.geo_node() if settings else None
    return Ref(id=node_id), [node_class(**fields)]


def venue_location(venue, context: GraphContext) -> tuple[Ref, list[Node]]:
    """``(reference, nodes)`` of where a venue's screenings take place: the cinema record's
    node (``…#organization``), or, when the organization is the cinema, its own node — or the
    place it is at (``…#location``) when its kind is not a place."""
    if venue.record is not None:
        record = venue.record
        url = context.absolute(venue.url) if venue.url else None
        node_id = f"{url}#organization" if url else f"{context.page_url}#cinema-{record.pk}"
        node_class = organization_node_type(record.kind)
        if not issubclass(node_class, PlaceOrganization):
            node_class = organization_node_type(OrganizationKind.CINEMA)
        node = node_class(
            id=node_id,
            name=record.title,
            url=record.website or url,
            address=record.postal_address_node(),
            geo=record.geo_node(),
        )
        return node.ref(), [node]
    settings, site = venue.settings, venue.site
    reference, nodes = organization_of_site(settings, site, context)
    node_class = organization_node_type(settings.kind if settings else OrganizationKind.OTHER)
    if issubclass(node_class, PlaceOrganization):
        return reference, nodes
    place = Place(
        id=location_id(f"{_site_url(site)}/#organization"),
        name=settings.display_name if settings else site.site_name,
        address=settings.postal_address_node() if settings else None,
        geo=settings.geo_node() if settings else None,
    )
    return place.ref(), [*nodes, place]


def screening_nodes(film, rows: list, context: GraphContext, version_ids: set, image):
    """A ``ScreeningEvent`` for each row, and the places and organizations they refer to."""
    original = film.original_languages[0] if film.original_languages else None
    places: dict[tuple, tuple[Ref, list[Node]]] = {}
    organizers: dict[int, tuple[Ref, list[Node]]] = {}
    extra: dict[str, Node] = {}
    events = []
    for row in rows:
        venue = row.venue
        if venue.key not in places:
            places[venue.key] = venue_location(venue, context)
        if row.site_id not in organizers:
            organizers[row.site_id] = organization_of_site(venue.settings, venue.site, context)
        location, location_nodes = places[venue.key]
        organizer, organizer_nodes = organizers[row.site_id]
        for node in (*location_nodes, *organizer_nodes):
            extra.setdefault(node.id, node)
        version = row.version if row.version_id else None
        name = f"{film.title} ({row.version_text})" if row.version_text else film.title
        description = gettext("Screening of “%(film)s” at %(cinema)s.") % {
            "film": name,
            "cinema": venue.name,
        }
        events.append(
            ScreeningEvent(
                id=screening_id(context.page_url, row),
                name=name,
                description=description,
                url=context.page_url,
                start_date=row.local_start,
                end_date=row.local_end,
                event_status=SCHEMA + "EventScheduled",
                event_attendance_mode=SCHEMA + "OfflineEventAttendanceMode",
                location=location,
                organizer=organizer,
                work_presented=Ref(id=movie_id(context.page_url)),
                work_featured=(
                    Ref(id=version_id(context.page_url, version))
                    if version is not None and version.pk in version_ids
                    else None
                ),
                in_language=(version.audio_language or original) if version is not None else None,
                subtitle_language=(version.subtitle_language or None) if version else None,
                image=image,
            )
        )
    return events, list(extra.values())


# --- The page's nodes --------------------------------------------------------------------------


def film_nodes(film, context: GraphContext) -> Iterable[Node]:
    """The film page's nodes: the film, its people, distributor and versions, and its first
    coming screenings with their places."""
    node_id = movie_id(context.page_url)
    context.main_entity_id = node_id
    context.main_entity_type = "Movie"

    credits = in_memory(film.credits, select_related=("person",))
    versions = in_memory(film.versions)
    rows, _venues = screening_rows(
        public_screenings_of(film).order_by("starts_at", "pk")[:GRAPH_SCREENINGS], context.request
    )
    public_ids = public_page_ids([c.person_id for c in credits] + [film.distributor_id])

    directors, director_nodes = people(
        [c for c in credits if c.role == "director"], public_ids, context
    )
    actors, actor_nodes = people([c for c in credits if c.role == "actor"], public_ids, context)
    publisher_value, publisher_node = publisher(film, public_ids, context)
    image = primary_image_ref(context) if film.poster_id else None
    versions_ = version_nodes(film, versions, context, image, directors)
    subtitles = sorted({v.subtitle_language for v in versions if v.subtitle_language})
    features = [
        ACCESSIBILITY_FEATURES[name]
        for name in ACCESSIBILITY_FIELDS
        if any(getattr(version, name) for version in versions)
    ]
    imdb = film.imdb_id if IMDB_ID.fullmatch(film.imdb_id or "") else ""

    yield Movie(
        id=node_id,
        name=film.title,
        alternate_name=(
            film.original_title
            if film.original_title and film.original_title != film.title
            else None
        ),
        description=plain_text(film.synopsis) or film.search_description or None,
        url=context.page_url,
        image=image,
        date_created=str(film.year) if film.year else None,
        date_published=film.release_date,
        duration=iso_duration(film.duration),
        country_of_origin=[
            Country(name=country_name(code), identifier=code) for code in film.countries
        ]
        or None,
        in_language=_one_or_list(list(film.original_languages)),
        subtitle_language=_one_or_list(subtitles),
        accessibility_feature=features or None,
        genre=[str(FilmGenre(code).label) for code in film.genres if code in FilmGenre.values]
        or None,
        content_rating=film.get_age_rating_display() if film.age_rating else None,
        director=directors or None,
        actor=actors or None,
        publisher=publisher_value,
        identifier=identifiers(film) or None,
        same_as=[f"https://www.imdb.com/title/{imdb}/"] if imdb else None,
        trailer=trailer_ref(film, context),
        work_example=[node.ref() for node in versions_] or None,
    )
    yield from director_nodes
    yield from (node for node in actor_nodes if node.id not in {n.id for n in director_nodes})
    if publisher_node is not None:
        yield publisher_node
    yield from versions_
    saved_versions = {version.pk for version in versions if version.pk is not None}
    events, places = screening_nodes(film, rows, context, saved_versions, image)
    yield from events
    yield from places
