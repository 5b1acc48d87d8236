"""The agenda as open data: the coming dates the agenda's page shows — its events and the
screenings it lists — with where they take place, public records only, in a fixed number of
queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from events.datasets import agenda_records
from opendata.access import Audience
from opendata.sources import live_source
from opendata.tables import table_for
from tests.factories import (
    make_cinema,
    make_dataset,
    make_event,
    make_film,
    make_organization_page,
    make_screening,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def rows_of(site):
    dataset = make_dataset(site.data, "Agenda", live_source="events.agenda")
    return list(table_for(dataset, Audience(site.pk)).iterate())


def test_the_agenda_lists_coming_public_dates_with_their_place(org_a, org_b):
    """Each coming date of a published event is a record with its aware start and end, its
    venue's name, city and position (or the event's own place); a draft or restricted event, a
    past date and another organization's event never appear."""
    venue = make_organization_page(
        org_a.organizations_index,
        "Cinéma du Parc",
        kind="cinema",
        locality="Montréal",
        latitude=Decimal("45.51"),
        longitude=Decimal("-73.57"),
    )
    make_event(
        org_a.agenda,
        "Projection",
        kind="screening",
        venue=venue,
        start_date=dt.date(2027, 3, 9),
        start_time=dt.time(19, 0),
        end_time=dt.time(21, 0),
        price=Decimal("10"),
    )
    make_event(
        org_a.agenda,
        "Atelier",
        kind="workshop",
        place_name="Salle Gesù",
        locality="Québec",
        latitude=Decimal("46.81"),
        longitude=Decimal("-71.21"),
        start_date=dt.date(2027, 3, 10),
        is_free=True,
    )
    make_event(org_a.agenda, "Brouillon", publish=False)
    hidden = make_event(org_a.agenda, "Réservé")
    PageViewRestriction.objects.create(page=hidden, restriction_type=PageViewRestriction.LOGIN)
    make_event(org_a.agenda, "Passé", start_date=timezone.localdate() - dt.timedelta(days=30))
    make_event(org_b.agenda, "Événement de l'autre organisation")

    rows = {r["title"]: r for r in rows_of(org_a)}

    assert set(rows) == {"Projection", "Atelier"}
    screening = rows["Projection"]
    assert screening["venue"] == "Cinéma du Parc" and screening["city"] == "Montréal"
    assert screening["location"] == {"lat": 45.51, "lon": -73.57}
    # 19:00 in Montreal (UTC−5 before the clock change), stored in UTC.
    assert screening["start"] == "2027-03-10T00:00:00+00:00"
    assert screening["end"] == "2027-03-10T02:00:00+00:00"
    assert screening["price"]
    assert screening["page_url"].startswith("http") and screening["page_url"].endswith(
        "/projection/"
    )
    workshop = rows["Atelier"]
    assert workshop["venue"] == "Salle Gesù" and workshop["city"] == "Québec"
    assert workshop["location"] == {"lat": 46.81, "lon": -71.21}
    assert workshop["all_day"] is True
    assert all(f.members_only is False for f in live_source("events.agenda").fields)


def test_a_draft_venue_gives_neither_its_name_nor_its_place(org_a):
    """An event at a venue whose record is a draft shows its own place, never the venue's."""
    draft = make_organization_page(
        org_a.organizations_index,
        "Lieu secret",
        publish=False,
        locality="Laval",
        latitude=Decimal("45.6"),
        longitude=Decimal("-73.7"),
    )
    make_event(org_a.agenda, "Rencontre", venue=draft, locality="Montréal")
    (row,) = rows_of(org_a)
    assert row["venue"] != "Lieu secret" and row["city"] == "Montréal"
    assert row["location"] is None


def test_the_agenda_dataset_has_the_screenings_the_agenda_shows(org_a):
    """Screenings the agenda lists (``films``' agenda source) are dates of the dataset too,
    with their cinema's city; a screening of a draft film is not."""
    cinema = make_cinema(
        org_a, "Le Clap", locality="Québec", latitude=Decimal("46.78"), longitude=Decimal("-71.28")
    )
    film = make_film(org_a.films, "Les Heures claires")
    draft = make_film(org_a.films, "Film en attente", publish=False)
    start = timezone.now() + dt.timedelta(days=3)
    make_screening(org_a, film, start, cinema=cinema)
    make_screening(org_a, draft, start, cinema=cinema, room="2")

    (row,) = rows_of(org_a)
    assert row["title"] == "Les Heures claires" and row["venue"] == "Le Clap"
    assert row["city"] == "Québec" and row["location"] == {"lat": 46.78, "lon": -71.28}


def test_the_agenda_costs_the_same_queries_whatever_its_dates(org_a):
    """One event or five, with venues, weekly repetitions and screenings: the same number of
    queries."""
    venue = make_organization_page(org_a.organizations_index, "Salle", locality="Montréal")
    make_event(org_a.agenda, "Un", venue=venue)
    film = make_film(org_a.films)
    make_screening(org_a, film, timezone.now() + dt.timedelta(days=2))
    list(agenda_records(org_a))
    with CaptureQueriesContext(connection) as one:
        assert len(list(agenda_records(org_a))) == 2
    for n in range(4):
        other = make_organization_page(org_a.organizations_index, f"Salle {n}", locality="Laval")
        make_event(org_a.agenda, f"Atelier {n}", venue=other, recurrence="FREQ=WEEKLY;COUNT=3")
        make_screening(org_a, film, timezone.now() + dt.timedelta(days=3 + n))
    with CaptureQueriesContext(connection) as many:
        assert len(list(agenda_records(org_a))) == 2 + 4 * 3 + 4
    assert len(many) == len(one)
