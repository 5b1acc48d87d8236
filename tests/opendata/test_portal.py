"""The data portal as visitors and members see it: the catalogue, a dataset's table (sort,
filters, search, pages), its map, chart, record pages, exports and embeds — and what members
only may read reaching nobody else."""

import csv
import datetime
import io
import json
import re
from html import unescape

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crm_blocks.models import Membership
from opendata.fields import Field, FieldType
from opendata.models import DatasetAccess
from tests.factories import make_dataset, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

CANARY = "CANARI-ART-ESSAI-5c1e"
CANARY_DATASET = "CANARI-BAROMETRE-9d2b"
TOWNS = ["Montréal", "Québec", "Sherbrooke", "Gatineau", "Rimouski"]
FIELDS = [
    Field("nom", "Nom", FieldType.TEXT),
    Field("ville", "Ville", FieldType.TEXT, facet=True),
    Field("ecrans", "Écrans", FieldType.INTEGER),
    Field("ouverture", "Ouverture", FieldType.DATE),
    Field("position", "Position", FieldType.GEO_POINT),
    Field("classement", "Classement Art et Essai", FieldType.TEXT, members_only=True),
]


def cinema_rows(count=45):
    """``count`` cinemas: five towns in turn, 1 to 9 screens, one opening date a year; the
    members-only classification of the first one is the canary."""
    return [
        {
            "nom": f"Cinéma {n:02d}",
            "ville": TOWNS[n % 5],
            "ecrans": n % 9 + 1,
            "ouverture": f"{1950 + n}-06-01",
            "position": (45.0 + n / 100, -73.0 - n / 100),
            "classement": CANARY if n == 0 else f"Classement {n}",
        }
        for n in range(count)
    ]


@pytest.fixture
def cinemas(org_a):
    return make_dataset(
        org_a.data,
        "Salles de cinéma",
        fields=FIELDS,
        rows=cinema_rows(),
        description="Les salles du réseau, leurs écrans et leur position.",
        keywords="cinéma, salles",
        themes=["EDUC"],
        contact_name="Équipe des données",
        contact_email="donnees@example.org",
        spatial_coverage="Québec",
    )


@pytest.fixture
def barometer(org_a):
    """A members-only dataset whose public-looking column carries the canary."""
    return make_dataset(
        org_a.data,
        "Baromètre des entrées",
        fields=[("semaine", FieldType.TEXT), ("entrees", FieldType.INTEGER)],
        rows=[{"semaine": CANARY_DATASET, "entrees": 1234}, {"semaine": "S2", "entrees": 99}],
        access=DatasetAccess.MEMBERS,
        description="Les entrées de la semaine, pour les membres.",
        keywords="entrées",
        themes=["ECON"],
    )


def get(client, site, url, **extra):
    return client.get(url, HTTP_HOST=site.hostname, **extra)


def html_of(response) -> str:
    return response.content.decode()


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def table_rows(html: str) -> list[list[str]]:
    """The data table's body rows as cell texts (the record number first)."""
    body = html.split('<table class="data-table">', 1)[1].split("<tbody>", 1)[1]
    body = body.split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append(
            [unescape(re.sub(r"<[^>]+>", "", c)).replace("Record ", "").strip() for c in cells]
        )
    return rows


# --- the catalogue ----------------------------------------------------------------------------


def test_the_catalogue_lists_published_datasets_with_their_facts(
    client, org_a, org_b, cinemas, barometer
):
    """A visitor sees each published dataset of the organization — excerpt, themes, licence,
    count, formats — and the members-only one marked as such, with a way to log in but no count;
    neither a draft nor another organization's dataset. Lost otherwise: a catalogue that hides
    data, leaks the size of a members' dataset, or mixes organizations."""
    make_dataset(
        org_a.data,
        "Brouillon secret",
        fields=[("a", FieldType.TEXT)],
        rows=[{"a": "x"}],
        publish=False,
    )
    make_dataset(
        org_b.data,
        "Données de l'autre organisation",
        fields=[("a", FieldType.TEXT)],
        rows=[{"a": "x"}],
    )
    response = get(client, org_a, org_a.data.url)
    html = html_of(response)
    assert response.status_code == 200
    assert "Salles de cinéma" in html and "Baromètre des entrées" in html
    assert "Brouillon secret" not in html and "autre organisation" not in html
    cards = {
        re.search(r'class="card__title"><a href="[^"]+">([^<]+)</a>', card).group(1): card
        for card in html.split('<li class="card dataset-card">')[1:]
    }
    cinema_card, barometer_card = cards["Salles de cinéma"], cards["Baromètre des entrées"]
    assert "Les salles du réseau" in cinema_card
    assert "<dd>45</dd>" in cinema_card
    assert "GeoJSON" in cinema_card and "CSV" in cinema_card
    assert "Education, culture and sport" in cinema_card or "Éducation" in cinema_card
    assert "Licence Ouverte" in cinema_card
    assert "Members only" in barometer_card or "Réservé aux membres" in barometer_card
    assert "<dd>2</dd>" not in barometer_card and "Formats" not in barometer_card
    assert "/espace-membre/connexion/" in barometer_card


def test_the_catalogue_is_searched_and_filtered(client, org_a, cinemas, barometer):
    """Words, a theme, a keyword and the access each narrow the list to the datasets they
    describe."""

    def titles(query):
        html = html_of(get(client, org_a, f"{org_a.data.url}?{query}"))
        return set(re.findall(r'<h2 class="card__title"><a href="[^"]+">([^<]+)</a>', html))

    assert titles("q=écrans position") == {"Salles de cinéma"}
    assert titles("theme=ECON") == {"Baromètre des entrées"}
    assert titles("keyword=salles") == {"Salles de cinéma"}
    assert titles("keyword=sal") == set()  # a whole keyword, not a piece of one
    assert titles("access=members") == {"Baromètre des entrées"}
    assert titles("access=public") == {"Salles de cinéma"}


def test_wrong_catalogue_parameters_get_a_message_not_an_error(client, org_a, cinemas):
    """An unknown theme or a page past the end shows the catalogue with a message."""
    response = get(client, org_a, f"{org_a.data.url}?theme=NOPE&page=40")
    html = html_of(response)
    assert response.status_code == 200
    assert 'role="alert"' in html and "NOPE" in html and "40" in html
    assert "Salles de cinéma" in html


def test_the_catalogue_costs_the_same_queries_for_3_or_30_datasets(org_a):
    """The catalogue's page reads its datasets in a fixed number of queries, whatever their
    number (a query per card would slow it down as the portal grows)."""

    def catalogue_queries():
        client = Client()
        client.get(f"{org_a.data.url}?access=public", HTTP_HOST=org_a.hostname)  # warm caches
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"{org_a.data.url}?access=public&q=", HTTP_HOST=org_a.hostname)
        assert response.status_code == 200
        return len(captured.captured_queries)

    for n in range(3):
        make_dataset(
            org_a.data,
            f"Jeu {n:02d}",
            fields=[("a", FieldType.TEXT), ("p", FieldType.GEO_POINT)],
            rows=[{"a": "x"}],
        )
    few = catalogue_queries()
    for n in range(3, 30):
        make_dataset(
            org_a.data,
            f"Jeu {n:02d}",
            fields=[("a", FieldType.TEXT), ("p", FieldType.GEO_POINT)],
            rows=[{"a": "x"}],
        )
    many = catalogue_queries()
    assert many == few, (few, many)


# --- a dataset's table ------------------------------------------------------------------------


def test_the_dataset_page_shows_its_facts(client, org_a, cinemas):
    """Licence with its link, publisher, contact, frequency, coverage and last change."""
    html = html_of(get(client, org_a, cinemas.url))
    assert 'href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/" rel="license"' in html
    assert "Centre Images Boréales" in html  # the publisher, the organization by default
    assert 'href="mailto:donnees@example.org"' in html and "Équipe des données" in html
    assert "<dd>Québec</dd>" in html
    assert "Last modified" in html or "Dernière modification" in html


def test_the_table_pages_by_twenty_with_an_accessible_structure(client, org_a, cinemas):
    """45 records: three pages of 20, 20 and 5; the current page link says so
    (``aria-current``); the table has a caption and headers with ``scope``."""
    first = html_of(get(client, org_a, cinemas.url))
    assert len(table_rows(first)) == 20
    assert "<caption" in first and 'scope="col"' in first and 'scope="row"' in first
    assert re.search(r'href="\?page=1" aria-current="page"', first)
    third = html_of(get(client, org_a, f"{cinemas.url}?page=3"))
    rows = table_rows(third)
    assert [r[1] for r in rows] == [f"Cinéma {n:02d}" for n in range(40, 45)]
    assert re.search(r'href="\?page=3" aria-current="page"', third)


def test_the_table_sorts_by_a_column(client, org_a, cinemas):
    """``sort=-ecrans`` puts the most screens first; the column says it is sorted
    (``aria-sort``) and its link sorts the other way."""
    html = html_of(get(client, org_a, f"{cinemas.url}?sort=-ecrans"))
    screens = [int(r[3]) for r in table_rows(html)]
    assert screens == sorted(screens, reverse=True) and screens[0] == 9
    assert 'aria-sort="descending"' in html
    assert 'href="?sort=ecrans"' in html
    ascending = html_of(get(client, org_a, f"{cinemas.url}?sort=ouverture"))
    assert table_rows(ascending)[0][1] == "Cinéma 00"


def test_the_table_filters_by_field_and_searches(client, org_a, cinemas):
    """A town (exact), a range of screens and words: only the matching records, the filters in
    force listed, each with a link that removes it."""
    html = html_of(get(client, org_a, f"{cinemas.url}?f.ville=Québec&f.ecrans.min=5"))
    rows = table_rows(html)
    assert rows and all(r[2] == "Québec" and int(r[3]) >= 5 for r in rows)
    expected = [n for n in range(45) if n % 5 == 1 and n % 9 + 1 >= 5]
    assert len(rows) == len(expected)
    assert re.search(r"Ville\s?:\s?Québec", unescape(html))
    assert 'href="?f.ecrans.min=5"' in html  # removes the town, keeps the range
    search = html_of(get(client, org_a, f"{cinemas.url}?q=cinema+07"))
    assert [r[1] for r in table_rows(search)] == ["Cinéma 07"]
    dates = html_of(get(client, org_a, f"{cinemas.url}?f.ouverture.max=1952-12-31"))
    assert [r[1] for r in table_rows(dates)] == ["Cinéma 00", "Cinéma 01", "Cinéma 02"]


@pytest.mark.parametrize(
    "query, words",
    [
        ("f.inconnu=1", "inconnu"),
        ("f.ecrans=beaucoup", "beaucoup"),
        ("sort=-inconnu", "inconnu"),
        ("page=99", "99"),
        ("page=abc", "abc"),
        ("f.ville.min=A", "Ville"),
        ("view=chart&x=ecrans", "ecrans"),
        ("view=chart&agg=median", "median"),
    ],
)
def test_wrong_table_parameters_get_a_message_not_an_error(client, org_a, cinemas, query, words):
    """An unknown column, a number that is not one, a page past the end: the page still shows,
    with a message that names what was wrong (HTTP 400), never a server error."""
    response = get(client, org_a, f"{cinemas.url}?{query}")
    html = unescape(html_of(response))
    assert response.status_code == 400
    alert = html.split('role="alert"', 1)[1].split("</div>", 1)[0]
    assert words in alert
    assert "Salles de cinéma" in html


def test_a_record_page_lists_each_field_with_its_label(client, org_a, cinemas):
    """``records/<id>/``: each column the visitor may read, labelled; an unknown record is a
    404."""
    html = html_of(get(client, org_a, f"{cinemas.url}records/2/"))
    assert "<dt>Nom" in html and "Cinéma 01" in html
    assert "<dt>Écrans" in html and "<dt>Ouverture" in html and "45.01, -73.01" in html
    assert get(client, org_a, f"{cinemas.url}records/999/").status_code == 404
    assert get(client, org_a, f"{cinemas.url}records/abc/").status_code == 404


# --- exports ----------------------------------------------------------------------------------


def test_exports_of_the_whole_dataset_read_back(client, org_a, cinemas):
    """Each format of the download menu gives every record, readable by the usual tools, and
    is never cached."""
    page = html_of(get(client, org_a, cinemas.url))
    for fmt in ("csv", "xlsx", "json", "jsonl", "geojson"):
        assert f'href="{cinemas.url.split("boreal.test")[-1]}exports/{fmt}/"' in page, fmt
    semicolons = get(client, org_a, f"{cinemas.url}exports/csv/")
    assert "no-cache" in semicolons["Cache-Control"] and "max-age=0" in semicolons["Cache-Control"]
    text = body_of(semicolons).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["nom", "ville", "ecrans", "ouverture", "position"]
    assert len(rows) == 46 and rows[1][0] == "Cinéma 00"
    commas = body_of(get(client, org_a, f"{cinemas.url}exports/csv/?delimiter=,")).decode()
    assert list(csv.reader(io.StringIO(commas.lstrip("\ufeff"))))[2][:3] == [
        "Cinéma 01",
        "Québec",
        "2",
    ]
    workbook = openpyxl.load_workbook(
        io.BytesIO(body_of(get(client, org_a, f"{cinemas.url}exports/xlsx/")))
    )
    sheet = list(workbook.active.iter_rows(values_only=True))
    assert len(sheet) == 46 and sheet[1][0] == "Cinéma 00" and sheet[1][2] == 1
    records = json.loads(body_of(get(client, org_a, f"{cinemas.url}exports/json/")))
    assert len(records) == 45 and records[3]["ecrans"] == 4
    lines = body_of(get(client, org_a, f"{cinemas.url}exports/jsonl/")).decode().splitlines()
    assert len(lines) == 45 and json.loads(lines[0])["nom"] == "Cinéma 00"
    features = json.loads(body_of(get(client, org_a, f"{cinemas.url}exports/geojson/")))["features"]
    assert len(features) == 45 and features[1]["geometry"]["coordinates"] == [-73.01, 45.01]


def test_exports_of_the_current_filter_hold_the_filtered_records(client, org_a, cinemas):
    """The « current filter » links carry the page's filters and order: the file holds the
    records the table shows, in its order."""
    html = unescape(html_of(get(client, org_a, f"{cinemas.url}?f.ville=Gatineau&sort=-ecrans")))
    link = re.search(
        r'href="([^"]+exports/csv/\?[^"]+)"[^>]*data-export="csv-filtered"', html
    ).group(1)
    rows = list(
        csv.reader(
            io.StringIO(body_of(get(client, org_a, link)).decode().lstrip("\ufeff")), delimiter=";"
        )
    )
    expected = sorted(([n % 9 + 1 for n in range(45) if n % 5 == 3]), reverse=True)
    assert {r[1] for r in rows[1:]} == {"Gatineau"}
    assert [int(r[2]) for r in rows[1:]] == expected
    bad = get(client, org_a, f"{cinemas.url}exports/csv/?f.ecrans=beaucoup")
    assert bad.status_code == 400 and "beaucoup" in bad.content.decode()
    assert get(client, org_a, f"{cinemas.url}exports/pdf/").status_code == 400


# --- map, chart, embeds ----------------------------------------------------------------------


def test_the_map_marks_the_filtered_records_and_lists_them_without_javascript(
    client, org_a, cinemas
):
    """``view=map``: a marker per record with a point, each linking to its record's page, and
    the same places as a plain list."""
    html = html_of(get(client, org_a, f"{cinemas.url}?view=map&f.ville=Rimouski"))
    data = json.loads(
        re.search(
            r'<script id="dataset-map-data" type="application/json">(.*?)</script>', html, re.S
        ).group(1)
    )
    assert len(data) == 9 and {d["label"] for d in data} == {
        f"Cinéma {n:02d}" for n in range(4, 45, 5)
    }
    assert data[0]["url"].endswith("/records/5/") and data[0]["lat"] == 45.04
    assert 'id="dataset-map-list"' in html and ">Cinéma 04</a>" in html
    assert "opendata/dataset-map.js" in html and "leaflet.js" in html


def test_the_chart_sums_a_numeric_column_by_a_chosen_one(client, org_a, cinemas):
    """``view=chart&x=ville&y=ecrans&agg=sum``: an SVG with a title and a description, and the
    same sums as a table."""
    html = unescape(
        html_of(get(client, org_a, f"{cinemas.url}?view=chart&chart=bar&x=ville&y=ecrans&agg=sum"))
    )
    assert (
        '<svg class="dataset-chart__svg"' in html and "<title id=" in html and "<desc id=" in html
    )
    sums = {town: sum(n % 9 + 1 for n in range(45) if TOWNS[n % 5] == town) for town in TOWNS}
    figures = dict(
        re.findall(
            r'<tr><th scope="row">([^<]+)</th><td class="data-table__number">([^<]+)</td></tr>',
            html,
        )
    )
    assert {
        town: int(value.replace("\u202f", "").replace("\xa0", "").replace(",", ""))
        for town, value in figures.items()
    } == sums
    assert html.count('class="dataset-chart__bar"') == 5
    dataset = make_dataset(
        org_a.data,
        "Moyennes",
        fields=[("ville", FieldType.TEXT), ("ecrans", FieldType.INTEGER)],
        rows=[{"ville": "Lévis", "ecrans": 2}, {"ville": "Lévis", "ecrans": 6}, {"ville": "Lévis"}],
    )
    average = html_of(get(client, org_a, f"{dataset.url}?view=chart&x=ville&y=ecrans&agg=avg"))
    assert re.search(r'<th scope="row">Lévis</th><td class="data-table__number">4<', average)
    line = html_of(get(client, org_a, f"{cinemas.url}?view=chart&chart=line&x=ouverture&agg=count"))
    assert "<polyline" in line and line.count("<circle") == 45


def test_embeds_may_be_framed_by_other_sites_and_the_page_not(client, org_a, cinemas):
    """``embed/table/``, ``embed/map/`` and ``embed/chart/`` carry no X-Frame-Options and let
    any site frame them; the dataset page itself stays unframeable. The page shows the code of
    the embed for its current filter."""
    page = get(client, org_a, f"{cinemas.url}?f.ville=Québec")
    assert page["X-Frame-Options"] == "DENY" or page["X-Frame-Options"] == "SAMEORIGIN"
    code = unescape(
        re.search(
            r'<textarea id="dataset-embed-code"[^>]*>(.*?)</textarea>', html_of(page), re.S
        ).group(1)
    )
    assert (
        code.startswith('<iframe src="http://boreal.test/')
        and "embed/table/?f.ville=Qu%C3%A9bec" in code
    )
    for kind in ("table", "map", "chart"):
        response = get(client, org_a, f"{cinemas.url}embed/{kind}/?f.ville=Québec")
        assert response.status_code == 200, kind
        assert "X-Frame-Options" not in response
        assert "frame-ancestors *" in response["Content-Security-Policy"]
        html = html_of(response)
        assert "site-header" not in html and "Salles de cinéma" in html
    table = html_of(get(client, org_a, f"{cinemas.url}embed/table/?f.ville=Québec"))
    assert {r[2] for r in table_rows(table)} == {"Québec"}
    assert get(client, org_a, f"{cinemas.url}embed/video/").status_code == 404


# --- members only -----------------------------------------------------------------------------


def all_outputs(cinemas, barometer):
    """Every address that could show data of the two datasets."""
    urls = []
    for dataset in (cinemas, barometer):
        base = dataset.url
        urls += [
            base,
            f"{base}?view=map",
            f"{base}?view=chart&x=semaine&agg=count"
            if dataset is barometer
            else f"{base}?view=chart&x=nom&agg=count",
            f"{base}?q={'canari' if dataset is barometer else 'art essai'}",
            f"{base}records/1/",
            f"{base}embed/table/",
            f"{base}embed/map/",
            f"{base}embed/chart/",
        ]
        urls += [f"{base}exports/{fmt}/" for fmt in ("csv", "xlsx", "json", "jsonl")]
    urls += [f"{cinemas.url}exports/geojson/", cinemas.get_parent().url]
    return urls


def texts_of(client, site, urls) -> str:
    found = []
    for url in urls:
        response = get(client, site, url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        content = body_of(response)
        if url.endswith("exports/xlsx/") and response.status_code == 200:
            workbook = openpyxl.load_workbook(io.BytesIO(content))
            content = json.dumps(list(workbook.active.iter_rows(values_only=True))).encode()
        found.append(content.decode("utf-8", "replace"))
    return "\n".join(found)


def test_members_only_data_reach_no_one_else(client, org_a, org_b, cinemas, barometer):
    """The canaries — a members-only column's value, a members-only dataset's values — are in
    no page, record, map, chart, embed or export for an anonymous visitor, a logged-in person
    without a membership, a member of another organization, or a member whose membership
    ended. Lost otherwise: members' data published to anyone who looks."""
    urls = all_outputs(cinemas, barometer)
    nobody = get_user_model().objects.create_user("passant@example.org", password="x")
    other_member, _ = make_member(org_b, "Membre Ailleurs")
    lapsed, contact = make_member(org_a, "Membre Échue")
    Membership.objects.filter(contact=contact).update(
        end_date=datetime.date.today() - datetime.timedelta(days=1)
    )
    for user in (None, nobody, other_member, lapsed):
        visitor = Client()
        if user is not None:
            visitor.force_login(user)
        seen = texts_of(visitor, org_a, urls)
        assert CANARY not in seen, user
        assert CANARY_DATASET not in seen, user
        assert "1234" not in seen and "Classement Art et Essai" not in seen, user
    notice = html_of(get(Client(), org_a, barometer.url))
    assert "/espace-membre/connexion/?next=" in notice
    assert "dataset-embed-code" not in notice and "exports/" not in notice
    assert get(Client(), org_a, f"{barometer.url}exports/csv/").status_code == 403
    assert get(Client(), org_a, f"{barometer.url}embed/table/").status_code == 403


def test_members_and_staff_read_everything(client, org_a, cinemas, barometer, crm_a):
    """A member with a current membership, and the organization's staff, see the members-only
    column and dataset everywhere: table, record, export, embed."""
    member, _contact = make_member(org_a, "Maude Gagnon")
    for user in (member, crm_a):
        reader = Client()
        reader.force_login(user)
        page = html_of(get(reader, org_a, cinemas.url))
        assert CANARY in page and "Classement Art et Essai" in page
        assert CANARY in html_of(get(reader, org_a, f"{cinemas.url}records/1/"))
        assert CANARY in body_of(get(reader, org_a, f"{cinemas.url}exports/csv/")).decode()
        assert CANARY in html_of(get(reader, org_a, f"{cinemas.url}embed/table/"))
        assert CANARY_DATASET in html_of(get(reader, org_a, barometer.url))
        assert (
            CANARY_DATASET in body_of(get(reader, org_a, f"{barometer.url}exports/json/")).decode()
        )
        sorted_by_hidden = get(reader, org_a, f"{cinemas.url}?sort=classement")
        assert sorted_by_hidden.status_code == 200
    catalogue = html_of(get(Client(), org_a, org_a.data.url))
    assert "<dd>2</dd>" not in catalogue


def test_pages_shown_to_members_never_reach_the_page_cache(org_a, cinemas, barometer):
    """An anonymous visitor's dataset page is kept by the page cache (the next one costs no
    query); a member's page is private, never kept, and the next anonymous visitor gets the
    public page, without the canary."""

    def visit(client, url):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, HTTP_HOST=org_a.hostname)
        return response, len(captured.captured_queries)

    first, _ = visit(Client(), cinemas.url)
    again, queries = visit(Client(), cinemas.url)
    assert queries == 0 and again.content == first.content
    member, _contact = make_member(org_a, "Maude Gagnon")
    reader = Client()
    reader.force_login(member)
    for url in (barometer.url, f"{cinemas.url}?page=2"):
        response, queries = visit(reader, url)
        assert queries > 0
        assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]
    anonymous, _ = visit(Client(), f"{cinemas.url}?page=2")
    assert CANARY not in anonymous.content.decode()
    notice, _ = visit(Client(), barometer.url)
    assert CANARY_DATASET not in notice.content.decode()


def test_the_log_in_link_brings_the_member_back_to_the_dataset(org_a, barometer):
    """The notice's link opens the member space's login with the dataset as ``next``; once
    logged in, the member is back on the dataset, which shows its data."""
    member, _contact = make_member(org_a, "Maude Gagnon")
    visitor = Client()
    notice = html_of(get(visitor, org_a, barometer.url))
    login_url = unescape(
        re.search(r'href="(/espace-membre/connexion/\?next=[^"]+)"', notice).group(1)
    )
    form = html_of(get(visitor, org_a, login_url))
    next_url = re.search(r'<input type="hidden" name="next" value="([^"]+)"', form).group(1)
    response = visitor.post(
        login_url,
        {"username": member.get_username(), "password": "motdepasse-test", "next": next_url},
        HTTP_HOST=org_a.hostname,
        follow=True,
    )
    assert response.redirect_chain[-1][0].endswith(barometer.url.split(org_a.hostname)[-1])
    assert CANARY_DATASET in html_of(response)


def test_a_framed_embed_stays_frameable_when_it_comes_from_the_page_cache(org_a, cinemas):
    """The second visitor of an embed gets it from the page cache: still without
    X-Frame-Options, still frameable by any site."""
    first = get(Client(), org_a, f"{cinemas.url}embed/table/")
    with CaptureQueriesContext(connection) as captured:
        again = get(Client(), org_a, f"{cinemas.url}embed/table/")
    assert len(captured.captured_queries) == 0 and again.content == first.content
    assert "X-Frame-Options" not in again
    assert "frame-ancestors *" in again["Content-Security-Policy"]


def live_cinemas(site):
    for n, town in enumerate(TOWNS):
        yield {
            "_id": f"salle-{n}",
            "nom": f"Salle vivante {n}",
            "ville": town,
            "ecrans": n + 1,
            "position": (46.0 + n / 10, -72.0),
            "classement": CANARY,
        }


def test_live_records_are_shown_like_uploaded_ones(client, org_a):
    """A dataset of live records (a plugin's source): counted in the catalogue, listed in the
    table, on the map, in the exports — without their members-only column for the public, with
    it for members."""
    from wagtail import hooks

    from opendata.sources import LiveSource

    source = LiveSource(
        "tests.cinemas",
        "Salles",
        fields=tuple(f for f in FIELDS if f.name != "ouverture"),
        records=live_cinemas,
    )
    with hooks.register_temporarily("register_dataset_sources", lambda: [source]):
        dataset = make_dataset(org_a.data, "Salles en direct", live_source="tests.cinemas")
        catalogue = html_of(get(client, org_a, f"{org_a.data.url}?q=direct"))
        assert "<dd>5</dd>" in catalogue
        html = html_of(get(client, org_a, f"{dataset.url}?sort=-ecrans"))
        assert [r[1] for r in table_rows(html)] == [f"Salle vivante {n}" for n in range(4, -1, -1)]
        assert CANARY not in html
        record = html_of(get(client, org_a, f"{dataset.url}records/salle-2/"))
        assert "Salle vivante 2" in record and CANARY not in record
        assert "salle-2/" in html_of(get(client, org_a, f"{dataset.url}?view=map"))
        exported = json.loads(
            body_of(get(client, org_a, f"{dataset.url}exports/json/?f.ville=Québec"))
        )
        assert [r["nom"] for r in exported] == ["Salle vivante 1"]
        assert "classement" not in exported[0]
        member, _contact = make_member(org_a, "Maude Gagnon")
        reader = Client()
        reader.force_login(member)
        assert CANARY in html_of(get(reader, org_a, dataset.url))
