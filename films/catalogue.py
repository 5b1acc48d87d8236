"""What the film database's pages show: the index with its filters, a film's page with its
coming screenings by cinema, and a cinema's programme on its record page.

Only what the public may see is read: live films without view restriction below the index,
people and organizations linked only when their record is live and public, screenings that
are not cancelled. Screenings' admissions and gross receipts are never read here (every
queryset of screenings defers them, and no template names them). Each view costs the same
number of queries whatever the number of films or screenings: posters and their renditions,
versions and credits are fetched in bulk.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import formats
from django.utils.dates import WEEKDAYS
from django.utils.http import urlencode
from django.utils.translation import get_language_info, gettext_lazy
from django.utils.translation import gettext as _
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from crm_blocks.models import OrganizationPage
from events.models import NetworkSharing
from organizations.fields import contains
from organizations.models import OrganizationKind, OrganizationSettings
from organizations.sorting import collate

from .countries import country_name
from .models import FilmCredit, FilmGenre, FilmPage, FilmVersion, Screening
from .titles import fold_title
from .versions import ACCESSIBILITY_FIELDS, ACCESSIBILITY_LABELS

#: Films listed per page of the index.
PAGE_SIZE = 24
#: A film's poster in the index's cards, and on its page.
CARD_RENDITION = "fill-240x360"
POSTER_RENDITION = "max-600x900"
#: Screenings a film's page lists at once (then « later screenings », by day).
SCREENINGS_PER_PAGE = 200
#: Screenings a cinema's record page lists (its programme).
PROGRAMME_LIMIT = 60
#: Columns of a screening the public outputs read: never admissions nor gross receipts.
PRIVATE_SCREENING_FIELDS = ("admissions", "gross_receipts", "source")

_LANGUAGE = re.compile(r"[a-z]{2,3}(-[a-z0-9]{2,8})*")


# --- Small readings shared by the pages and the JSON-LD ---------------------------------------


def duration_label(minutes: int | None) -> str:
    """« 1 h 35 », « 2 h », « 45 min »."""
    if not minutes:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return _("%(hours)d h %(minutes)02d") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": rest}


def iso_duration(minutes: int | None) -> str | None:
    """``PT1H35M`` (ISO 8601), or ``None`` without a duration."""
    if not minutes:
        return None
    hours, rest = divmod(int(minutes), 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{rest}M" if rest else "")


def language_name(code: str) -> str:
    """The language's name in the active language (Django's table of languages), or its code
    when Django does not know it."""
    if not code:
        return ""
    for candidate in (code.lower(), code.split("-")[0].lower()):
        try:
            return str(get_language_info(candidate)["name_translated"])
        except KeyError:
            continue
    return code


def features_named(names) -> list[dict]:
    """``[{"field", "label", "sign"}]`` of accessibility features, in their usual order."""
    return [
        {"field": name, "label": label, "sign": sign}
        for name, (label, sign) in ACCESSIBILITY_LABELS.items()
        if name in names
    ]


def accessibility_of(version) -> list[dict]:
    """The accessibility features a version offers (none without a version)."""
    if version is None:
        return []
    return features_named({name for name in ACCESSIBILITY_FIELDS if getattr(version, name)})


def day_label(day: dt.date) -> str:
    """« mardi 9 mars 2027 »."""
    return _("%(weekday)s %(date)s") % {
        "weekday": WEEKDAYS[day.weekday()],
        "date": formats.date_format(day, "DATE_FORMAT"),
    }


def site_of(page, request) -> Site | None:
    site = Site.find_for_request(request) if request is not None else None
    return site or page.get_site()


def public_page_ids(ids) -> set[int]:
    """Which of the pages ``ids`` the public may see: live, and no view restriction at or
    above them (of any site: a cinema or a person may be another organization's record)."""
    ids = {pk for pk in ids if pk}
    if not ids:
        return set()
    return set(Page.objects.live().public().filter(pk__in=ids).values_list("pk", flat=True))


def posters(*filter_specs: str) -> Prefetch:
    images = get_image_model().objects.prefetch_renditions(*filter_specs)
    return Prefetch("poster", queryset=images)


def in_memory(related, **select) -> list:
    """A relation's rows: from the database with ``select_related`` (a published page), or as
    they are in memory (an editor's preview)."""
    rows = related.all()
    if isinstance(rows, QuerySet) and select.get("select_related"):
        rows = rows.select_related(*select["select_related"])
    return list(rows)


# --- The index ---------------------------------------------------------------------------------


@dataclass
class FilmQuery:
    """What the visitor asked for through the query string, checked (anything else ignored)."""

    genre: str = ""
    access: str = ""
    language: str = ""
    distributor: int | None = None
    q: str = ""

    @classmethod
    def from_request(cls, params) -> FilmQuery:
        query = cls()
        genre = params.get("genre", "")
        query.genre = genre if genre in FilmGenre.values else ""
        access = params.get("access", "")
        query.access = access if access in ACCESSIBILITY_FIELDS else ""
        language = params.get("language", "").strip().lower()[:20]
        query.language = language if _LANGUAGE.fullmatch(language) else ""
        distributor = params.get("distributor", "").strip()
        query.distributor = int(distributor) if re.fullmatch(r"[0-9]{1,11}", distributor) else None
        query.q = " ".join(params.get("q", "").split())[:200]
        return query

    def has_filters(self) -> bool:
        return bool(self.genre or self.access or self.language or self.distributor or self.q)

    def params(self) -> dict:
        values = {
            "genre": self.genre,
            "access": self.access,
            "language": self.language,
            "distributor": self.distributor or "",
            "q": self.q,
        }
        return {key: value for key, value in values.items() if value}

    def apply(self, films):
        if self.genre:
            films = films.filter(genres__contains=contains(self.genre))
        if self.access:
            films = films.filter(
                Exists(FilmVersion.objects.filter(film=OuterRef("pk"), **{self.access: True}))
            )
        if self.language:
            spoken = FilmVersion.objects.filter(film=OuterRef("pk"), audio_language=self.language)
            films = films.filter(
                Q(original_languages__contains=contains(self.language)) | Q(Exists(spoken))
            )
        if self.distributor:
            films = films.filter(distributor_id=self.distributor)
        if self.q:
            folded = fold_title(self.q)
            films = films.filter(
                Q(match_title__contains=folded) | Q(original_title__icontains=self.q)
                if folded
                else Q(original_title__icontains=self.q)
            )
        return films


def filter_choices(published, query: FilmQuery) -> dict:
    """The choices of the filter form: every genre and feature, the languages and distributors
    of the database's films (two queries whatever their number)."""
    languages: set[str] = set()
    for codes in published.order_by().values_list("original_languages", flat=True).distinct():
        languages.update(codes)
    languages.update(
        FilmVersion.objects.filter(film__in=published.order_by().values("pk"))
        .exclude(audio_language="")
        .order_by()
        .values_list("audio_language", flat=True)
        .distinct()
    )
    if query.language:
        languages.add(query.language)
    # Only distributors whose records are public: a draft or restricted record's title is
    # never offered.
    rows = set(
        published.exclude(distributor=None)
        .order_by()
        .values_list("distributor_id", "distributor__title")
        .distinct()
    )
    public = public_page_ids(pk for pk, _title in rows)
    distributors = sorted(
        (row for row in rows if row[0] in public), key=lambda row: row[1].casefold()
    )
    return {
        "genres": FilmGenre.choices,
        "access": [(name, label) for name, (label, _sign) in ACCESSIBILITY_LABELS.items()],
        "languages": sorted(
            ((code, language_name(code)) for code in languages), key=lambda row: row[1].casefold()
        ),
        "distributors": distributors,
    }


def decorate_film(film, request=None, public_ids: set[int] | None = None) -> None:
    """What a film's card shows, computed from rows fetched in bulk; ``public_ids``: which of
    the credited person records are public (``public_page_ids``; ``None``: asked here)."""
    versions = list(film.versions.all())
    film.duration_label = duration_label(film.duration)
    film.poster_alt = poster_alt(film, film.poster if film.poster_id else None)
    directors = [c for c in film.credits.all() if c.role == "director"]
    if public_ids is None:
        public_ids = public_page_ids([c.person_id for c in directors])
    film.director_names = [name for name in (c.public_name(public_ids) for c in directors) if name]
    film.genre_labels = [
        str(FilmGenre(code).label) for code in film.genres if code in FilmGenre.values
    ]
    film.accessibility = features_named(
        {feature["field"] for version in versions for feature in accessibility_of(version)}
    )


def film_index_context(index, request, distributor: int | None = None) -> dict:
    """The film database: the page of published films asked for (genre, accessibility,
    language, distributor, title), their posters, and the filter form. A distributor's folder
    shows the database's films of that ``distributor``."""
    params = request.GET if request is not None else {}
    query = FilmQuery.from_request(params)
    if distributor is not None:
        query.distributor = distributor
    published = FilmPage.objects.published(within=index)
    listed = (
        query.apply(published)
        .prefetch_related(
            posters(CARD_RENDITION),
            "versions",
            Prefetch("credits", queryset=FilmCredit.objects.select_related("person")),
        )
        .order_by(collate("title").asc(), "pk")
    )
    page_obj = Paginator(listed, PAGE_SIZE).get_page(params.get("page"))
    films = list(page_obj.object_list)
    credited = public_page_ids(
        [c.person_id for film in films for c in film.credits.all() if c.role == "director"]
    )
    for film in films:
        decorate_film(film, request, credited)
    choices = filter_choices(published, query)
    distributor_label = next(
        (title for pk, title in choices["distributors"] if pk == query.distributor), ""
    )
    return {
        "film_query": query,
        "films": page_obj,
        "film_list": films,
        "filter_choices": choices,
        "filter_query": urlencode(query.params()),
        "distributor_label": distributor_label,
    }


# --- A film's screenings ------------------------------------------------------------------------


def public_screenings_of(film):
    """The screenings of ``film`` the public may see, wherever they are: not cancelled, of a
    live film, coming, at the organization itself or at a cinema whose record is live and
    public; held by the film's own organization, or by a member that shares its events with it
    (``events.NetworkSharing``) and that it accepted (``events.NetworkMembers``) — a cinema
    that did not opt in, or that the network did not accept, is never shown on its film page.

    Which organizations' screenings a film's page shows is decided here and nowhere else."""
    public_cinemas = Page.objects.live().public().values("pk")
    site = film.get_site()
    sharing = NetworkSharing.objects.filter(
        network=site, share_events=True, site__accepted_by_networks__site=site
    ).values("site")
    return (
        Screening.objects.shown()
        .upcoming()
        .filter(film=film)
        .filter(Q(site=site) | Q(site__in=sharing))
        .filter(Q(cinema__isnull=True) | Q(cinema__in=public_cinemas))
        .defer(*PRIVATE_SCREENING_FIELDS)
    )


def organizations_of(site_ids) -> dict[int, OrganizationSettings]:
    """Each site's settings (its name, address, time zone), in one query."""
    return {
        settings.site_id: settings
        for settings in OrganizationSettings.objects.filter(site_id__in=set(site_ids))
    }


@dataclass
class Venue:
    """Where screenings take place, as the public sees it: a cinema record of a site, or the
    organization itself when it is the cinema."""

    key: tuple
    name: str
    url: str
    locality: str
    record: OrganizationPage | None
    settings: OrganizationSettings | None
    site: Site


def venue_of(screening, organizations, public_ids, request) -> Venue:
    settings = organizations.get(screening.site_id)
    if screening.cinema_id:
        cinema = screening.cinema
        return Venue(
            key=(screening.site_id, screening.cinema_id),
            name=cinema.title,
            url=(cinema.get_url(request) or "") if cinema.pk in public_ids else "",
            locality=cinema.locality,
            record=cinema,
            settings=settings,
            site=screening.site,
        )
    return Venue(
        key=(screening.site_id, 0),
        name=settings.display_name if settings is not None else "",
        url=site_home_url(screening.site, request),
        locality=settings.locality if settings is not None else "",
        record=None,
        settings=settings,
        site=screening.site,
    )


def site_home_url(site, request) -> str:
    """The organization's home page address (relative on the site being visited)."""
    if site is None:
        return ""
    current = getattr(request, "_wagtail_site", None) if request is not None else None
    if current is not None and current.pk == site.pk:
        return "/"
    return site.root_url.rstrip("/") + "/"


def screening_rows(queryset, request) -> tuple[list, dict]:
    """The screenings of ``queryset`` (already limited) with their local time in their
    organization's zone, their venue and their version's accessibility; ``(rows, venues)``.

    A page lists hundreds of screenings at a handful of cinemas, in a handful of versions: the
    cinemas, versions and sites are read once each (not joined to every row), and what is said
    of a version or of a time of day is worked out once."""
    rows = list(queryset)
    cinema_ids = {row.cinema_id for row in rows if row.cinema_id}
    version_ids = {row.version_id for row in rows if row.version_id}
    cinemas = OrganizationPage.objects.in_bulk(cinema_ids) if cinema_ids else {}
    versions = FilmVersion.objects.in_bulk(version_ids) if version_ids else {}
    sites = Site.objects.in_bulk({row.site_id for row in rows}) if rows else {}
    organizations = organizations_of(row.site_id for row in rows)
    public_ids = public_page_ids(cinema_ids)
    venues: dict[tuple, Venue] = {}
    zones: dict[int, ZoneInfo] = {}
    labels: dict[tuple, str] = {}
    said: dict[int, list] = {}
    for row in rows:
        settings = organizations.get(row.site_id)
        zone = zones.setdefault(
            row.site_id, ZoneInfo(settings.time_zone if settings is not None else "UTC")
        )
        row.site = sites.get(row.site_id)
        row.cinema = cinemas.get(row.cinema_id) if row.cinema_id else None
        version = versions.get(row.version_id) if row.version_id else None
        row.version = version
        row.local_start = row.starts_at.astimezone(zone)
        row.local_end = row.ends_at.astimezone(zone) if row.ends_at else None
        # Said in the cinema's zone: templates' time filters would convert to the visitor's.
        moment = (row.local_start.hour, row.local_start.minute)
        if moment not in labels:
            labels[moment] = formats.time_format(dt.time(*moment), "TIME_FORMAT")
        row.time_label = labels[moment]
        row.iso_start = row.local_start.isoformat()
        # Worked out here rather than by the template: a page lists hundreds of them.
        row.room_label = _("room %(room)s") % {"room": row.room} if row.room else ""
        row.version_text = version.label if version is not None else row.version_label
        key_version = version.pk if version is not None else 0
        if key_version not in said:
            said[key_version] = accessibility_of(version)
        row.accessibility = said[key_version]
        key = (row.site_id, row.cinema_id or 0)
        if key not in venues:
            venues[key] = venue_of(row, organizations, public_ids, request)
        row.venue = venues[key]
    return rows, venues


def group_by_venue(rows: list) -> list[dict]:
    """``[{"venue", "days": [{"date", "label", "screenings"}]}]``, venues in the order of their
    first screening, days and times in order."""
    groups: dict[tuple, dict] = {}
    for row in rows:
        group = groups.setdefault(row.venue.key, {"venue": row.venue, "days": []})
        day = row.local_start.date()
        if not group["days"] or group["days"][-1]["date"] != day:
            group["days"].append({"date": day, "label": day_label(day), "screenings": []})
        group["days"][-1]["screenings"].append(row)
    return list(groups.values())


def parse_day(text: str) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def film_screenings(film, request, params) -> dict:
    """The film's coming screenings, by cinema: at most :data:`SCREENINGS_PER_PAGE`, cut at the
    end of a day, with a link to the following days (``?from=YYYY-MM-DD``); ``?access=`` keeps
    the screenings of versions with that feature."""
    access = params.get("access", "")
    access = access if access in ACCESSIBILITY_FIELDS else ""
    start = parse_day(params.get("from", "").strip()[:20])
    screenings = public_screenings_of(film)
    if access:
        screenings = screenings.filter(**{f"version__{access}": True})
    if start:
        screenings = screenings.filter(local_date__gte=start)
    rows, _venues = screening_rows(
        screenings.order_by("starts_at", "pk")[: SCREENINGS_PER_PAGE + 1], request
    )
    later = ""
    if len(rows) > SCREENINGS_PER_PAGE:
        cut = rows[SCREENINGS_PER_PAGE].local_date
        kept = [row for row in rows[:SCREENINGS_PER_PAGE] if row.local_date < cut]
        if not kept:  # more than a page on one day: show the page, continue the next day
            kept = rows[:SCREENINGS_PER_PAGE]
            cut = cut + dt.timedelta(days=1)
        rows = kept
        later = urlencode(
            {key: value for key, value in (("access", access), ("from", cut.isoformat())) if value}
        )
    return {
        "screening_groups": group_by_venue(rows),
        "screening_count": len(rows),
        "screening_access": access,
        "screening_access_label": ACCESSIBILITY_LABELS[access][0] if access else "",
        "screenings_from": start,
        "later_screenings_query": later,
        "access_choices": [(name, label) for name, (label, _sign) in ACCESSIBILITY_LABELS.items()],
    }


# --- A film's page ------------------------------------------------------------------------------


def film_versions(film) -> list[dict]:
    """Each version with its languages by name, its accessibility and when it is available."""
    original = film.original_languages[0] if film.original_languages else ""
    result = []
    for version in in_memory(film.versions):
        spoken = version.audio_language or original
        result.append(
            {
                "label": version.label,
                "spoken": language_name(spoken),
                "original": not version.audio_language,
                "subtitles": language_name(version.subtitle_language),
                "accessibility": accessibility_of(version),
                "format": version.get_format_display(),
                "available_from": version.available_from,
                "available_until": version.available_until,
            }
        )
    return result


def credit_rows(credits: list, public_ids: set[int], request) -> list[dict]:
    """The credits as the public sees them: a person record's title and link only when the
    record is public, else the typed name; a credit with neither is left out."""
    return [
        {
            "name": credit.public_name(public_ids),
            "character": credit.character,
            "url": (
                credit.person.get_url(request) or ""
                if credit.person_id and credit.person_id in public_ids
                else ""
            ),
        }
        for credit in credits
        if credit.public_name(public_ids)
    ]


def film_page_context(film, request) -> dict:
    """A film's page: its facts in words (duration, countries, languages), its people and
    distributor linked when their records are public, its versions, and its coming screenings
    by cinema."""
    params = request.GET if request is not None else {}
    credits = in_memory(film.credits, select_related=("person",))
    distributor = film.distributor if film.distributor_id else None
    public_ids = public_page_ids(
        [c.person_id for c in credits if c.person_id] + [film.distributor_id]
    )
    poster = None
    if film.poster_id:
        poster = (
            get_image_model()
            .objects.prefetch_renditions(POSTER_RENDITION)
            .filter(pk=film.poster_id)
            .first()
        )
    parent = film.get_parent()
    return {
        "duration_label": duration_label(film.duration),
        "countries": [country_name(code) for code in film.countries],
        "original_languages": [language_name(code) for code in film.original_languages],
        "genre_labels": [
            str(FilmGenre(code).label) for code in film.genres if code in FilmGenre.values
        ],
        "directors": credit_rows([c for c in credits if c.role == "director"], public_ids, request),
        "cast": credit_rows([c for c in credits if c.role == "actor"], public_ids, request),
        # A draft or restricted distributor record is not shown at all.
        "distributor": distributor
        if distributor is not None and distributor.pk in public_ids
        else None,
        "distributor_url": (
            (distributor.get_url(request) or "")
            if distributor is not None and distributor.pk in public_ids
            else ""
        ),
        "poster": poster,
        "poster_alt": poster_alt(film, poster),
        "film_versions": film_versions(film),
        "film_database": parent.specific if parent is not None else None,
        **film_screenings(film, request, params),
    }


def poster_alt(film, image) -> str:
    """The poster's text alternative: the image's own description when it has one, else
    « Affiche du film X »."""
    if image is None:
        return ""
    own = (getattr(image, "description", "") or "").strip()
    return own or _("Poster of the film %(title)s") % {"title": film.title}


# --- A cinema's programme on its record page (hook of ``crm_blocks``) ---------------------------


def cinema_programme_section(page, request) -> list[dict]:
    """``crm_blocks``' ``register_record_page_sections``: on a cinema's page, its coming
    screenings (film, version, accessibility, time) of the site being visited, public films
    only, in a fixed number of queries."""
    if not isinstance(page, OrganizationPage) or page.kind != OrganizationKind.CINEMA:
        return []
    site = site_of(page, request)
    if site is None:
        return []
    rows = (
        Screening.objects.for_site(site)
        .shown()
        .upcoming()
        .filter(cinema__translation_key=page.translation_key)
        .filter(film__in=FilmPage.objects.published().values("pk"))
        .defer(*PRIVATE_SCREENING_FIELDS)
        .select_related("film")
        .order_by("starts_at", "pk")[:PROGRAMME_LIMIT]
    )
    rows, _venues = screening_rows(rows, request)
    if not rows:
        return []
    days: list[dict] = []
    for row in rows:
        day = row.local_start.date()
        if not days or days[-1]["date"] != day:
            days.append({"date": day, "label": day_label(day), "screenings": []})
        days[-1]["screenings"].append(row)
    return [
        {
            "template": "films/includes/cinema_programme.html",
            "context": {
                "heading": gettext_lazy("Programme"),
                "days": days,
                "id": "cinema-programme",
            },
        }
    ]
