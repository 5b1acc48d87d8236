"""The bit of Solr's syntax that CKAN clients write ``q`` and ``fq`` in: what they write finds
what they mean, and whatever they mistype is a « Search Query Error » naming the place, never
a server error."""

import datetime as dt

import pytest

from opendata.api.ckan import DATE_FIELDS, SEARCH_FIELDS
from opendata.api.ckan_query import SearchQueryError, matches, parse, words

MODIFIED = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
ENTRY = {
    None: words("Salles de cinéma : écrans, fauteuils et séances"),
    "title": words("Salles de cinéma"),
    "tags": ["cinema", "salles"],
    "groups": ["educ"],
    "license_id": ["etalab-2.0"],
    "metadata_modified": [MODIFIED],
}


def found(text: str) -> bool:
    tree = parse(text, SEARCH_FIELDS, DATE_FIELDS)
    return matches(tree, lambda name: ENTRY.get(name, []))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", True),
        ("*:*", True),
        ("cinéma", True),
        ("CINEMA écrans", True),
        ("cinéma opéra", False),
        ('"salles de cinema"', True),
        ('"cinema de salles"', False),
        ("fauteuil*", True),
        ("title:salles", True),
        ("title:écrans", False),
        ("tags:cinéma", True),
        ("tags:cin*", True),
        ("tags:opera OR tags:salles", True),
        ("tags:(opera OR salles)", True),
        ("tags:cinema AND -tags:salles", False),
        ("tags:cinema NOT groups:soci", True),
        ("+groups:educ +license_id:etalab-2.0", True),
        ("(tags:opera OR groups:educ) AND license_id:odbl-1.0", False),
        ("metadata_modified:[2026-01-01T00:00:00Z TO *]", True),
        ("metadata_modified:[* TO 2026-03-01T12:00:00Z]", True),
        ("metadata_modified:{* TO 2026-03-01T12:00:00Z}", False),
        ("metadata_modified:[NOW+1DAY TO *]", False),
        ("metadata_modified:[* TO NOW-1HOUR]", True),
        ("tags:*", True),
        ("groups:*", True),
        ("notes:*", False),
    ],
)
def test_queries_find_what_they_say(text, expected):
    """Words (accents and case ignored), phrases, prefixes, fields, ranges of dates, AND, OR,
    NOT and parentheses, as harvesters send them."""
    assert found(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "couleur:bleu",
        "tags:",
        "*:",
        "*:x",
        "(",
        "tags:(a",
        "a OR",
        "NOT",
        '"cinéma',
        "metadata_modified:[hier TO *]",
        "metadata_modified:[2026-01-01",
        "tags:[a b]",
        ")",
    ],
)
def test_malformed_queries_are_search_query_errors(text):
    """A mistyped query is refused with a message saying where, not answered by a crash."""
    with pytest.raises(SearchQueryError) as refused:
        found(text)
    assert "«" in str(refused.value)
