"""The film database as the public reads it: the index of published films with its filters
(genre, accessible versions, language, distributor, title without accents), a film's page with
its facts in words, its people and distributor linked when their records are public, its
versions, and its coming screenings by cinema in each cinema's time zone; a cinema's page lists
its programme. Admissions and receipts appear nowhere; the cost does not grow with the number
of films or screenings."""

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
from bs4 import BeautifulSoup
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from films.models import DistributorFilmsPage, FilmCredit, Screening
from organizations.models import OrganizationSettings
from tests.factories import (
    join_network,
    make_cinema,
    make_film,
    make_image,
    make_organization_page,
    make_person,
    make_screening,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

TORONTO = ZoneInfo("America/Toronto")
PARIS = ZoneInfo("Europe/Paris")
#: Planted in private columns: must never reach a public output.
ADMISSIONS = 8731017
RECEIPTS = Decimal("98765.43")


@pytest.fixture(autouse=True)
def rendered_every_time(settings):
    """What the pages show when rendered: the page cache would answer a second visit."""
    settings.PAGE_CACHE_TIMEOUT = 0


def soon(days=1, hour=19, minute=30, zone=TORONTO) -> dt.datetime:
    # The day counts from Toronto's today whatever the zone of the clock: near midnight UTC, Paris
    # is already tomorrow, and a Paris screening must not drift a day after the Toronto ones.
    day = timezone.now().astimezone(TORONTO).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def visit(client, site, url, status=200):
    response = client.get(url, HTTP_HOST=site.hostname)
    assert response.status_code == status, (url, response.status_code)
    return response


def soup_of(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def path_of(page) -> str:
    return urlsplit(page.url).path


def listed(soup):
    return [link.get_text(strip=True) for link in soup.select(".film-card .card__title a")]


def with_address(site, street="5 rue des Écoles", locality="Paris"):
    settings = OrganizationSettings.for_site(site)
    settings.street_address, settings.locality, settings.postal_code = street, locality, "75005"
    settings.save()
    return settings


# --- The index ------------------------------------------------------------------------------


def test_the_index_lists_this_organizations_published_films_only(client, org_a, org_b):
    """A draft film is neither listed nor reachable (404); another organization's film never
    appears in this one's database."""
    make_film(org_a.films, "Les Arbres de l'hiver")
    draft = make_film(org_a.films, "Film en préparation", publish=False)
    make_film(org_b.films, "Film du réseau")

    soup = soup_of(visit(client, org_a, org_a.films.url))
    assert listed(soup) == ["Les Arbres de l'hiver"]
    assert "1 film" in soup.select_one(".index__count").get_text()
    visit(client, org_a, draft.url, status=404)


def test_filters_by_genre_accessibility_language_distributor_and_title(client, org_a):
    """Each filter narrows the list: a genre, a version with audio description, a language
    spoken (original or dubbed), a distributor (its folder's address leads there), and a title
    typed without accents or article."""
    distributor = make_organization_page(org_a.organizations_index, "Funfilm", kind="distributor")
    make_film(org_a.films, "L'Été dernier", genres=["drama"], original_languages=["fr"])
    make_film(
        org_a.films,
        "Northern Lights",
        genres=["documentary"],
        original_languages=["en"],
        versions=("VOSTFR", "VF-AD"),
        distributor=distributor,
    )
    make_film(org_a.films, "Kairos", genres=["drama"], original_languages=["es"])

    def shown(query):
        return listed(soup_of(visit(client, org_a, f"{org_a.films.url}?{query}")))

    assert shown("genre=drama") == ["Kairos", "L'Été dernier"]
    assert shown("access=audio_description") == ["Northern Lights"]
    # French: spoken in the original, or in a dubbed version (VF).
    assert shown("language=fr") == ["Kairos", "L'Été dernier", "Northern Lights"]
    assert shown("language=en") == ["Northern Lights"]
    assert shown(f"distributor={distributor.pk}") == ["Northern Lights"]
    folder = org_a.films.add_child(
        instance=DistributorFilmsPage(title="Films de Funfilm", distributor=distributor)
    )
    folder.save_revision().publish()
    assert listed(soup_of(visit(client, org_a, folder.url))) == ["Northern Lights"]
    assert shown("q=ete+dernier") == ["L'Été dernier"]
    assert shown("q=LETE") == []
    assert shown("genre=drama&q=kairos") == ["Kairos"]
    # Nonsense is ignored, not an error.
    assert shown("genre=%3Cscript%3E&access=x&language=12&distributor=abc") == [
        "Kairos",
        "L'Été dernier",
        "Northern Lights",
    ]


def test_the_filter_form_works_without_javascript_and_is_labelled(client, org_a):
    """Every field of the filter form has a label the screen reader reads out; the form is a
    plain GET form; headings go down one level at a time."""
    make_film(org_a.films, "Kairos", original_languages=["es"])
    soup = soup_of(visit(client, org_a, org_a.films.url))
    form = soup.select_one("form.filter-form")
    assert form["method"] == "get"
    for field in form.select("input:not([type=hidden]), select"):
        label = soup.select_one(f'label[for="{field["id"]}"]')
        assert label is not None and label.get_text(strip=True), field
    assert soup.select_one('label[for="films-access"]').get_text(strip=True) == "Accessibilité"
    assert_headings_in_order(soup)


def assert_headings_in_order(soup):
    levels = [int(h.name[1]) for h in soup.select("main h1, main h2, main h3, main h4")]
    assert levels[0] == 1 and levels.count(1) == 1, levels
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, levels


def test_the_index_costs_the_same_for_3_and_20_films(client, org_a):
    """Posters (with their renditions), versions and directors are fetched in bulk."""
    director = make_person(org_a.people_index, "Agnès Varda")

    def add(count, start):
        for n in range(start, start + count):
            make_film(
                org_a.films,
                f"Film {n:02d}",
                poster=make_image(f"Affiche {n}"),
                versions=("VF", "VF-AD"),
                credits=[FilmCredit(role="director", person=director)],
            )

    add(3, 0)
    visit(client, org_a, org_a.films.url)  # renditions made once
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        soup = soup_of(visit(client, org_a, org_a.films.url))
    assert len(listed(soup)) == 3
    add(17, 3)
    visit(client, org_a, org_a.films.url)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        soup = soup_of(visit(client, org_a, org_a.films.url))
    assert len(listed(soup)) == 20
    assert "Agnès Varda" in soup.get_text()
    assert soup.select_one(".film-card img")["alt"] == "Affiche du film Film 00"
    assert len(many) == len(few), (len(few), len(many))


# --- A film's page --------------------------------------------------------------------------


def test_a_films_page_says_its_facts_in_words(client, org_a):
    """Duration as « 1 h 35 », countries and languages by name, genres, age rating, release
    date, identifiers; directors linked to their public record, a person whose record is a
    draft not named at all (no name was typed on the credit); the distributor linked; the
    poster described as « Affiche du film … » with its credit; the versions with their
    accessibility in words."""
    varda = make_person(org_a.people_index, "Agnès Varda")
    hidden = make_person(org_a.people_index, "Personne Brouillon", publish=False)
    distributor = make_organization_page(org_a.organizations_index, "Funfilm", kind="distributor")
    film = make_film(
        org_a.films,
        "Les Glaneurs",
        original_title="Les Glaneurs et la Glaneuse",
        duration=95,
        countries=["FR", "CA"],
        original_languages=["fr"],
        genres=["documentary"],
        age_rating="all",
        release_date=dt.date(2026, 9, 2),
        visa_number="152345",
        imdb_id="tt0247380",
        distributor=distributor,
        poster=make_image("Affiche"),
        poster_credit="© Ciné-Tamaris",
        synopsis="<p>Des glaneurs d'aujourd'hui.</p>",
        versions=("VF", "VF-AD", "VFSTF-SME"),
        credits=[
            FilmCredit(role="director", person=varda),
            FilmCredit(role="actor", person=hidden),
            FilmCredit(role="actor", name="Bodan Litnanski", character="lui-même"),
        ],
    )
    soup = soup_of(visit(client, org_a, film.url))
    text = re.sub(r"[ \t\n]+", " ", soup.select_one("main").get_text(" "))
    assert "1\xa0h\xa035" in text
    assert "France, Canada" in text
    assert "Français" in text and "Documentaire" in text
    assert "Titre original\xa0: Les Glaneurs et la Glaneuse" in text
    assert "152345" in text and "tt0247380" in text
    assert soup.find("a", string="Agnès Varda")["href"] == path_of(varda)
    assert "Personne Brouillon" not in soup.decode()
    assert "Bodan Litnanski — lui-même" in text
    assert soup.find("a", string="Funfilm")["href"] == path_of(distributor)
    poster = soup.select_one(".film__poster img")
    assert poster["alt"] == "Affiche du film Les Glaneurs"
    assert soup.select_one(".film__credit").get_text() == "© Ciné-Tamaris"
    rows = {
        row.th.get_text(strip=True): row.get_text(" ", strip=True)
        for row in soup.select(".film-versions tbody tr")
    }
    assert "Audiodescription" in rows["VF-AD"]
    assert "Sous-titres pour sourds et malentendants" in rows["VFSTF-SME"]
    assert "Audiodescription" not in rows["VF"]
    assert_headings_in_order(soup)


def test_a_films_screenings_by_cinema_in_each_cinemas_time_zone(client, org_a, org_b):
    """The film's coming screenings, grouped by cinema: a cinema record of the organization
    (linked), the organization itself when it is the cinema (its name), and a member cinema
    in Paris whose screenings show the network's film at Paris time. Past and cancelled
    screenings are not listed; the accessibility of each version is said in words."""
    film = make_film(org_a.films, "Les Arbres de l'hiver", versions=("VF", "VF-AD"))
    join_network(org_b, org_a)
    parc = make_cinema(org_a, "Cinéma du Parc", locality="Montréal")
    make_screening(org_a, film, soon(1, 19, 30), cinema=parc, version="VF-AD")
    make_screening(org_a, film, soon(1, 21, 45), cinema=parc, version="VF", room="2")
    make_screening(org_a, film, soon(2, 14, 0), version="VF")
    make_screening(org_a, film, soon(-1, 14, 0), cinema=parc, version="VF")
    make_screening(org_a, film, soon(3, 14, 0), cinema=parc, status="cancelled")
    make_screening(org_b, film, soon(1, 20, 15, zone=PARIS), version="VF")

    soup = soup_of(visit(client, org_a, film.url))
    groups = soup.select(".film-screenings__cinema")
    names = [group.h3.get_text(" ", strip=True) for group in groups]
    # Cinemas in the order of their first screening: 20:15 in Paris is 14:15 in Toronto.
    assert names == [
        "Réseau des cinémas indépendants",
        "Cinéma du Parc — Montréal",
        "Centre Images Boréales",
    ]
    paris, parc_group, _own = groups
    assert parc_group.h3.a["href"] == path_of(parc)
    parc_times = [t.get_text() for t in parc_group.select("time")]
    assert parc_times == ["19:30", "21:45"]
    assert "Audiodescription" in parc_group.select("li li")[0].get_text()
    assert paris.select_one("time").get_text() == "20:15"
    assert paris.select_one("time")["datetime"] == soon(1, 20, 15, zone=PARIS).isoformat()
    assert len(soup.select(".film-screenings time")) == 4

    only_ad = soup_of(visit(client, org_a, f"{film.url}?access=audio_description"))
    assert [t.get_text() for t in only_ad.select(".film-screenings time")] == ["19:30"]


def test_a_film_page_with_200_screenings_costs_what_it_does_with_20(client, org_a, org_b):
    """Cinemas, versions, time zones and the organizations' names are read in bulk; past the
    first 200 screenings, a « later screenings » link continues from the next day."""
    film = make_film(org_a.films, "Les Arbres de l'hiver", versions=("VF", "VF-AD"))
    join_network(org_b, org_a)
    cinemas = [make_cinema(org_a, f"Cinéma {n}") for n in range(4)]
    other = make_cinema(org_b, "Le Rex")

    def add(count, offset):
        for n in range(offset, offset + count):
            site, cinema = (org_b, other) if n % 5 == 0 else (org_a, cinemas[n % 4])
            make_screening(
                site,
                film,
                soon(1 + n // 8, 10 + n % 8),
                cinema=cinema,
                version="VF-AD" if n % 2 else "VF",
                room=str(n),
            )

    add(20, 0)
    visit(client, org_a, film.url)
    cache.clear()  # the JSON-LD is built again, and counted
    with CaptureQueriesContext(connection) as few:
        soup = soup_of(visit(client, org_a, film.url))
    assert len(soup.select(".film-screenings time")) == 20
    add(190, 20)
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        soup = soup_of(visit(client, org_a, film.url))
    shown = len(soup.select(".film-screenings time"))
    assert 190 <= shown <= 200
    assert len(many) == len(few), (len(few), len(many))
    later = soup.find("a", string="Séances suivantes")
    assert later is not None
    rest = soup_of(visit(client, org_a, film.url + later["href"].split("#")[0]))
    assert shown + len(rest.select(".film-screenings time")) == 210


# --- A cinema's programme -------------------------------------------------------------------


def test_a_cinemas_page_lists_its_programme_at_a_fixed_cost(client, org_a):
    """On a cinema's record page: its coming screenings by day, each with its film (linked),
    version and accessibility; the same number of queries for 3 and 30 screenings. A draft
    film's screenings are not listed."""
    film = make_film(org_a.films, "Les Arbres de l'hiver", versions=("VF", "VF-AD"))
    draft = make_film(org_a.films, "Film en préparation", publish=False)
    parc = make_cinema(org_a, "Cinéma du Parc")
    make_screening(org_a, draft, soon(1, 12, 0), cinema=parc, room="9")
    for n in range(3):
        make_screening(org_a, film, soon(1, 14 + n), cinema=parc, version="VF-AD", room=str(n))
    visit(client, org_a, parc.url)
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        soup = soup_of(visit(client, org_a, parc.url))
    programme = soup.select_one(".cinema-programme")
    assert programme.h2.get_text() == "Programme"
    assert [a.get_text() for a in programme.select("a")] == ["Les Arbres de l'hiver"] * 3
    assert "Audiodescription" in programme.get_text()
    assert "Film en préparation" not in soup.get_text()
    for n in range(27):
        make_screening(org_a, film, soon(2 + n // 9, 10 + n % 9), cinema=parc, room=f"x{n}")
    cache.clear()
    with CaptureQueriesContext(connection) as many:
        soup = soup_of(visit(client, org_a, parc.url))
    assert len(soup.select(".cinema-programme time")) == 30
    assert len(many) == len(few), (len(few), len(many))


# --- Privacy --------------------------------------------------------------------------------


def test_admissions_and_receipts_reach_no_public_page(client, org_a, org_b):
    """Figures planted in every screening's private columns appear neither on the film's page
    (its JSON-LD included) nor on the cinema's page, in any notation; those pages do not even
    read them."""
    with_address(org_b)
    film = make_film(org_a.films, "Les Arbres de l'hiver", poster=make_image("Affiche"))
    parc = make_cinema(org_a, "Cinéma du Parc", street_address="5 av. du Parc", locality="Montréal")
    for n, (site, cinema) in enumerate(((org_a, parc), (org_a, None), (org_b, None))):
        make_screening(
            site,
            film,
            soon(1 + n),
            cinema=cinema,
            admissions=ADMISSIONS,
            gross_receipts=RECEIPTS,
            currency="CAD",
        )
    assert Screening.objects.filter(admissions=ADMISSIONS).count() == 3
    for url in (film.url, parc.url, org_a.films.url):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            html = visit(client, org_a, url).content.decode()
        # Not even read: no query of the page (its JSON-LD included) selects those columns.
        read = " ".join(query["sql"] for query in queries)
        assert "admissions" not in read and "gross_receipts" not in read, url
        assert "application/ld+json" in html
        for planted in (
            "8731017",
            "8 731 017",
            "8\xa0731\xa0017",
            "8\u202f731\u202f017",
            "98765",
            "98 765",
            "98\xa0765",
            "98\u202f765",
        ):
            assert planted not in html, (url, planted)


def test_a_cinema_that_does_not_share_is_not_on_the_network_s_film_page(client, org_a, org_b):
    """A member that chose the network but does not share its events, like an organization
    that never chose it, keeps its screenings off the network's film page."""
    film = make_film(org_a.films, "Les Arbres de l'hiver")
    join_network(org_b, org_a, share=False)
    make_screening(org_b, film, soon(1, 20, 15, zone=PARIS), room="Canari-salle-0001")
    make_screening(org_a, film, soon(2, 19, 0))

    soup = soup_of(visit(client, org_a, film.url))

    assert len(soup.select(".film-screenings time")) == 1
    assert "Réseau des cinémas indépendants" not in soup.select_one(".film-screenings").get_text()
