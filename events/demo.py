"""The events of the demo organizations (``load_demo``, through the ``load_demo_content`` hook).

About twenty events per organization, dated from the day the demo is loaded so that its agenda
always has coming dates, and each showing one thing the plugin does: a weekly workshop with an
excluded date and a moved one, a monthly screening at 19:00 across the next spring clock change,
a cancelled event, an online talk, a festival with its sub-events, an event proposed by the
public awaiting moderation (a draft with its contributor's details in the private twin), and
ordinary screenings, exhibitions and meetings. Pages go through Wagtail's own path (``add_child``,
``save_revision``, ``publish``): publishing stores their dates as an editor's publication would.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from wagtail.images import get_image_model
from wagtail.models import Page

from crm_blocks.models import OrganizationPage, PersonPage
from organizations.models import OrganizationSettings
from organizations.services import organization_collection
from privacy.pages import twin_model_of

from .models import (
    EventAttendance,
    EventAudience,
    EventIndexPage,
    EventKind,
    EventOccurrenceChange,
    EventPage,
    EventPerformer,
    EventStatus,
)

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def next_weekday(day: dt.date, weekday: int) -> dt.date:
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


def nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    return next_weekday(dt.date(year, month, 1), weekday) + dt.timedelta(weeks=n - 1)


def monthly_across_march(today: dt.date) -> tuple[dt.date, int]:
    """The first 2nd Tuesday from ``today`` on, and how many monthly dates reach past the next
    March (the spring clock change, in America and Europe alike, falls between the 2nd Tuesday
    of March and that of April)."""
    year, month = today.year, today.month
    start = nth_weekday(year, month, 1, 2)
    if start < today:
        year, month = (year + (month == 12), month % 12 + 1)
        start = nth_weekday(year, month, 1, 2)
    march_year = start.year if start.month <= 3 else start.year + 1
    months = (march_year - start.year) * 12 + (4 - start.month)
    return start, months + 2


def load_demo_events(*, site, today: dt.date | None = None, log=None) -> int:
    """Create the demo events of ``site`` (once: an agenda that already has events is left as
    it is); returns how many pages it created."""
    today = today or timezone.localdate()
    agenda = (
        EventIndexPage.objects.filter(path__startswith=site.root_page.path).order_by("path").first()
    )
    if agenda is None or EventPage.objects.child_of(agenda).exists():
        return 0
    settings = OrganizationSettings.for_site(site)
    venues = list(
        OrganizationPage.objects.live()
        .filter(path__startswith=site.root_page.path)
        .exclude(locality="")
        .order_by("path")[:4]
    )
    # Each event gets one of the organization's demo images and one of its people as host:
    # search engines ask for both (the demo leaves them nothing to ask for).
    collection = organization_collection(site)
    images = list(
        get_image_model().objects.filter(collection=collection).order_by("pk")[:8]
        if collection is not None
        else []
    )
    people = list(
        PersonPage.objects.live()
        .public()
        .filter(path__startswith=site.root_page.path)
        .order_by("path")[:6]
    )
    loader = _Loader(agenda, venues, today, settings, images=images, people=people)
    loader.load()
    if log is not None:
        log(f"  {loader.count} events in the agenda of “{site.site_name}”.")
    return loader.count


class _Loader:
    def __init__(self, agenda: Page, venues: list, today: dt.date, settings, *, images, people):
        self.images = images
        self.people = people
        self.agenda = agenda
        self.venues = venues
        self.today = today
        self.euro = settings.currency == "EUR"
        self.settings = settings
        self.count = 0

    def venue(self, index: int):
        return self.venues[index % len(self.venues)] if self.venues else None

    def add(self, parent, title, *, publish=True, changes=(), private=None, **fields) -> EventPage:
        fields.setdefault("kind", EventKind.SCREENING)
        fields.setdefault("start_time", dt.time(19, 30))
        fields.setdefault("venue", self.venue(self.count))
        if fields["venue"] is None and fields.get("attendance") != EventAttendance.ONLINE:
            # An organization without venue records (a cinema) holds its events at home.
            fields.setdefault("place_name", self.settings.display_name)
            for name in ("street_address", "postal_code", "locality", "region", "country"):
                fields.setdefault(name, getattr(self.settings, name))
            fields.setdefault("latitude", self.settings.latitude)
            fields.setdefault("longitude", self.settings.longitude)
        fields.setdefault("currency", "")
        if self.images:
            fields.setdefault("image", self.images[self.count % len(self.images)])
            fields.setdefault("image_credit", "Photo : archives du centre")
        event = EventPage(title=title, live=publish, **fields)
        if changes:
            event.occurrence_changes = list(changes)
        if self.people:
            host = self.people[self.count % len(self.people)]
            event.performers = [EventPerformer(person=host, role="Animation")]
        parent.add_child(instance=event)
        revision = event.save_revision()
        if publish:
            revision.publish()
        if private:
            twin_model = twin_model_of(event)
            twin, _created = twin_model.objects.get_or_create(
                translation_key=event.translation_key,
                defaults={"site_id": self.agenda.get_site().pk},
            )
            for name, value in private.items():
                setattr(twin, name, value)
            twin.save()
        self.count += 1
        return event

    def load(self) -> None:
        today = self.today
        price = Decimal("9.00") if self.euro else Decimal("12.00")
        member = Decimal("6.00") if self.euro else Decimal("8.00")

        # A weekly workshop: one date excluded (a holiday), one moved to the next day.
        first = next_weekday(today + dt.timedelta(days=3), 1)
        self.add(
            self.agenda,
            "Atelier de montage du mardi",
            kind=EventKind.WORKSHOP,
            summary="Chaque mardi soir, on monte ensemble les images tournées dans la semaine.",
            start_date=first,
            start_time=dt.time(19),
            end_time=dt.time(21, 30),
            recurrence=f"FREQ=WEEKLY;BYDAY={WEEKDAY_CODES[first.weekday()]};COUNT=12",
            exceptions=(first + dt.timedelta(weeks=3)).isoformat(),
            changes=[
                EventOccurrenceChange(
                    original_date=first + dt.timedelta(weeks=5),
                    action=EventOccurrenceChange.Action.MOVE,
                    new_date=first + dt.timedelta(weeks=5, days=1),
                    note="Exceptionnellement le mercredi, dans la grande salle.",
                )
            ],
            price=price,
            member_price=member,
            audience=EventAudience.ADULTS,
            wheelchair_accessible=True,
            language="fr",
        )

        # A monthly screening at 19:00 across the next spring clock change.
        start, count = monthly_across_march(today)
        self.add(
            self.agenda,
            "Ciné-club du deuxième mardi",
            summary="Un classique restauré chaque mois, présenté puis discuté autour d'un café.",
            start_date=start,
            start_time=dt.time(19),
            end_time=dt.time(21, 15),
            recurrence=f"FREQ=MONTHLY;BYDAY=2TU;COUNT={count}",
            price=price,
            member_price=member,
            hearing_loop=True,
            deaf_subtitles=True,
        )

        # A cancelled event, kept in the agenda so that people who planned to come learn it.
        self.add(
            self.agenda,
            "Rencontre avec l'équipe de « Nord-Ouest »",
            kind=EventKind.TALK,
            status=EventStatus.CANCELLED,
            summary="Annulée : la rencontre sera reprogrammée au printemps.",
            start_date=today + dt.timedelta(days=12),
            start_time=dt.time(18),
            end_time=dt.time(20),
            is_free=True,
        )

        # An online talk.
        self.add(
            self.agenda,
            "Causerie en ligne : financer un premier court métrage",
            kind=EventKind.TALK,
            attendance=EventAttendance.ONLINE,
            online_url="https://visio.example.org/causerie-financement",
            venue=None,
            summary="Une heure pour comprendre les programmes d'aide et poser vos questions.",
            start_date=today + dt.timedelta(days=9),
            start_time=dt.time(12),
            end_time=dt.time(13),
            is_free=True,
            audience=EventAudience.PROFESSIONALS,
        )

        # A festival and its sub-events.
        opening = today + dt.timedelta(days=40)
        festival = self.add(
            self.agenda,
            "Festival des courts de la relève",
            kind=EventKind.FESTIVAL,
            summary="Trois jours de courts métrages, de rencontres et d'ateliers.",
            start_date=opening,
            start_time=None,
            end_date=opening + dt.timedelta(days=2),
            price=Decimal("25.00"),
        )
        for offset, (title, kind, hour) in enumerate(
            [
                ("Soirée d'ouverture du festival", EventKind.SCREENING, 19),
                ("Atelier jeunesse : le cinéma d'animation", EventKind.WORKSHOP, 10),
                ("Palmarès et projection de clôture", EventKind.SCREENING, 20),
            ]
        ):
            self.add(
                festival,
                title,
                kind=kind,
                summary="Au programme du Festival des courts de la relève.",
                start_date=opening + dt.timedelta(days=offset),
                start_time=dt.time(hour),
                end_time=dt.time(hour + 2),
                audience=EventAudience.FAMILIES if kind == EventKind.WORKSHOP else "everyone",
                price=Decimal("0") if kind == EventKind.WORKSHOP else price,
                is_free=kind == EventKind.WORKSHOP,
            )

        # Proposed by the public through the agenda's form: a draft awaiting moderation.
        self.add(
            self.agenda,
            "Projection en plein air au parc",
            publish=False,
            summary="Proposé par le comité de quartier : un film familial à la tombée du jour.",
            start_date=today + dt.timedelta(days=60),
            start_time=dt.time(20, 30),
            venue=None,
            place_name="Parc du quartier",
            is_free=True,
            audience=EventAudience.FAMILIES,
            private={
                "contributor_name": "Comité de quartier",
                "contributor_email": "comite.quartier@example.org",
                "contributor_consent": (
                    "J’accepte que l’organisme me contacte au sujet de cette proposition."
                ),
                "contributed_at": timezone.now(),
            },
        )

        # The season's ordinary programme.
        programme = [
            ("Avant-première : « Les eaux du lac »", EventKind.SCREENING, 5, None),
            ("Documentaires d'ici : trois portraits", EventKind.SCREENING, 15, None),
            ("Exposition : affiches de cinéma québécois", EventKind.EXHIBITION, 7, 21),
            ("Atelier d'écriture de scénario", EventKind.WORKSHOP, 20, None),
            ("Assemblée générale annuelle", EventKind.MEETING, 30, None),
            ("Ciné-famille du samedi", EventKind.SCREENING, 17, None),
            ("Table ronde : la distribution indépendante", EventKind.TALK, 25, None),
            ("Nuit du film de genre", EventKind.SCREENING, 34, None),
            ("Atelier son et bruitage", EventKind.WORKSHOP, 45, None),
            ("Projection-débat : cinéma et territoire", EventKind.SCREENING, 52, None),
            ("Exposition : les métiers de l'image", EventKind.EXHIBITION, 70, 30),
        ]
        for title, kind, days, length in programme:
            start_date = today + dt.timedelta(days=days)
            exhibition = kind == EventKind.EXHIBITION
            meeting = kind == EventKind.MEETING
            self.add(
                self.agenda,
                title,
                kind=kind,
                summary=f"{title} : au programme de la saison.",
                start_date=start_date,
                start_time=None if exhibition else dt.time(19, 30),
                end_date=start_date + dt.timedelta(days=length) if length else None,
                end_time=None if exhibition else dt.time(21, 30),
                price=None if (exhibition or meeting) else price,
                member_price=None if (exhibition or meeting) else member,
                is_free=exhibition or meeting,
                audience=EventAudience.MEMBERS if meeting else EventAudience.EVERYONE,
                wheelchair_accessible=True,
            )
