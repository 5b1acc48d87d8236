"""The network's records as open data (``opendata``'s ``register_dataset_sources``): its active
cinemas, its film database and the weekly admissions barometer.

Each source reads, for one organization, what its public pages show — published and
unrestricted cinema records and films — in a fixed number of queries whatever the number of
records. What only members may read (the cinemas' Art et Essai classification, labels,
admissions and market share; the barometer's admissions) is declared ``members_only``: the
open-data tables leave those columns out for everyone else.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Page

from crm_blocks.models import OrganizationPage
from opendata.fields import Field, FieldType
from opendata.sources import LiveSource
from organizations.models import OrganizationKind, OrganizationSettings

from .barometer import barometer, monday
from .catalogue import public_page_ids
from .models import AgeRating, FilmGenre, FilmPage, Screening
from .versions import ACCESSIBILITY_FIELDS, ACCESSIBILITY_LABELS

#: The cinemas' admissions and market share are counted over this period.
ADMISSION_WEEKS = 52
#: The barometer dataset covers this many weeks, the current one included.
BAROMETER_WEEKS = 26


def _today(site) -> dt.date:
    """Today in the organization's time zone."""
    settings = OrganizationSettings.for_site(site)
    return timezone.now().astimezone(ZoneInfo(settings.time_zone or "UTC")).date()


def _geo(record) -> tuple | None:
    if record.latitude is None or record.longitude is None:
        return None
    return (record.latitude, record.longitude)


def shown_screenings(site):
    """``site``'s screenings of public films at the organization itself or at a cinema whose
    record is public: what the barometer counts."""
    # Films wherever they are recorded: a member cinema's screenings present the network's.
    public_films = FilmPage.objects.live().public().values("pk")
    public_cinemas = Page.objects.live().public().values("pk")
    return Screening.objects.filter(site=site, film__in=public_films).filter(
        Q(cinema__isnull=True) | Q(cinema__in=public_cinemas)
    )


# --- Active cinemas -------------------------------------------------------------------------

CINEMA_FIELDS = (
    Field("name", _("Name")),
    Field("street_address", _("Street address")),
    Field("postal_code", _("Postal code")),
    Field("city", _("City"), facet=True),
    Field("region", _("Province or region"), facet=True),
    Field("country", _("Country"), facet=True),
    Field("website", _("Website"), FieldType.URL),
    Field("page_url", _("Page on the portal"), FieldType.URL),
    Field("location", _("Location"), FieldType.GEO_POINT),
    Field("screens", _("Screens"), FieldType.INTEGER),
    Field("seats", _("Seats"), FieldType.INTEGER),
    Field(
        "classification",
        _("Art et Essai classification"),
        members_only=True,
        facet=True,
        description=_("The CNC's category, A to E; empty when the cinema is not classified."),
    ),
    Field("labels", _("Labels"), members_only=True),
    Field(
        "admissions",
        _("Admissions over 52 weeks"),
        FieldType.INTEGER,
        members_only=True,
        description=_("Admissions of the network's screenings at the cinema, last 52 weeks."),
    ),
    Field(
        "market_share",
        _("Market share (%)"),
        FieldType.DECIMAL,
        members_only=True,
        description=_("The cinema's share of the network's admissions over the same 52 weeks."),
    ),
)


def cinema_records(site):
    """The organization's published cinema records, with their profile and their admissions
    over the last 52 weeks: five queries whatever their number."""
    root = site.root_page
    cinemas = list(
        OrganizationPage.objects.descendant_of(root)
        .filter(kind=OrganizationKind.CINEMA)
        .published(within=root)
        .select_related("cinema_profile")
        .order_by("sort_name", "pk")
    )
    if not cinemas:
        return
    today = _today(site)
    # Every screening counts, whatever its film: a share of the network's admissions names no
    # film, and a draft film's tickets were sold all the same.
    period = Screening.objects.filter(
        site=site,
        local_date__gt=today - dt.timedelta(weeks=ADMISSION_WEEKS),
        local_date__lte=today,
    ).exclude(status=Screening.Status.CANCELLED)
    total = period.aggregate(total=Sum("admissions"))["total"] or 0
    by_cinema = dict(
        period.filter(cinema__isnull=False)
        .values_list("cinema__translation_key")
        .annotate(total=Sum("admissions"))
        .order_by()
    )
    for cinema in cinemas:
        profile = getattr(cinema, "cinema_profile", None)
        admissions = by_cinema.get(cinema.translation_key) or 0
        yield {
            "_id": str(cinema.pk),
            "name": cinema.title,
            "street_address": cinema.street_address,
            "postal_code": cinema.postal_code,
            "city": cinema.locality,
            "region": cinema.region,
            "country": cinema.country,
            "website": cinema.website,
            "page_url": cinema.get_full_url() or "",
            "location": _geo(cinema),
            "screens": profile.screens if profile else None,
            "seats": profile.seats if profile else None,
            "classification": profile.classification if profile else None,
            "labels": ", ".join(profile.labels()) if profile else None,
            "admissions": admissions,
            "market_share": round(100 * admissions / total, 2) if total else None,
        }


# --- Open Films -------------------------------------------------------------------------------

FILM_FIELDS = (
    Field("title", _("Title")),
    Field("original_title", _("Original title")),
    Field("year", _("Year"), FieldType.INTEGER, facet=True),
    Field("duration", _("Duration (minutes)"), FieldType.INTEGER),
    Field("countries", _("Countries"), description=_("ISO 3166 codes, separated by commas.")),
    Field(
        "languages",
        _("Original languages"),
        description=_("Language codes, separated by commas."),
    ),
    Field("genres", _("Genres")),
    Field("age_rating", _("Age rating"), facet=True),
    Field("distributor", _("Distributor"), facet=True),
    Field("release_date", _("Release date"), FieldType.DATE),
    Field("versions", _("Versions")),
    Field("accessibility", _("Accessibility")),
    Field("audio_description", _("Audio description"), FieldType.BOOLEAN, facet=True),
    Field(
        "sdh_subtitles",
        _("Subtitles for the deaf and hard of hearing"),
        FieldType.BOOLEAN,
        facet=True,
    ),
    Field("visa_number", _("CNC visa number")),
    Field("quebec_classification", _("Quebec classification number")),
    Field("imdb_id", _("IMDb identifier")),
    Field("page_url", _("Page on the portal"), FieldType.URL),
)


def film_records(site):
    """The organization's published films, one record per film with its versions: three
    queries (films with their distributor, versions, which distributors are public)."""
    films = list(
        FilmPage.objects.published(within=site.root_page)
        .select_related("distributor")
        .prefetch_related("versions")
        .order_by("title", "pk")
    )
    public = public_page_ids(f.distributor_id for f in films)
    genres = dict(FilmGenre.choices)
    ratings = dict(AgeRating.choices)
    for film in films:
        versions = list(film.versions.all())
        features = [
            name for name in ACCESSIBILITY_FIELDS if any(getattr(v, name) for v in versions)
        ]
        yield {
            "_id": str(film.pk),
            "title": film.title,
            "original_title": film.original_title,
            "year": film.year,
            "duration": film.duration,
            "countries": ", ".join(film.countries),
            "languages": ", ".join(film.original_languages),
            "genres": ", ".join(str(genres[code]) for code in film.genres if code in genres),
            "age_rating": str(ratings.get(film.age_rating, "")),
            "distributor": (film.distributor.title if film.distributor_id in public else None),
            "release_date": film.release_date,
            "versions": ", ".join(v.label for v in versions),
            "accessibility": ", ".join(str(ACCESSIBILITY_LABELS[n][0]) for n in features),
            "audio_description": "audio_description" in features,
            "sdh_subtitles": "sdh_subtitles" in features,
            "visa_number": film.visa_number,
            "quebec_classification": film.quebec_classification,
            "imdb_id": film.imdb_id,
            "page_url": film.get_full_url() or "",
        }


# --- The weekly admissions barometer ----------------------------------------------------------

BAROMETER_FIELDS = (
    Field("week", _("Week (Monday)"), FieldType.DATE, facet=True),
    Field("film", pgettext_lazy("dataset column", "Film"), facet=True),
    Field("cinema", _("Cinema"), facet=True),
    Field("admissions", _("Admissions"), FieldType.INTEGER, members_only=True),
)


def barometer_records(site):
    """Admissions per week, film and cinema over the last 26 weeks (``films.barometer``), of
    public films at public cinemas: four queries."""
    today = _today(site)
    start = monday(today) - dt.timedelta(weeks=BAROMETER_WEEKS - 1)
    settings = OrganizationSettings.for_site(site)
    result = barometer(
        site,
        start,
        today,
        settings.display_name or site.site_name,
        screenings=shown_screenings(site),
    )
    for line in result.lines:
        for week, admissions in zip(result.weeks, line.weeks, strict=True):
            if not admissions:
                continue
            yield {
                "_id": f"{week.isoformat()}-{line.film_id}-{line.cinema_key}",
                "week": week,
                "film": line.film,
                "cinema": line.cinema,
                "admissions": admissions,
            }


def films_dataset_sources():
    return [
        LiveSource(
            "films.cinemas",
            _("Active cinemas"),
            fields=CINEMA_FIELDS,
            records=cinema_records,
            description=_(
                "The network's published cinema records, on a map; members also read their "
                "classification, labels, admissions and market share."
            ),
        ),
        LiveSource(
            "films.films",
            _("Open Films"),
            fields=FILM_FIELDS,
            records=film_records,
            description=_("The published films of the film database and their versions."),
        ),
        LiveSource(
            "films.barometer",
            _("Weekly admissions barometer"),
            fields=BAROMETER_FIELDS,
            records=barometer_records,
            description=_("Admissions per week, film and cinema over the last 26 weeks."),
        ),
    ]
