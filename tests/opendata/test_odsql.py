"""ODSQL as Explore clients write it, read into the query tree: what a partner's dashboard
filters, sorts and groups by is what it gets, and a malformed query is told where it breaks
instead of failing the server."""

import random

import pytest

from opendata.fields import Field, FieldType
from opendata.odsql import (
    GroupItem,
    Selection,
    SelectItem,
    aggregate,
    parse_order_by,
    parse_selection,
    parse_where,
)
from opendata.query import And, Compare, In, IsNull, Not, Or, Prefix, QueryError, Search, Within

FIELDS = (
    Field("nom", "Nom"),
    Field("ville", "Ville", facet=True),
    Field("ecrans", "Écrans", FieldType.INTEGER),
    Field("tarif", "Tarif", FieldType.DECIMAL),
    Field("ouverture", "Ouverture", FieldType.DATE),
    Field("seance", "Séance", FieldType.DATETIME),
    Field("accessible", "Accessible", FieldType.BOOLEAN),
    Field("position", "Position", FieldType.GEO_POINT),
    Field("nom-court", "Nom court"),
)

WHERE = [
    ('ville = "Montréal"', Compare("ville", "=", "Montréal")),
    ("ville='Québec'", Compare("ville", "=", "Québec")),
    ("ecrans != 5", Compare("ecrans", "!=", 5)),
    ("ecrans >= 5", Compare("ecrans", ">=", 5)),
    ("ecrans < -2", Compare("ecrans", "<", -2)),
    ("tarif <= 9.5", Compare("tarif", "<=", 9.5)),
    ("ecrans > 4.5", Compare("ecrans", ">", 4.5)),
    ("ouverture > date'1980-05-01'", Compare("ouverture", ">", "1980-05-01")),
    ("ouverture >= date'1980'", Compare("ouverture", ">=", "1980-01-01")),
    ("ouverture < date'1980/05/01'", Compare("ouverture", "<", "1980-05-01")),
    (
        "seance >= date'2024-03-01T10:30'",
        Compare("seance", ">=", "2024-03-01T10:30:00+00:00"),
    ),
    (
        'ecrans > 2 AND ville = "Montréal" OR accessible',
        Or(
            (
                And((Compare("ecrans", ">", 2), Compare("ville", "=", "Montréal"))),
                Compare("accessible", "=", True),
            )
        ),
    ),
    (
        'ecrans > 2 and (ville = "Montréal" or accessible is false)',
        And(
            (
                Compare("ecrans", ">", 2),
                Or((Compare("ville", "=", "Montréal"), Compare("accessible", "=", False))),
            )
        ),
    ),
    ('NOT ville = "Québec"', Not(Compare("ville", "=", "Québec"))),
    ("ville IN (\"Québec\", 'Sherbrooke')", In("ville", ("Québec", "Sherbrooke"))),
    ("ecrans in (3, 5)", In("ecrans", (3, 5))),
    ("ouverture IS NULL", IsNull("ouverture")),
    ("ouverture is not null", IsNull("ouverture", negated=True)),
    ("accessible", Compare("accessible", "=", True)),
    ('"cinéma parc"', Search("cinéma parc")),
    ('"ciné*"', Search("ciné ")),
    ('search(nom, "clap")', Search("clap", "nom")),
    ('search("clap")', Search("clap")),
    ('search(*, "clap")', Search("clap")),
    ('nom LIKE "maison"', Search("maison", "nom")),
    ('startswith(nom, "Le ")', Prefix("nom", "Le ")),
    (
        "within_distance(position, geom'POINT(-73.6 45.5)', 10km)",
        Within("position", -73.6, 45.5, 10_000.0),
    ),
    (
        "within_distance(position, geom'POINT(-73.6 45.5)', 500m)",
        Within("position", -73.6, 45.5, 500.0),
    ),
    (
        'within_distance(position, geom\'{"type": "Point", "coordinates": [2.35, 48.85]}\', 1km)',
        Within("position", 2.35, 48.85, 1000.0),
    ),
    ('`nom-court` = "Clap"', Compare("nom-court", "=", "Clap")),
    ('nom = "and"', Compare("nom", "=", "and")),
]


@pytest.mark.parametrize(("text", "expected"), WHERE, ids=[text for text, _e in WHERE])
def test_where_clauses_become_the_query_tree(text, expected):
    """Each ODSQL construct a client sends filters the records the way Opendatasoft's
    documentation says it does."""
    assert parse_where(text, FIELDS) == expected


def test_keywords_are_case_insensitive():
    """``AND``, ``and`` and ``And`` are the same keyword, as in Opendatasoft's language."""
    expected = parse_where("ecrans > 2 and accessible", FIELDS)
    assert parse_where("ecrans > 2 AND accessible", FIELDS) == expected
    assert parse_where("ecrans>2 And accessible", FIELDS) == expected


MALFORMED = [
    # (query, position of the fault)
    ("ville =", 7),
    ("ville = = 3", 8),
    ('ville = "sans fin', 8),
    ("(ecrans > 2", 11),
    ("ecrans > 2)", 10),
    ("ville in ()", 10),
    ("ecrans >> 2", 8),
    ("&& ecrans", 0),
]


@pytest.mark.parametrize(("text", "position"), MALFORMED, ids=[t for t, _p in MALFORMED])
def test_malformed_where_says_where_it_breaks(text, position):
    """A broken query is refused with the character offset of the fault, in the message too
    (what Opendatasoft's clients show their users)."""
    with pytest.raises(QueryError) as caught:
        parse_where(text, FIELDS)
    assert caught.value.position == position
    assert str(position) in caught.value.message
    assert "where" in caught.value.message


INVALID = [
    ("inconnu = 3", "unknown_field", 0),
    ('ecrans > "beaucoup"', "invalid_value", 9),
    ("ouverture > date'1980-13-45'", "invalid_value", 12),
    ("position = 3", "invalid_value", 11),
    ("nom", "invalid", 0),
    ("frobnicate(nom)", "unknown_function", 0),
    ("within_distance(nom, geom'POINT(1 2)', 1km)", "invalid", 16),
    ("within_distance(position, geom'POINT(500 2)', 1km)", "invalid_value", 26),
    ('startswith("Le", nom)', "invalid", 0),
]


@pytest.mark.parametrize(("text", "code", "position"), INVALID, ids=[t for t, *_r in INVALID])
def test_well_formed_but_wrong_queries_are_refused_with_their_position(text, code, position):
    """Unknown fields, values of the wrong type, functions on the wrong field: refused with
    what is wrong and where."""
    with pytest.raises(QueryError) as caught:
        parse_where(text, FIELDS)
    assert caught.value.code == code
    assert caught.value.position == position


def test_a_hidden_column_is_an_unknown_field_in_every_clause():
    """The public's fields lack the members-only column: filtering, selecting, grouping or
    sorting by it is refused as an unknown field, as if it did not exist."""
    public = tuple(f for f in FIELDS if f.name != "tarif")
    for call in (
        lambda: parse_where("tarif > 3", public),
        lambda: parse_where('search(tarif, "3")', public),
        lambda: parse_selection(public, select="tarif"),
        lambda: parse_selection(public, select="sum(tarif)"),
        lambda: parse_selection(public, group_by="tarif"),
        lambda: parse_order_by("tarif desc", public),
    ):
        with pytest.raises(QueryError) as caught:
            call()
        assert caught.value.code == "unknown_field"
        assert "tarif" in caught.value.message


def test_select_group_by_and_order_by_are_read_together():
    """Labels name the results; an aggregate written in ``order_by`` stands for its label."""
    selection = parse_selection(
        FIELDS,
        select="ville as ville_nom, count(*) as n, avg(tarif)",
        group_by="ville as ville_nom",
        order_by="count(*) desc, ville_nom",
    )
    assert selection == Selection(
        items=(
            SelectItem("field", "ville", "ville_nom"),
            SelectItem("count", None, "n"),
            SelectItem("avg", "tarif", "avg(tarif)"),
        ),
        group_by=(GroupItem("ville", "ville_nom"),),
        order_by=(("n", True), ("ville_nom", False)),
    )
    plain = parse_selection(FIELDS, select="nom as name, ecrans", order_by="ecrans DESC, nom")
    assert not plain.aggregated
    assert plain.order_by == (("ecrans", True), ("nom", False))


@pytest.mark.parametrize(
    ("select", "group_by", "order_by"),
    [
        ("nom, count(*)", None, None),  # a field beside aggregates, not grouped
        ("sum(nom)", None, None),  # a sum of text
        ("sum(*)", None, None),
        ("median(ecrans)", None, None),
        ("nom as a, ville as a", None, None),
        (None, "ville", "nom"),  # ordering groups by what is not a result
        (None, None, "position"),  # points cannot be sorted
        (None, None, "count(*)"),  # an aggregate without aggregation
        ("*, nom", "ville", None),
    ],
)
def test_inconsistent_selections_are_refused(select, group_by, order_by):
    """Selections Opendatasoft refuses are refused here too, with a message, not a crash."""
    with pytest.raises(QueryError):
        parse_selection(FIELDS, select=select, group_by=group_by, order_by=order_by)


def test_aggregate_counts_sums_and_orders_groups():
    """Grouped results: one row per value (empty cells a group of their own), aggregates over
    non-empty cells, ordered as asked."""
    records = [
        {"ville": "Montréal", "ecrans": 5, "tarif": 10.0},
        {"ville": "Montréal", "ecrans": 3, "tarif": None},
        {"ville": "Québec", "ecrans": 5, "tarif": 8.0},
        {"ville": None, "ecrans": 9, "tarif": 12.0},
    ]
    selection = parse_selection(
        FIELDS,
        select="ville, count(*) as n, sum(ecrans) as total, avg(tarif), max(ecrans)",
        group_by="ville",
        order_by="n desc, ville",
    )
    assert aggregate(iter(records), selection) == [
        {"ville": "Montréal", "n": 2, "total": 8, "avg(tarif)": 10.0, "max(ecrans)": 5},
        {"ville": "Québec", "n": 1, "total": 5, "avg(tarif)": 8.0, "max(ecrans)": 5},
        {"ville": None, "n": 1, "total": 9, "avg(tarif)": 12.0, "max(ecrans)": 9},
    ]
    whole = parse_selection(FIELDS, select="count(*), min(ouverture)")
    assert aggregate(iter([]), whole) == [{"count(*)": 0, "min(ouverture)": None}]


JUNK_ALPHABET = "abcdeINOTANDOR()'\"`=<>!*,.:;-_ 0123456789\\/[]{}éç%$#@\t\n"


def test_random_junk_is_refused_or_read_never_crashes():
    """Whatever a client sends, the parser answers a tree or a positioned QueryError: a
    seeded fuzz of random strings (and their mutations of real queries)."""
    rng = random.Random(1313)
    seeds = [text for text, _expected in WHERE]
    refused = 0
    for _n in range(300):
        if rng.random() < 0.5:
            text = "".join(rng.choice(JUNK_ALPHABET) for _ in range(rng.randint(1, 40)))
        else:
            text = list(rng.choice(seeds))
            for _edit in range(rng.randint(1, 4)):
                text.insert(rng.randrange(len(text) + 1), rng.choice(JUNK_ALPHABET))
            text = "".join(text)
        for clause in ("where", "select", "group_by", "order_by"):
            try:
                if clause == "where":
                    parse_where(text, FIELDS)
                else:
                    parse_selection(FIELDS, **{clause: text})
            except QueryError as error:
                refused += 1
                assert error.message
                assert error.position is None or 0 <= error.position <= len(text)
    assert refused > 500  # most junk is refused (and none of it crashed)


def test_deep_nesting_and_huge_queries_are_refused():
    """A query built to exhaust the server (thousands of parentheses, megabytes of text) is
    refused like any malformed one."""
    with pytest.raises(QueryError):
        parse_where("(" * 5000 + "accessible" + ")" * 5000, FIELDS)
    with pytest.raises(QueryError):
        parse_where('nom = "' + "x" * 20_000 + '"', FIELDS)
