"""A dataset's data as one table, the same for every output: filters, order, pages, facets,
and what the public may not read left out."""

import pytest

from opendata.access import Audience
from opendata.fields import Field, FieldType
from opendata.models import DatasetAccess
from opendata.query import And, Compare, In, IsNull, Not, Or, Query, Search, Within
from opendata.tables import NotReadable, table_for
from tests.factories import make_dataset

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

FIELDS = [
    Field("nom", "Nom", FieldType.TEXT, facet=True),
    Field("ville", "Ville", FieldType.TEXT, facet=True),
    Field("ecrans", "Écrans", FieldType.INTEGER),
    Field("ouverture", "Ouverture", FieldType.DATE),
    Field("position", "Position", FieldType.GEO_POINT),
    Field("entrees", "Entrées", FieldType.INTEGER, members_only=True),
]
ROWS = [
    {
        "nom": "Le Clap",
        "ville": "Québec",
        "ecrans": 5,
        "ouverture": "1984-05-01",
        "position": (46.78, -71.28),
        "entrees": 120000,
    },
    {
        "nom": "Cinéma Beaubien",
        "ville": "Montréal",
        "ecrans": 5,
        "ouverture": "1937-02-12",
        "position": (45.54, -73.60),
        "entrees": 210000,
    },
    {
        "nom": "Cinéma du Parc",
        "ville": "Montréal",
        "ecrans": 3,
        "ouverture": None,
        "position": (45.51, -73.57),
        "entrees": 99999,
    },
    {
        "nom": "La Maison du cinéma",
        "ville": "Sherbrooke",
        "ecrans": 9,
        "ouverture": "1990-01-01",
        "position": None,
        "entrees": None,
    },
]
MEMBERS = Audience(site_id=0, members=True)
PUBLIC = Audience(site_id=0)


@pytest.fixture
def dataset(org_a):
    return make_dataset(org_a.data, "Salles", fields=FIELDS, rows=ROWS)


def names(records):
    return [r["nom"] for r in records]


QUERIES = [
    (Compare("ville", "=", "Montréal"), {"Cinéma Beaubien", "Cinéma du Parc"}),
    (Compare("ecrans", ">=", 5), {"Le Clap", "Cinéma Beaubien", "La Maison du cinéma"}),
    (And((Compare("ecrans", "=", 5), Compare("ville", "!=", "Québec"))), {"Cinéma Beaubien"}),
    (
        Or((Compare("ville", "=", "Québec"), Compare("ecrans", "<", 4))),
        {"Le Clap", "Cinéma du Parc"},
    ),
    (Not(Compare("ville", "=", "Montréal")), {"Le Clap", "La Maison du cinéma"}),
    (In("ville", ("Québec", "Sherbrooke")), {"Le Clap", "La Maison du cinéma"}),
    (IsNull("ouverture"), {"Cinéma du Parc"}),
    (IsNull("position", negated=True), {"Le Clap", "Cinéma Beaubien", "Cinéma du Parc"}),
    (Compare("ouverture", "<", "1985-01-01"), {"Le Clap", "Cinéma Beaubien"}),
    (Search("cinema montreal"), {"Cinéma Beaubien", "Cinéma du Parc"}),
    (Search("QUEBEC", field="ville"), {"Le Clap"}),
    (
        Within("position", lon=-73.58, lat=45.52, meters=5_000),
        {"Cinéma Beaubien", "Cinéma du Parc"},
    ),
]


@pytest.mark.parametrize(("where", "expected"), QUERIES)
def test_uploaded_table_finds_what_the_query_says(dataset, where, expected):
    """A visitor's filter finds exactly the rows it describes (accents and case ignored in
    searches, distances in meters): the database answers as the records say."""
    table = table_for(dataset, PUBLIC)
    assert set(names(table.records(Query(where=where)))) == expected
    assert table.count(where) == len(expected)


def test_order_and_pages(dataset):
    """Sorted by a column (empty cells last either way), then paged: each page continues the
    previous one."""
    table = table_for(dataset, PUBLIC)
    by_date = table.records(Query(order_by=(("ouverture", False),)))
    assert names(by_date) == ["Cinéma Beaubien", "Le Clap", "La Maison du cinéma", "Cinéma du Parc"]
    newest = table.records(Query(order_by=(("ouverture", True),), limit=2, offset=1))
    assert names(newest) == ["Le Clap", "Cinéma Beaubien"]


def test_members_column_is_left_out_for_the_public(dataset):
    """The public's table has no admissions column: not in the records, not filterable, not
    found by a search of its value; members read it."""
    public = table_for(dataset, PUBLIC)
    assert "entrees" not in public.names
    assert all("entrees" not in record for record in public.iterate())
    assert public.count(Search("99999")) == 0
    members = table_for(dataset, MEMBERS)
    assert members.count(Search("99999")) == 1
    assert (
        members.records(Query(where=Compare("entrees", ">", 150000)))[0]["nom"] == "Cinéma Beaubien"
    )


def test_members_only_dataset_is_not_readable_by_the_public(org_a):
    dataset = make_dataset(
        org_a.data, "Baromètre", fields=FIELDS, rows=ROWS, access=DatasetAccess.MEMBERS
    )
    with pytest.raises(NotReadable):
        table_for(dataset, PUBLIC)
    assert table_for(dataset, MEMBERS).count() == 4


def test_facets_count_the_matching_rows(dataset):
    table = table_for(dataset, PUBLIC)
    facets = table.facets(where=Compare("ecrans", ">", 3))
    assert facets["ville"] == [("Montréal", 1), ("Québec", 1), ("Sherbrooke", 1)]
    assert table.facets()["ville"][0] == ("Montréal", 2)


def test_record_by_id_and_reupload_keeps_the_dataset(dataset):
    """A record is found by its id; a new upload replaces the rows and keeps the dataset's
    identifiers."""
    from opendata.uploads import store_table

    table = table_for(dataset, PUBLIC)
    first = table.records(Query(limit=1))[0]
    assert table.record(first["_id"])["nom"] == "Le Clap"
    ids = (dataset.dataset_id, dataset.package_uuid, dataset.resource_uuid)
    store_table(dataset, FIELDS[:2], [{"nom": "Nouveau", "ville": "Rimouski"}])
    dataset.refresh_from_db()
    assert (dataset.dataset_id, dataset.package_uuid, dataset.resource_uuid) == ids
    table = table_for(dataset, PUBLIC)
    assert names(table.records(Query())) == ["Nouveau"]
    assert table.names == ["nom", "ville"]
