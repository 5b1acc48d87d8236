"""The real ``ckanapi`` client against a running server: what a partner's script or a CKAN
harvester sees of the catalogue — lists, a dataset, a search with facets, a datastore paged
through its ``_links``, and refusals raised as ``ckanapi``'s own exceptions.

The server is pytest-django's ``live_server`` at ``localhost``: the organization under test
has that host name; another organization answers at ``127.0.0.1`` (the same server), so that
its datasets stay out of the first one's answers. These tests commit (the server reads what
they wrote), hence few of them, each checking much.
"""

import csv
import io
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from ckanapi import NotAuthorized, NotFound, RemoteCKAN, SearchQueryError, ValidationError
from django.core.cache import caches

from opendata.fields import Field, FieldType
from opendata.models import ApiKey, DatasetAccess
from tests.factories import make_dataset, make_member, make_organization

# serialized_rollback: another test that commits may have emptied the database before this one.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CANARY = 777313
ROWS = 250


@pytest.fixture
def servers(live_server):
    """Org A at the live server's ``localhost``, org B at its ``127.0.0.1``, their datasets and
    a member's key for org A: ``(url_a, url_b, key, resource ids)``."""
    for cache in caches.all(initialized_only=True):
        cache.clear()
    address = urlsplit(live_server.url)
    org_a = make_organization("Centre Images Boréales", "localhost", language="fr-ca")
    org_b = make_organization("Réseau des cinémas", "127.0.0.1", language="fr-fr")
    screenings = make_dataset(
        org_a.data,
        "Séances de la saison",
        fields=[
            Field("numero", "Numéro", FieldType.INTEGER),
            Field("film", "Film", FieldType.TEXT),
            Field("salle", "Salle", FieldType.TEXT, facet=True),
            Field("entrees", "Entrées", FieldType.INTEGER, members_only=True),
        ],
        rows=[
            {
                "numero": n,
                "film": f"Film {n:03d}",
                "salle": ("Le Clap", "Beaubien")[n % 2],
                "entrees": CANARY if n == 7 else 40 + n,
            }
            for n in range(1, ROWS + 1)
        ],
        dataset_id="seances",
        keywords="cinéma, séances",
        themes=["EDUC"],
    )
    make_dataset(
        org_a.data,
        "Lieux partenaires",
        fields=[("nom", "text")],
        rows=[{"nom": "Maison de la culture"}],
        dataset_id="lieux",
        keywords="lieux",
        themes=["SOCI"],
        licence="odbl-1.0",
    )
    make_dataset(
        org_a.data,
        "Baromètre réservé",
        fields=[("semaine", "text")],
        rows=[{"semaine": "2026-W02"}],
        dataset_id="barometre",
        access=DatasetAccess.MEMBERS,
    )
    make_dataset(
        org_b.data, "Festival", fields=[("nom", "text")], rows=[{"nom": "x"}], dataset_id="festival"
    )
    user, _contact = make_member(org_a, "Maude Gagnon")
    _key, secret = ApiKey.issue(user.member_account, "script")
    url_b = f"{address.scheme}://127.0.0.1:{address.port}"
    return live_server.url, url_b, secret, str(screenings.resource_uuid)


@pytest.fixture
def remote():
    """``remote(url, **options)``: a ``RemoteCKAN``, its HTTP session closed after the test (a
    kept-alive connection would hold a server thread past the database's teardown)."""
    clients = []

    def make(url, **options):
        clients.append(RemoteCKAN(url, **options))
        return clients[-1]

    yield make
    for client in clients:
        client.close()


def test_ckanapi_lists_shows_searches_and_is_refused(servers, remote):
    """``ckanapi`` lists the organization's datasets, shows one, searches with facets (POST
    and GET), and gets CKAN's refusals as its exceptions; another organization's catalogue is
    its own."""
    url_a, url_b, key, _resource_id = servers
    ckan = remote(url_a)
    assert ckan.action.package_list() == ["lieux", "seances"]
    assert ckan.action.status_show()["ckan_version"].startswith("2.")
    package = ckan.action.package_show(id="seances")
    assert package["title"] == "Séances de la saison" and package["num_resources"] == 1
    assert package["resources"][0]["url"].startswith(f"{url_a}/datastore/dump/")
    found = ckan.action.package_search(q="cinéma", **{"facet.field": ["tags", "groups"]})
    assert [p["name"] for p in found["results"]] == ["seances"]
    assert found["facets"]["tags"] == {"cinéma": 1, "séances": 1}
    by_get = remote(url_a, get_only=True).action.package_search(
        fq="groups:soci", **{"facet.field": '["license_id"]'}
    )
    assert by_get["count"] == 1 and by_get["facets"]["license_id"] == {"odbl-1.0": 1}
    [organization] = ckan.action.organization_list(all_fields=True)
    assert organization["package_count"] == 2
    assert ckan.action.group_list() == ["educ", "soci"]
    assert "cinéma" in ckan.action.tag_list()
    assert {lic["id"] for lic in ckan.action.license_list()} >= {"etalab-2.0", "odbl-1.0"}

    with pytest.raises(NotFound):
        ckan.action.package_show(id="barometre")
    with pytest.raises(ValidationError) as invalid:
        ckan.action.package_show()
    assert invalid.value.error_dict["id"] == ["Valeur manquante"]
    with pytest.raises(SearchQueryError):
        ckan.action.package_search(fq="couleur:bleu")
    with pytest.raises(NotAuthorized):
        remote(url_a, apikey="lm_inconnue").action.package_list()

    member = remote(url_a, apikey=key)
    assert member.action.package_show(id="barometre")["private"] is True
    assert member.action.package_search(include_private=True)["count"] == 3
    assert remote(url_b).action.package_list() == ["festival"]
    with pytest.raises(NotFound):
        remote(url_b).action.package_show(id="seances")


def test_ckanapi_pages_the_datastore_and_members_read_their_column(servers, remote):
    """A script pages through 250 records by following ``_links.next``, as CKAN's clients
    do; a members-only column (its planted value) comes only with a member's key, in
    ``datastore_search`` and in the dump; wrong filters are ``ValidationError``."""
    url_a, _url_b, key, resource_id = servers
    ckan = remote(url_a)
    page = ckan.action.datastore_search(resource_id=resource_id, limit=100, sort="numero asc")
    assert page["total"] == ROWS
    assert [f["id"] for f in page["fields"]] == ["_id", "numero", "film", "salle"]
    numbers = []
    while page["records"]:
        numbers += [record["numero"] for record in page["records"]]
        params = dict(parse_qsl(urlsplit(page["_links"]["next"]).query))
        page = ckan.action.datastore_search(**params)
    assert numbers == list(range(1, ROWS + 1))
    filtered = ckan.action.datastore_search(
        resource_id=resource_id, filters={"salle": "Le Clap"}, limit=0
    )
    assert filtered["total"] == ROWS // 2 and filtered["records"] == []
    with pytest.raises(ValidationError) as invalid:
        ckan.action.datastore_search(resource_id=resource_id, filters={"entrees": CANARY})
    assert "filters" in invalid.value.error_dict
    assert str(CANARY) not in str(ckan.action.datastore_search(resource_id=resource_id, limit=300))

    member = remote(url_a, apikey=key)
    seventh = member.action.datastore_search(resource_id=resource_id, filters={"numero": 7})
    assert seventh["records"][0]["entrees"] == CANARY

    dump = f"{url_a}/datastore/dump/{resource_id}"
    public_csv = requests.get(dump, timeout=30).content.decode("utf-8-sig")
    members_csv = requests.get(dump, headers={"Authorization": key}, timeout=30)
    assert str(CANARY) not in public_csv
    rows = list(csv.DictReader(io.StringIO(members_csv.content.decode("utf-8-sig"))))
    assert len(rows) == ROWS and rows[6]["entrees"] == str(CANARY)
    assert members_csv.headers["X-RateLimit-Limit"]
