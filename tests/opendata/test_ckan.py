"""CKAN's Action API as harvesters and scripts call it, with Django's test client (the real
``ckanapi`` client against a running server: ``test_ckan_client.py``).

What a partner would lose otherwise: a harvester (udata, ckanext-harvest, ``ckanapi``) that
stops on a redirect, an HTML page or an unexpected shape; members-only data reaching the public.
"""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from opendata.fields import Field, FieldType
from opendata.models import ApiKey, DatasetAccess, DatasetPage
from tests.factories import make_dataset, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

CANARY_NUMBER = 987654
CANARY_TEXT = "CANARI-BAROMETRE"
HALLS = [
    Field("nom", "Nom", FieldType.TEXT, facet=True),
    Field("ville", "Ville", FieldType.TEXT),
    Field("ecrans", "Écrans", FieldType.INTEGER),
    Field("ouverture", "Ouverture", FieldType.DATE),
    Field("art_essai", "Art et Essai", FieldType.BOOLEAN),
    Field("position", "Position", FieldType.GEO_POINT),
    Field("entrees", "Entrées", FieldType.INTEGER, members_only=True),
]
HALL_ROWS = [
    {
        "nom": "Le Clap",
        "ville": "Québec",
        "ecrans": 5,
        "ouverture": "1984-05-01",
        "art_essai": True,
        "position": (46.78, -71.28),
        "entrees": CANARY_NUMBER,
    },
    {
        "nom": "Cinéma Beaubien",
        "ville": "Montréal",
        "ecrans": 5,
        "ouverture": "1937-02-12",
        "art_essai": True,
        "position": (45.54, -73.60),
        "entrees": 210000,
    },
    {
        "nom": "Cinéma du Parc",
        "ville": "Montréal",
        "ecrans": 3,
        "art_essai": False,
        "entrees": 99999,
    },
]


@pytest.fixture
def catalogue(org_a, org_b):
    """Three datasets of org A (one for members only) and one of org B."""
    halls = make_dataset(
        org_a.data,
        "Salles de cinéma",
        fields=HALLS,
        rows=HALL_ROWS,
        dataset_id="salles",
        keywords="cinéma, salles",
        themes=["EDUC"],
        licence="etalab-2.0",
        contact_name="Service des données",
        contact_email="donnees@boreal.test",
        spatial_coverage="Québec",
        temporal_start=dt.date(2020, 1, 1),
        frequency="MONTHLY",
    )
    agenda = make_dataset(
        org_a.data,
        "Agenda des projections",
        fields=[("titre", "text"), ("jour", "date")],
        rows=[{"titre": "Ciné-club", "jour": "2027-01-05"}],
        dataset_id="agenda",
        keywords="agenda, cinéma",
        themes=["EDUC", "SOCI"],
        licence="odbl-1.0",
    )
    barometer = make_dataset(
        org_a.data,
        "Baromètre des entrées",
        fields=[("semaine", "text"), ("note", "text")],
        rows=[{"semaine": "2026-W01", "note": CANARY_TEXT}],
        dataset_id="barometre",
        keywords="entrées, confidentiel",
        themes=["ECON"],
        access=DatasetAccess.MEMBERS,
    )
    other = make_dataset(
        org_b.data,
        "Festival du réseau",
        fields=[("nom", "text")],
        rows=[{"nom": "Festival"}],
        dataset_id="festival",
        keywords="cinéma",
    )
    return {"halls": halls, "agenda": agenda, "barometer": barometer, "other": other}


@pytest.fixture
def member_key(org_a):
    user, _contact = make_member(org_a, "Maude Gagnon")
    _key, secret = ApiKey.issue(user.member_account, "harvester")
    return secret


@pytest.fixture
def other_member_key(org_b):
    user, _contact = make_member(org_b, "Paul Martin", email="paul@example.org")
    _key, secret = ApiKey.issue(user.member_account, "autre")
    return secret


def call(client, host, action, key=None, method="get", **params):
    headers = {"Authorization": key} if key else {}
    if method == "post":
        return client.post(
            f"/api/3/action/{action}",
            json.dumps(params),
            content_type="application/json",
            HTTP_HOST=host,
            headers=headers,
        )
    return client.get(f"/api/3/action/{action}", params, HTTP_HOST=host, headers=headers)


def result(response, status=200):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["success"] is (status == 200)
    assert body["help"].startswith("http://")
    return body["result"] if status == 200 else body["error"]


# --- the envelope, the addresses ---------------------------------------------------------------


def test_envelope_at_both_addresses_without_redirects(client, org_a, catalogue):
    """Both of CKAN's addresses answer, with or without a trailing slash, by GET, POST JSON
    and POST form — never a redirect, always JSON with the rate-limit headers."""
    for url in (
        "/api/3/action/package_list",
        "/api/action/package_list",
        "/api/3/action/package_list/",
    ):
        response = client.get(url, HTTP_HOST=org_a.hostname)
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("application/json")
        assert response["X-RateLimit-Limit"]
        assert response.json()["result"] == ["agenda", "salles"]
    posted = client.post(
        "/api/action/package_show",
        json.dumps({"id": "salles"}),
        content_type="application/json",
        HTTP_HOST=org_a.hostname,
    )
    assert result(posted)["name"] == "salles"
    form = client.post("/api/3/action/package_show", {"id": "agenda"}, HTTP_HOST=org_a.hostname)
    assert result(form)["title"] == "Agenda des projections"
    version = client.get("/api/3", HTTP_HOST=org_a.hostname)
    assert version.json() == {"version": 3} and version["X-RateLimit-Limit"]
    bare = client.get("/api/3/action", HTTP_HOST=org_a.hostname)
    assert bare.status_code == 400 and bare.json()["success"] is False
    status = result(call(client, org_a.hostname, "status_show"))
    assert status["ckan_version"].startswith("2.") and "datastore" in status["extensions"]
    assert client.get("/api/util/status", HTTP_HOST=org_a.hostname).json()["ckan_version"]


def test_errors_in_ckan_shape(client, org_a, catalogue):
    """Each refusal arrives as CKAN's typed error with CKAN's status: what ``ckanapi`` turns
    back into its exceptions."""
    host = org_a.hostname
    missing = result(call(client, host, "package_show", id="nope"), 404)
    assert missing["__type"] == "Not Found Error"
    no_id = result(call(client, host, "package_show"), 409)
    assert no_id["__type"] == "Validation Error" and no_id["id"] == ["Valeur manquante"]
    rows = result(call(client, host, "package_search", rows="beaucoup"), 409)
    assert rows["__type"] == "Validation Error" and "rows" in rows
    fq = result(call(client, host, "package_search", fq="couleur:bleu"), 400)
    assert fq["__type"] == "Search Query Error" and "couleur" in fq["message"]
    unclosed = result(call(client, host, "package_search", q='"cinéma'), 400)
    assert unclosed["__type"] == "Search Query Error"
    write = result(call(client, host, "package_create", method="post", name="x"), 403)
    assert write["__type"] == "Authorization Error"
    unknown = client.get("/api/3/action/frobnicate", HTTP_HOST=host)
    assert unknown.status_code == 400 and unknown.json()["success"] is False
    broken = client.post(
        "/api/3/action/package_list", "{oops", content_type="application/json", HTTP_HOST=host
    )
    assert broken.status_code == 400 and broken.json()["success"] is False
    refused = result(call(client, host, "package_list", key="lm_not-a-key"), 403)
    assert refused["__type"] == "Authorization Error" and "inconnue" in refused["message"]
    english = client.get(
        "/api/3/action/package_show", HTTP_HOST=host, headers={"Accept-Language": "en"}
    )
    assert english.json()["error"]["id"] == ["Missing value"]


def test_rate_limit_answers_429_in_the_envelope(client, org_a, catalogue, settings):
    """Past the per-address limit, the answer is 429 with CKAN's envelope, the limit headers and
    ``Retry-After``; nothing of the catalogue."""
    settings.OPENDATA_RATE_LIMIT_PER_ADDRESS = 2
    for _ in range(2):
        assert call(client, org_a.hostname, "package_list").status_code == 200
    response = call(client, org_a.hostname, "package_list")
    assert response.status_code == 429
    assert response.json()["success"] is False and "result" not in response.json()
    assert response["X-RateLimit-Remaining"] == "0" and int(response["Retry-After"]) >= 1


# --- packages -----------------------------------------------------------------------------------

#: What udata's CKAN harvester requires of a package (its voluptuous schema), and ckanapi users
#: read.
PACKAGE_KEYS = {
    "id",
    "name",
    "title",
    "notes",
    "license_id",
    "license_title",
    "tags",
    "metadata_created",
    "metadata_modified",
    "organization",
    "resources",
    "extras",
    "private",
    "type",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "state",
    "groups",
    "num_resources",
    "num_tags",
    "url",
}
RESOURCE_KEYS = {
    "id",
    "position",
    "name",
    "description",
    "format",
    "mimetype",
    "size",
    "hash",
    "created",
    "last_modified",
    "url",
    "resource_type",
    "datastore_active",
    "package_id",
}


def test_package_show_by_name_or_id_in_ckan_shape(client, org_a, catalogue):
    """A harvester reads a dataset's metadata where CKAN puts them: licence, tags, themes as
    groups, the organization, the contact point, coverage and frequency as extras, and its data
    as a CSV resource of the datastore."""
    halls = catalogue["halls"]
    by_name = result(call(client, org_a.hostname, "package_show", id="salles"))
    by_id = result(call(client, org_a.hostname, "package_show", id=str(halls.package_uuid)))
    assert by_name == by_id
    assert set(by_name) >= PACKAGE_KEYS
    assert by_name["id"] == str(halls.package_uuid)
    assert by_name["private"] is False and by_name["state"] == "active"
    assert by_name["license_id"] == "etalab-2.0" and by_name["isopen"] is True
    assert "etalab" in by_name["license_url"]
    assert [t["name"] for t in by_name["tags"]] == ["cinéma", "salles"]
    assert [g["name"] for g in by_name["groups"]] == ["educ"]
    assert by_name["organization"]["name"] == org_a.root_page.slug
    assert by_name["organization"]["title"] == "Centre Images Boréales"
    assert by_name["maintainer"] == "Service des données"
    assert by_name["maintainer_email"] == "donnees@boreal.test"
    assert by_name["url"] == halls.get_full_url()
    extras = {e["key"]: e["value"] for e in by_name["extras"]}
    assert extras["spatial-text"] == "Québec"
    assert extras["temporal_start"] == "2020-01-01"
    assert extras["frequency"].endswith("/frequency/MONTHLY")
    [resource] = by_name["resources"]
    assert set(resource) >= RESOURCE_KEYS
    assert resource["id"] == str(halls.resource_uuid)
    assert resource["format"] == "CSV" and resource["datastore_active"] is True
    assert resource["url"] == f"http://{org_a.hostname}/datastore/dump/{halls.resource_uuid}"
    dt.datetime.fromisoformat(by_name["metadata_modified"])
    shown = result(call(client, org_a.hostname, "resource_show", id=str(halls.resource_uuid)))
    assert shown == resource


def test_lists(client, org_a, catalogue):
    """The organization is CKAN's one organization, themes its groups, keywords its tags; the
    counts are the public's."""
    host = org_a.hostname
    slug = org_a.root_page.slug
    assert result(call(client, host, "organization_list")) == [slug]
    [organization] = result(call(client, host, "organization_list", all_fields="true"))
    assert organization["package_count"] == 2
    shown = result(call(client, host, "organization_show", id=slug, include_datasets="true"))
    assert [p["name"] for p in shown["packages"]] == ["agenda", "salles"]
    assert result(call(client, host, "organization_show", id=organization["id"]))["name"] == slug
    assert result(call(client, host, "group_list")) == ["educ", "soci"]
    groups = result(call(client, host, "group_list", all_fields="true", sort="package_count desc"))
    assert [(g["name"], g["package_count"]) for g in groups] == [("educ", 2), ("soci", 1)]
    assert result(call(client, host, "tag_list")) == ["agenda", "cinéma", "salles"]
    assert result(call(client, host, "tag_list", query="CINÉ")) == ["cinéma"]
    assert result(call(client, host, "tag_list", query="salle")) == ["salles"]
    licences = {lic["id"] for lic in result(call(client, host, "license_list"))}
    assert {"etalab-2.0", "odbl-1.0", "cc-by-4.0"} <= licences


# --- package_search -----------------------------------------------------------------------------


def names(search):
    return [package["name"] for package in search["results"]]


def test_package_search_q_fq_sort_and_pages(client, org_a, catalogue):
    """Scripts find datasets by words and by field, sorted and paged, as on a CKAN portal."""
    host = org_a.hostname

    def search(**params):
        return result(call(client, host, "package_search", **params))

    assert search()["count"] == 2
    assert names(search(q="salles")) == ["salles"]
    assert names(search(q="cinema", sort="title_string asc")) == ["agenda", "salles"]
    assert names(search(q="cinema", sort="title_string desc")) == ["salles", "agenda"]
    assert names(search(fq="tags:agenda")) == ["agenda"]
    assert names(search(fq="groups:soci")) == ["agenda"]
    assert names(search(fq="license_id:odbl-1.0")) == ["agenda"]
    assert search(fq="res_format:CSV")["count"] == 2
    assert search(fq=f"organization:{org_a.root_page.slug}")["count"] == 2
    assert search(fq="organization:autre")["count"] == 0
    # udata's filters: ``q`` built as « key:value AND -key:value ».
    assert names(search(q="tags:cinéma AND -tags:salles")) == ["agenda"]
    assert names(search(q="tags:(agenda OR salles)", sort="name asc")) == ["agenda", "salles"]
    # ckanext-harvest's incremental harvest: modified since a moment.
    assert search(fq="metadata_modified:[2000-01-01T00:00:00Z TO *]")["count"] == 2
    assert search(fq="metadata_modified:[NOW+1DAY TO *]")["count"] == 0
    assert search(q="*:*", fq="+dataset_type:dataset")["count"] == 2
    first = search(rows=1, sort="name asc")
    second = search(rows=1, start=1, sort="name asc")
    assert first["count"] == second["count"] == 2
    assert names(first) + names(second) == ["agenda", "salles"]
    assert search(rows=5000)["count"] == 2  # capped at 1000, as CKAN does
    light = search(fl="name,title", sort="name asc")
    assert light["results"][0] == {"name": "agenda", "title": "Agenda des projections"}


def test_package_search_facets(client, org_a, catalogue):
    """Facet counts, with CKAN's two shapes (``facets`` and ``search_facets``), count the
    datasets found — never the members-only ones for the public."""
    found = result(
        call(
            client,
            org_a.hostname,
            "package_search",
            **{"facet.field": json.dumps(["tags", "groups", "license_id", "res_format"])},
        )
    )
    assert found["facets"]["tags"] == {"cinéma": 2, "agenda": 1, "salles": 1}
    assert found["facets"]["groups"] == {"educ": 2, "soci": 1}
    assert found["facets"]["license_id"] == {"etalab-2.0": 1, "odbl-1.0": 1}
    assert found["facets"]["res_format"] == {"CSV": 2}
    items = found["search_facets"]["groups"]["items"]
    assert items[0] == {"name": "educ", "display_name": items[0]["display_name"], "count": 2}
    assert "confidentiel" not in json.dumps(found)


def test_members_only_datasets_for_members_only(client, org_a, catalogue, member_key):
    """A members-only dataset is, for the public, a dataset that does not exist; a member's
    key reads it, and finds it with ``include_private`` (CKAN's private datasets)."""
    host = org_a.hostname
    barometer = catalogue["barometer"]
    assert result(call(client, host, "package_show", id="barometre"), 404)
    assert result(call(client, host, "resource_show", id=str(barometer.resource_uuid)), 404)
    public = result(call(client, host, "package_search", include_private="true"))
    assert public["count"] == 2
    shown = result(call(client, host, "package_show", key=member_key, id="barometre"))
    assert shown["private"] is True
    found = result(
        call(
            client,
            host,
            "package_search",
            key=member_key,
            include_private="true",
            **{"facet.field": '["tags"]'},
        )
    )
    assert found["count"] == 3 and found["facets"]["tags"]["confidentiel"] == 1
    assert result(call(client, host, "package_search", key=member_key))["count"] == 2


# --- datastore ----------------------------------------------------------------------------------


def test_datastore_search_fields_filters_sort_and_links(client, org_a, catalogue):
    """Records come with CKAN's field types (``_id`` first), filtered by ``filters`` (a list
    is any of its values) and ``q`` (text, or text by field), sorted, paged, counted; ``_links``
    lead to the next page."""
    host = org_a.hostname
    resource_id = str(catalogue["halls"].resource_uuid)

    def search(**params):
        return result(call(client, host, "datastore_search", resource_id=resource_id, **params))

    everything = search()
    assert [(f["id"], f["type"]) for f in everything["fields"]] == [
        ("_id", "int"),
        ("nom", "text"),
        ("ville", "text"),
        ("ecrans", "int"),
        ("ouverture", "date"),
        ("art_essai", "bool"),
        ("position", "json"),
    ]
    assert everything["total"] == 3 and everything["records"][0]["_id"] == 1
    assert everything["records"][0]["position"] == {"lon": -71.28, "lat": 46.78}
    montreal = search(filters=json.dumps({"ville": "Montréal"}), sort="ecrans desc")
    assert [r["nom"] for r in montreal["records"]] == ["Cinéma Beaubien", "Cinéma du Parc"]
    listed = search(filters=json.dumps({"ecrans": [3, "5"], "art_essai": True}))
    assert listed["total"] == 2
    assert search(q="beaubien")["total"] == 1
    assert search(q=json.dumps({"ville": "montreal"}))["total"] == 2
    some = search(fields="nom,ecrans", sort="nom asc", limit=2)
    assert [f["id"] for f in some["fields"]] == ["nom", "ecrans"]
    assert some["records"] == [
        {"nom": "Cinéma Beaubien", "ecrans": 5},
        {"nom": "Cinéma du Parc", "ecrans": 3},
    ]
    following = client.get(some["_links"]["next"], HTTP_HOST=host).json()["result"]
    assert following["records"] == [{"nom": "Le Clap", "ecrans": 5}] and following["offset"] == 2
    lists = search(records_format="lists", fields="_id,nom", limit=1)
    assert lists["records"] == [[1, "Le Clap"]]
    assert "total" not in search(include_total="false")
    posted = result(
        call(
            client,
            host,
            "datastore_search",
            method="post",
            resource_id=resource_id,
            filters={"ville": ["Québec"]},
        )
    )
    assert [r["nom"] for r in posted["records"]] == ["Le Clap"]


def test_datastore_search_refusals(client, org_a, catalogue):
    """Unknown fields and wrong values are validation errors naming the parameter; an unknown
    resource is not found."""
    host = org_a.hostname
    resource_id = str(catalogue["halls"].resource_uuid)

    def refused(status, **params):
        return result(call(client, host, "datastore_search", **params), status)

    assert refused(404, resource_id="3f2b8f9e-0000-4000-8000-000000000000")["__type"] == (
        "Not Found Error"
    )
    assert "resource_id" in refused(409)
    assert "filters" in refused(409, resource_id=resource_id, filters='{"couleur": "bleu"}')
    assert "filters" in refused(409, resource_id=resource_id, filters='{"ecrans": "cinq"}')
    assert "filters" in refused(409, resource_id=resource_id, filters="[1, 2]")
    assert "sort" in refused(409, resource_id=resource_id, sort="couleur desc")
    assert "fields" in refused(409, resource_id=resource_id, fields="couleur")
    assert "limit" in refused(409, resource_id=resource_id, limit="-4")
    assert "q" in refused(409, resource_id=resource_id, q='{"couleur": "x"}')


def test_datastore_dump(client, org_a, catalogue):
    """The resource's URL downloads its records: CSV by default, TSV and JSON on request, the
    same filters as ``datastore_search``."""
    host = org_a.hostname
    url = f"/datastore/dump/{catalogue['halls'].resource_uuid}"
    response = client.get(url, HTTP_HOST=host)
    assert response.status_code == 200 and response["X-RateLimit-Limit"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0].split(",")[:2] == ['"nom"', '"ville"'] and len(lines) == 4
    tsv = client.get(url, {"format": "tsv", "filters": '{"ville": "Québec"}'}, HTTP_HOST=host)
    assert tsv["Content-Type"].startswith("text/tab-separated-values")
    rows = b"".join(tsv.streaming_content).decode("utf-8-sig").splitlines()
    assert len(rows) == 2 and "\t" in rows[1] and "Le Clap" in rows[1]
    as_json = client.get(url, {"format": "json", "sort": "nom"}, HTTP_HOST=host)
    records = json.loads(b"".join(as_json.streaming_content))
    assert [r["nom"] for r in records] == ["Cinéma Beaubien", "Cinéma du Parc", "Le Clap"]
    assert client.get(url, {"format": "pdf"}, HTTP_HOST=host).status_code == 409
    missing = client.get(f"/datastore/dump/{catalogue['barometer'].resource_uuid}", HTTP_HOST=host)
    assert missing.status_code == 404 and missing.json()["error"]["__type"] == "Not Found Error"


# --- the canary ---------------------------------------------------------------------------------


def every_answer(client, host, catalogue, key=None) -> str:
    """Every action's answer (and the dumps) for one reader, as one text."""
    halls, barometer = catalogue["halls"], catalogue["barometer"]
    answers = []
    for name, params in [
        ("package_list", {}),
        ("current_package_list_with_resources", {}),
        (
            "package_search",
            {
                "q": "",
                "include_private": "true",
                "facet.field": json.dumps(
                    ["tags", "groups", "license_id", "res_format", "organization"]
                ),
            },
        ),
        ("package_show", {"id": "salles"}),
        ("package_show", {"id": "barometre"}),
        ("resource_show", {"id": str(barometer.resource_uuid)}),
        ("organization_show", {"id": "x"}),
        ("organization_list", {"all_fields": "true"}),
        ("group_list", {"all_fields": "true"}),
        ("tag_list", {}),
        ("datastore_search", {"resource_id": str(halls.resource_uuid)}),
        ("datastore_search", {"resource_id": str(barometer.resource_uuid)}),
    ]:
        answers.append(call(client, host, name, key=key, **params).content.decode())
    for resource in (halls.resource_uuid, barometer.resource_uuid):
        for fmt in ("csv", "json"):
            response = client.get(
                f"/datastore/dump/{resource}",
                {"format": fmt},
                HTTP_HOST=host,
                headers={"Authorization": key} if key else {},
            )
            body = response.streaming_content if response.streaming else [response.content]
            answers.append(b"".join(body).decode("utf-8-sig"))
    return "\n".join(answers)


def test_canary_reaches_members_only(client, org_a, org_b, catalogue, member_key, other_member_key):
    """A planted value in a members-only column and one in a members-only dataset appear for a
    member's key, and in no answer for the public, a logged-in non-member, or another
    organization's member; another organization's datasets never appear."""
    host = org_a.hostname
    member = every_answer(client, host, catalogue, key=member_key)
    assert str(CANARY_NUMBER) in member and CANARY_TEXT in member
    assert "festival" not in member.lower()
    anonymous = every_answer(client, host, catalogue)
    other = every_answer(client, host, catalogue, key=other_member_key)
    assert '"Authorization Error"' in other
    user, _contact = make_member(org_b, "Non Membre", email="non-membre@example.org")
    client.force_login(user)
    logged_in = every_answer(client, host, catalogue)
    for text in (anonymous, other, logged_in):
        assert str(CANARY_NUMBER) not in text
        assert CANARY_TEXT not in text
        assert "barometre" not in text and "Baromètre" not in text
        assert "festival" not in text.lower()
    client.logout()
    # Searching for the hidden value finds nothing unless the reader may read it.
    halls = str(catalogue["halls"].resource_uuid)
    hidden = {"resource_id": halls, "q": str(CANARY_NUMBER)}
    assert result(call(client, host, "datastore_search", **hidden))["total"] == 0
    assert result(call(client, host, "datastore_search", key=member_key, **hidden))["total"] == 1
    # Org B's own API lists its dataset only.
    assert result(call(client, org_b.hostname, "package_list")) == ["festival"]


def test_key_stops_when_membership_ends(client, org_a, catalogue, member_key):
    """The day a membership ends, its key is refused (Authorization Error), never quietly
    downgraded to public data."""
    from crm_blocks.models import Membership

    Membership.objects.filter(contact__site=org_a).update(
        end_date=dt.date.today() - dt.timedelta(days=1)
    )
    refused = result(
        call(client, org_a.hostname, "package_show", key=member_key, id="barometre"), 403
    )
    assert refused["__type"] == "Authorization Error" and "adhésion" in refused["message"]


# --- cost ---------------------------------------------------------------------------------------


def test_package_search_queries_do_not_grow_with_the_catalogue(client, org_a):
    """A search costs the same number of queries over 3 datasets as over 30 (the bench holds
    its time against a page's)."""
    fields = [("nom", "text")]

    def queries():
        call(client, org_a.hostname, "package_search", rows=50)  # the site's caches
        with CaptureQueriesContext(connection) as captured:
            found = result(
                call(
                    client,
                    org_a.hostname,
                    "package_search",
                    rows=50,
                    **{"facet.field": '["tags", "groups"]'},
                )
            )
        return found["count"], len(captured.captured_queries)

    for n in range(3):
        make_dataset(org_a.data, f"Jeu {n}", fields=fields, rows=[{"nom": "x"}], keywords="a, b")
    few = queries()
    for n in range(3, 30):
        make_dataset(org_a.data, f"Jeu {n}", fields=fields, rows=[{"nom": "x"}], keywords="a, b")
    many = queries()
    assert few[0] == 3 and many[0] == 30
    assert few[1] == many[1]
    assert DatasetPage.objects.count() == 30
