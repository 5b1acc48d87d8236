"""The network's records as open data: the active cinemas on a map (with their classification,
labels, admissions and market share for members only), Open Films and the weekly admissions
barometer — public records only, the organization's own, in a fixed number of queries."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import PageViewRestriction

from films.barometer import monday
from films.datasets import cinema_records, film_records
from films.models import CinemaProfile
from opendata.access import Audience
from opendata.models import DatasetAccess
from opendata.sources import live_source
from opendata.tables import NotReadable, table_for
from organizations.models import OrganizationSettings
from tests.factories import make_cinema, make_dataset, make_film, make_screening

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def restrict(page):
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)


def days_ago(days, hour=20):
    now = timezone.now().replace(hour=hour, minute=0, second=0, microsecond=0)
    return now - dt.timedelta(days=days)


def all_records(site, key):
    return list(live_source(key).records(site))


def count_queries(function):
    with CaptureQueriesContext(connection) as captured:
        function()
    return len(captured)


def test_cinemas_are_the_published_cinema_records_of_the_organization(org_a, org_b):
    """A visitor of the portal sees the association's published cinemas with their address
    and position on the map; a draft or restricted record, another kind of record and another
    organization's cinema never appear."""
    parc = make_cinema(
        org_a,
        "Cinéma du Parc",
        street_address="3575, avenue du Parc",
        postal_code="H2X 3P9",
        locality="Montréal",
        region="Québec",
        country="Canada",
        website="https://cinemaduparc.example.org/",
        latitude=Decimal("45.510000"),
        longitude=Decimal("-73.570000"),
    )
    make_cinema(org_a, "Cinéma en projet", publish=False)
    restrict(make_cinema(org_a, "Cinéma réservé"))
    make_cinema(org_a, "Distribution du Nord", kind="distributor")
    make_cinema(org_b, "Le Méliès")
    CinemaProfile.objects.create(site=org_a, cinema=parc, screens=3, seats=420)

    dataset = make_dataset(org_a.data, "Cinémas actifs", live_source="films.cinemas")
    table = table_for(dataset, Audience(org_a.pk))
    records = list(table.iterate())

    assert [r["name"] for r in records] == ["Cinéma du Parc"]
    record = records[0]
    assert record["_id"] == str(parc.pk)
    assert record["city"] == "Montréal" and record["postal_code"] == "H2X 3P9"
    assert record["location"] == {"lat": 45.51, "lon": -73.57}
    assert (record["screens"], record["seats"]) == (3, 420)
    assert record["page_url"] == parc.get_full_url()
    assert record["website"] == "https://cinemaduparc.example.org/"


def test_members_only_columns_of_cinemas_are_left_out_for_the_public(org_a):
    """The classification, labels, admissions and market share are declared members-only: a
    visitor's table has no such column, a member's has them with their values — admissions of
    the last 52 weeks and the share of the network's admissions."""
    parc = make_cinema(org_a, "Cinéma du Parc")
    clap = make_cinema(org_a, "Le Clap")
    CinemaProfile.objects.create(
        site=org_a, cinema=parc, classification="A", label_young_audience=True, label_research=True
    )
    film = make_film(org_a.films, "Les Heures claires")
    draft = make_film(org_a.films, "Film en attente", publish=False)
    make_screening(org_a, film, days_ago(10), cinema=parc, admissions=150)
    make_screening(org_a, draft, days_ago(9), cinema=parc, admissions=150)
    make_screening(org_a, film, days_ago(11), cinema=clap, admissions=100)
    make_screening(org_a, film, days_ago(12), admissions=100)  # the organization's own room
    make_screening(org_a, film, days_ago(400), cinema=clap, admissions=9000)  # too old
    make_screening(org_a, film, days_ago(8), cinema=clap, admissions=50, status="cancelled")

    declared = {f.name for f in live_source("films.cinemas").fields if f.members_only}
    assert declared == {"classification", "labels", "admissions", "market_share"}

    dataset = make_dataset(org_a.data, "Cinémas actifs", live_source="films.cinemas")
    public = table_for(dataset, Audience(org_a.pk))
    assert not declared & set(public.names)
    assert all(not declared & set(r) for r in public.iterate())

    members = table_for(dataset, Audience(org_a.pk, members=True))
    rows = {r["name"]: r for r in members.iterate()}
    assert rows["Cinéma du Parc"]["classification"] == "A"
    assert rows["Cinéma du Parc"]["labels"] == "Jeune public, Recherche et découverte"
    assert rows["Cinéma du Parc"]["admissions"] == 300
    assert rows["Cinéma du Parc"]["market_share"] == 60.0
    assert rows["Le Clap"]["admissions"] == 100
    assert rows["Le Clap"]["market_share"] == 20.0
    assert rows["Le Clap"]["classification"] is None


def test_cinemas_cost_the_same_queries_whatever_their_number(org_a):
    """Reading the cinemas costs a fixed number of queries: one cinema or five."""
    film = make_film(org_a.films)
    first = make_cinema(org_a, "Cinéma 1", latitude=Decimal("45.5"), longitude=Decimal("-73.5"))
    CinemaProfile.objects.create(site=org_a, cinema=first, classification="B")
    make_screening(org_a, film, days_ago(3), cinema=first, admissions=10)
    list(cinema_records(org_a))  # the site's root paths, cached as Wagtail does
    one = count_queries(lambda: list(cinema_records(org_a)))
    for n in range(2, 6):
        cinema = make_cinema(org_a, f"Cinéma {n}")
        CinemaProfile.objects.create(site=org_a, cinema=cinema, classification="C")
        make_screening(org_a, film, days_ago(n), cinema=cinema, admissions=n)
    assert len(list(cinema_records(org_a))) == 5
    assert count_queries(lambda: list(cinema_records(org_a))) == one


def test_open_films_lists_the_published_films_and_their_versions(org_a, org_b):
    """Open Films has one record per published film of the organization's film database,
    with its versions and accessibility; a draft or restricted film, another organization's
    film, and the name of a distributor whose record is a draft never appear."""
    public_distributor = make_cinema(org_a, "Films du Sillon", kind="distributor")
    draft_distributor = make_cinema(
        org_a, "Distribution secrète", kind="distributor", publish=False
    )
    make_film(
        org_a.films,
        "Les Heures claires",
        versions=("VF", "VF-AD", "VFSTF-SME"),
        countries=["FR", "BE"],
        original_languages=["fr"],
        genres=["drama", "family"],
        distributor=public_distributor,
        release_date=dt.date(2026, 11, 4),
        visa_number="158201",
    )
    make_film(org_a.films, "La Rivière d'en bas", distributor=draft_distributor)
    make_film(org_a.films, "Film en attente", publish=False)
    restrict(make_film(org_a.films, "Film réservé"))
    make_film(org_b.films, "Le Film de l'autre réseau")

    dataset = make_dataset(org_a.data, "Open Films", live_source="films.films")
    rows = {r["title"]: r for r in table_for(dataset, Audience(org_a.pk)).iterate()}

    assert set(rows) == {"Les Heures claires", "La Rivière d'en bas"}
    heures = rows["Les Heures claires"]
    assert heures["versions"] == "VF, VF-AD, VFSTF-SME"
    assert heures["countries"] == "FR, BE" and heures["languages"] == "fr"
    assert heures["genres"] == "Drame, Famille"
    assert heures["distributor"] == "Films du Sillon"
    assert heures["release_date"] == "2026-11-04"
    assert heures["audio_description"] is True and heures["sdh_subtitles"] is True
    assert "Audiodescription" in heures["accessibility"]
    assert heures["visa_number"] == "158201"
    assert rows["La Rivière d'en bas"]["distributor"] is None
    assert rows["La Rivière d'en bas"]["audio_description"] is False


def test_open_films_cost_the_same_queries_whatever_their_number(org_a):
    distributor = make_cinema(org_a, "Films du Sillon", kind="distributor")
    make_film(org_a.films, "Film 1", versions=("VF", "VF-AD"), distributor=distributor)
    list(film_records(org_a))
    one = count_queries(lambda: list(film_records(org_a)))
    for n in range(2, 7):
        make_film(org_a.films, f"Film {n}", versions=("VF", "VOSTFR"), distributor=distributor)
    assert len(list(film_records(org_a))) == 6
    assert count_queries(lambda: list(film_records(org_a))) == one


def test_the_barometer_counts_admissions_per_week_film_and_cinema(org_a, org_b):
    """Members read the admissions of each week, film and cinema of the last 26 weeks, as the
    staff's barometer counts them; a draft film's screenings, a restricted cinema's, older
    weeks and another organization's screenings are not there; the public may not read the
    dataset, and the admissions column is members-only wherever the source is used."""
    parc = make_cinema(org_a, "Cinéma du Parc")
    hidden = make_cinema(org_a, "Cinéma réservé")
    restrict(hidden)
    film = make_film(org_a.films, "Les Heures claires")
    draft = make_film(org_a.films, "Film en attente", publish=False)
    first = make_screening(org_a, film, days_ago(14, hour=14), cinema=parc, admissions=40)
    make_screening(org_a, film, days_ago(14, hour=20), cinema=parc, admissions=60)
    make_screening(org_a, film, days_ago(14), admissions=7)
    make_screening(org_a, draft, days_ago(14), cinema=parc, room="2", admissions=33)
    make_screening(org_a, film, days_ago(14), cinema=hidden, admissions=44)
    make_screening(org_a, film, days_ago(7 * 30), cinema=parc, admissions=55)
    other = make_film(org_b.films, "Le Film de l'autre réseau")
    make_screening(org_b, other, days_ago(14), admissions=66)

    assert [f.name for f in live_source("films.barometer").fields if f.members_only] == [
        "admissions"
    ]
    dataset = make_dataset(
        org_a.data,
        "Baromètre hebdomadaire des entrées",
        live_source="films.barometer",
        access=DatasetAccess.MEMBERS,
    )
    with pytest.raises(NotReadable):
        table_for(dataset, Audience(org_a.pk))
    rows = list(table_for(dataset, Audience(org_a.pk, members=True)).iterate())

    organization = OrganizationSettings.for_site(org_a).display_name
    assert sorted((r["cinema"], r["film"], r["admissions"]) for r in rows) == sorted(
        [("Cinéma du Parc", "Les Heures claires", 100), (organization, "Les Heures claires", 7)]
    )
    assert {r["week"] for r in rows} <= {
        monday(first.local_date).isoformat(),
        monday(first.local_date + dt.timedelta(days=1)).isoformat(),
    }
    assert sum(r["admissions"] for r in rows) == 107
    assert len({r["_id"] for r in rows}) == len(rows)


def test_the_barometer_costs_the_same_queries_whatever_its_rows(org_a):
    records = live_source("films.barometer").records
    film = make_film(org_a.films, "Film 1")
    cinema = make_cinema(org_a, "Cinéma 1")
    make_screening(org_a, film, days_ago(3), cinema=cinema, admissions=10)
    list(records(org_a))
    one = count_queries(lambda: list(records(org_a)))
    for n in range(2, 6):
        other = make_film(org_a.films, f"Film {n}")
        make_screening(org_a, other, days_ago(7 * n), cinema=cinema, admissions=n)
    assert len(list(records(org_a))) == 5
    assert count_queries(lambda: list(records(org_a))) == one


def test_staff_keep_their_cinemas_profiles_in_the_admin(client, org_a, org_b, crm_a, crm_b):
    """The network's staff record a cinema's classification, labels, screens and seats; a
    cinema of another organization cannot be chosen, and the other organization's staff do
    not see the profile."""
    from django.test import Client

    parc = make_cinema(org_a, "Cinéma du Parc")
    foreign = make_cinema(org_b, "Le Méliès")
    client.force_login(crm_a)
    form = {
        "site": org_a.pk,
        "cinema": foreign.pk,
        "classification": "B",
        "label_young_audience": "on",
        "screens": "3",
        "seats": "420",
    }
    assert client.post("/admin/films_cinemaprofile/new/", form).status_code == 200
    assert not CinemaProfile.objects.exists()
    form["cinema"] = parc.pk
    assert client.post("/admin/films_cinemaprofile/new/", form).status_code == 302
    profile = CinemaProfile.objects.get(cinema=parc)
    assert (profile.classification, profile.screens, profile.seats) == ("B", 3, 420)
    assert profile.label_young_audience and not profile.label_heritage

    other = Client()
    other.force_login(crm_b)
    listing = other.get("/admin/films_cinemaprofile/")
    assert listing.status_code == 200 and "Cinéma du Parc" not in listing.content.decode()
    assert other.get(f"/admin/films_cinemaprofile/edit/{profile.pk}/").status_code == 404
