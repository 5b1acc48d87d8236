"""One sweep over every open-data address an organization serves — the portal, the dataset
pages and their views, record pages, embeds, exports, the Explore and CKAN APIs, the DCAT
catalogue, the sitemap and the site search — for each kind of reader.

Two values are planted: one in a members-only column of a public dataset, one in a
members-only dataset. The public, a logged-in member of another organization and a member
whose membership ended read neither anywhere; a current member reads both (with a session on
pages, with their API key in the APIs); the day the membership ends, they are gone for that
member too. Each output has its own finer tests; this one catches an address that forgets the
rule.
"""

import datetime
import io
import zipfile

import pytest
from django.test import Client

from crm_blocks.members import organization_today
from crm_blocks.models import Membership
from opendata.fields import Field, FieldType
from opendata.models import DatasetAccess
from opendata.models.keys import ApiKey
from tests.factories import make_dataset, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

CANARY_COLUMN = "Xylocanari-colonne"
CANARY_DATASET = "Xylocanari-jeu"

FIELDS = [
    Field("nom", "Nom", FieldType.TEXT, facet=True),
    Field("ville", "Ville", FieldType.TEXT, facet=True),
    Field("ecrans", "Écrans", FieldType.INTEGER),
    Field("position", "Position", FieldType.GEO_POINT),
    Field("classement", "Classement", FieldType.TEXT, members_only=True, facet=True),
]
ROWS = [
    {
        "nom": "Le Clap",
        "ville": "Québec",
        "ecrans": 5,
        "position": (46.78, -71.28),
        "classement": CANARY_COLUMN,
    },
    {
        "nom": "Cinéma Beaubien",
        "ville": "Montréal",
        "ecrans": 5,
        "position": (45.54, -73.6),
        "classement": "B",
    },
]


def body(response) -> str:
    data = b"".join(response.streaming_content) if response.streaming else response.content
    if data[:2] == b"PK":  # XLSX: the cells are in the archive's XML
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            data = b"".join(archive.read(name) for name in archive.namelist())
    return data.decode("utf-8", "replace")


@pytest.fixture
def portal(org_a):
    cinemas = make_dataset(org_a.data, "Salles", fields=FIELDS, rows=ROWS, keywords="salles")
    barometer = make_dataset(
        org_a.data,
        "Baromètre",
        fields=[Field("semaine", "Semaine"), Field("entrees", "Entrées", FieldType.INTEGER)],
        rows=[{"semaine": CANARY_DATASET, "entrees": 12}],
        access=DatasetAccess.MEMBERS,
    )
    return cinemas, barometer


def addresses(org, cinemas, barometer) -> list[str]:
    page_urls = []
    for page in (cinemas, barometer):
        url = page.url
        page_urls += [
            url,
            f"{url}?view=map",
            f"{url}?view=chart&x=ville&y=ecrans",
            # Searched in lower case: a page that echoes the query is no leak, finding is.
            f"{url}?q=xylocanari",
            f"{url}records/1/",
            f"{url}embed/table/",
            f"{url}embed/map/",
            f"{url}embed/chart/",
            *(f"{url}exports/{fmt}/" for fmt in ("csv", "json", "jsonl", "geojson", "xlsx")),
        ]
    explore = "/api/explore/v2.1/catalog"
    apis = [
        f"{explore}/datasets",
        f"{explore}/facets",
        f"{explore}/exports/json",
        f"{explore}/exports/csv",
    ]
    ckan = "/api/3/action"
    apis += [
        f"{ckan}/package_list",
        f"{ckan}/package_search?include_private=true&rows=100",
        f"{ckan}/tag_list",
        "/catalog.ttl",
        "/catalog.jsonld",
        "/sitemap.xml",
        "/search/?q=xylocanari",
    ]
    for page in (cinemas, barometer):
        dataset_id = page.identifier
        apis += [
            f"{explore}/datasets/{dataset_id}",
            f"{explore}/datasets/{dataset_id}/records?limit=100",
            f"{explore}/datasets/{dataset_id}/records?group_by=ville",
            f"{explore}/datasets/{dataset_id}/facets",
            *(f"{explore}/datasets/{dataset_id}/exports/{fmt}" for fmt in ("csv", "json", "xlsx")),
            f"{ckan}/package_show?id={dataset_id}",
            f"{ckan}/datastore_search?resource_id={page.resource_uuid}&limit=100",
            f"/datastore/dump/{page.resource_uuid}",
        ]
    return page_urls + apis


def sweep(client, org, urls, apikey="") -> dict[str, str]:
    """The text of every answer, by address (a key added to the API addresses when given)."""
    found = {}
    for url in urls:
        api = url.startswith(("/api/", "/datastore/"))
        if apikey and api:
            url = f"{url}{'&' if '?' in url else '?'}apikey={apikey}"
        response = client.get(url, HTTP_HOST=org.hostname)
        assert response.status_code < 500, url
        found[url] = body(response)
    return found


def leaks(found: dict[str, str]) -> list[str]:
    return [url for url, text in found.items() if CANARY_COLUMN in text or CANARY_DATASET in text]


def test_no_reader_without_a_current_membership_finds_a_planted_value(org_a, org_b, crm_b, portal):
    urls = addresses(org_a, *portal)
    assert leaks(sweep(Client(), org_a, urls)) == []
    other_member, _contact = make_member(org_b, "Léa Tremblay")
    client = Client()
    client.force_login(other_member)
    other_key, other_secret = ApiKey.issue(other_member.member_account)
    assert leaks(sweep(client, org_a, [u for u in urls if not u.startswith("/api/")])) == []
    # Another organization's member's key is refused by the APIs, never read as a member's.
    assert leaks(sweep(Client(), org_a, urls, apikey=other_secret)) == []
    staff_elsewhere = Client()
    staff_elsewhere.force_login(crm_b)
    assert leaks(sweep(staff_elsewhere, org_a, urls)) == []


def test_a_current_member_reads_them_until_the_membership_ends(org_a, portal):
    cinemas, barometer = portal
    member, contact = make_member(org_a, "Maude Gagnon")
    _key, secret = ApiKey.issue(member.member_account)
    client = Client()
    client.force_login(member)
    urls = addresses(org_a, cinemas, barometer)
    found = sweep(client, org_a, urls, apikey=secret)
    readable = set(leaks(found))
    for expected in (
        cinemas.url,
        f"{barometer.url}",
        f"{cinemas.url}exports/csv/",
        f"{barometer.url}exports/xlsx/",
        f"/api/explore/v2.1/catalog/datasets/{cinemas.identifier}/records?limit=100&apikey={secret}",
        f"/api/3/action/datastore_search?resource_id={barometer.resource_uuid}&limit=100"
        f"&apikey={secret}",
    ):
        assert expected in readable, expected
    # The search of the site finds pages, not the data in them.
    assert not any(url.startswith("/search/") for url in readable)

    ended = organization_today(org_a) - datetime.timedelta(days=1)
    Membership.objects.filter(contact=contact).update(
        start_date=ended - datetime.timedelta(days=365), end_date=ended
    )
    client = Client()
    client.force_login(member)
    assert leaks(sweep(client, org_a, [u for u in urls if not u.startswith("/api/")])) == []
    assert leaks(sweep(Client(), org_a, urls, apikey=secret)) == []
