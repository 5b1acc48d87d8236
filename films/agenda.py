"""Screenings in the agendas (``events``' ``register_agenda_sources``): an organization's agenda
lists its screenings beside its events, and a network's agenda those of the members that share
their events with it — without events knowing films.

A screening's canonical page is its film's page (which lists it and describes it as a
``ScreeningEvent``): the agenda links there, on the film's own site. Only public values are read:
the film and the cinema record must be live and public; admissions and receipts never leave the
database (``PRIVATE_SCREENING_FIELDS`` are deferred).
"""

from __future__ import annotations

import re

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, When
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_blocks.models import OrganizationPage
from crm_blocks.models.records import images_with_renditions
from events.agenda import ACCESS_ICONS, LIST_RENDITION
from events.models import EventAccessibility, EventKind
from events.sources import AgendaItem, AgendaSource

from .catalogue import PRIVATE_SCREENING_FIELDS
from .models import FilmPage, Screening

#: The agenda's accessibility filter (events' fields) → what a screening's version offers.
ACCESS_FILTERS = {
    "audio_description": Q(version__audio_description=True),
    "deaf_subtitles": Q(version__sdh_subtitles=True)
    | Q(version__closed_captions=True)
    | Q(version__open_captions=True),
    "sign_language": Q(version__sign_language=True),
}
FILM_PARAM = "film"
#: An id as a visitor may type it (``str.isdigit`` also takes « ² », which ``int`` refuses).
NUMBER = re.compile(r"[0-9]{1,12}")


def _public_cinemas(scope):
    return OrganizationPage.objects.filter(scope.public_pages(scope.site_ids)).values("pk")


def screening_rows(scope):
    """Public, coming-or-past screenings of the listed sites, as the agenda's rows."""
    query = scope.query
    rows = (
        Screening.objects.filter(site_id__in=scope.site_ids)
        .exclude(status=Screening.Status.CANCELLED)
        .filter(film__in=FilmPage.objects.live().public().values("pk"))
        .filter(Q(cinema__isnull=True) | Q(cinema__in=_public_cinemas(scope)))
        .annotate(
            start=F("starts_at"),
            end=F("ends_at"),
            region=Case(
                When(cinema__isnull=True, then=F("site__organizationsettings__region")),
                default=F("cinema__region"),
                output_field=CharField(),
            ),
            postal_code=Case(
                When(cinema__isnull=True, then=F("site__organizationsettings__postal_code")),
                default=F("cinema__postal_code"),
                output_field=CharField(),
            ),
        )
    )
    unknown = (
        (query.kind and query.kind != EventKind.SCREENING)
        or query.audience
        or query.free
        or (query.access and query.access not in ACCESS_FILTERS)
    )
    if unknown:
        # What a screening cannot tell (its audience, its price): none while it is asked.
        return rows.none()
    if query.access:
        rows = rows.filter(ACCESS_FILTERS[query.access])
    if query.venue:
        rows = rows.filter(cinema__slug=query.venue)
    film = str(query.extra.get(FILM_PARAM, "") or "").strip()
    if film:
        rows = rows.filter(film_id=int(film)) if NUMBER.fullmatch(film) else rows.none()
    return rows


def _accessibility(version) -> list[tuple[str, str, str]]:
    if version is None:
        return []
    offered = {
        "audio_description": version.audio_description,
        "deaf_subtitles": version.sdh_subtitles or version.closed_captions or version.open_captions,
        "sign_language": version.sign_language,
    }
    return [
        (name, ACCESS_ICONS.get(name, "•"), EventAccessibility.FIELDS[name])
        for name, shown in offered.items()
        if shown
    ]


def screening_items(ids, scope) -> dict[int, AgendaItem]:
    """The page's screenings as agenda lines: three queries (screenings with their film,
    version, cinema and organization; the posters' renditions; which cinemas are public)."""
    screenings = list(
        Screening.objects.filter(pk__in=ids)
        .defer(*PRIVATE_SCREENING_FIELDS)
        .select_related("film", "version", "cinema", "site__organizationsettings")
        .prefetch_related(images_with_renditions("film__poster", LIST_RENDITION))
    )
    cinema_ids = {s.cinema_id for s in screenings if s.cinema_id}
    public_cinemas = (
        set(_public_cinemas(scope).filter(pk__in=cinema_ids).values_list("pk", flat=True))
        if cinema_ids
        else set()
    )
    request = scope.request
    label = EventKind.SCREENING.label
    items = {}
    for screening in screenings:
        settings = getattr(screening.site, "organizationsettings", None)
        organization = settings.display_name if settings else screening.site.site_name
        if screening.cinema_id:
            cinema = screening.cinema
            venue = cinema.title
            venue_url = cinema.get_full_url(request) if cinema.pk in public_cinemas else ""
            place = cinema if venue_url else None
        else:
            venue, venue_url = organization, screening.site.root_url + "/"
            place = settings
        film = screening.film
        version = screening.version
        summary = " · ".join(
            part
            for part in (
                screening.version_label or (version.label if version else ""),
                _("room %(room)s") % {"room": screening.room} if screening.room else "",
            )
            if part
        )
        items[screening.pk] = AgendaItem(
            title=film.title,
            url=f"{film.get_full_url(request) or ''}#screening-{screening.pk}",
            start=screening.starts_at,
            end=screening.ends_at,
            time_zone=(settings.time_zone if settings else "") or scope.time_zone,
            kind=EventKind.SCREENING,
            kind_label=str(label),
            summary=summary,
            image=film.poster,
            venue=venue,
            venue_url=venue_url,
            organization=organization,
            organization_host=screening.site.hostname,
            accessibility=_accessibility(version),
            uid=f"screening-{screening.pk}",
            locality=place.locality if place is not None else "",
            geo=(
                (place.latitude, place.longitude)
                if place is not None and place.has_coordinates
                else None
            ),
        )
    return items


def film_filter_fields(scope) -> list[dict]:
    """A « Film » select listing the films the agenda's sites screen from today on."""
    coming = (
        Screening.objects.filter(
            film=OuterRef("pk"), site_id__in=scope.site_ids, starts_at__gte=scope.now
        )
        .exclude(status=Screening.Status.CANCELLED)
        .values("pk")
    )
    films = (
        FilmPage.objects.live()
        .public()
        .filter(Exists(coming))
        .order_by("title")
        .values_list("pk", "title")
    )
    choices = [(str(pk), title) for pk, title in films]
    if not choices:
        return []
    return [
        {
            "name": FILM_PARAM,
            "label": gettext_lazy("Film"),
            "all_label": gettext_lazy("All films"),
            "selected": str(scope.query.extra.get(FILM_PARAM, "") or ""),
            "choices": choices,
        }
    ]


def films_agenda_sources():
    return [
        AgendaSource(
            "films.screenings",
            rows=screening_rows,
            items=screening_items,
            params=(FILM_PARAM,),
            filter_fields=film_filter_fields,
        )
    ]
