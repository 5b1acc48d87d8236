"""Creating a record whose name is near-identical to an existing one warns staff before they make
a duplicate. The warning must still find the real near-duplicate among many namesakes (every
other person in Quebec is a Tremblay), and must cost the same in a large CRM as in a small one:
the page editor calls it on every new record."""

import difflib
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm_blocks.models import Contact, OrganizationPage, PersonPage, contacts
from crm_blocks.models.contacts import SIMILAR_NAME_CANDIDATES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def similar_records(*, site, kind, name):
    """What the page editor's form asks (``RecordPageMixin.clean_private_form``)."""
    page_model = {"person": PersonPage, "organization": OrganizationPage}[kind]
    records = Contact.objects.for_site(site).filter(kind=kind)
    return records.pages_with_similar_name(name, page_model)


FIRST_NAMES = ["Alice", "Annie", "Marie", "Sarah", "Chloé", "Julie", "Laura", "Louis", "Simon"]


def add_people(index, count):
    """``count`` namesakes: same family name, first names as long as Élise's."""
    for first in itertools.islice(itertools.cycle(FIRST_NAMES), count):
        index.add_child(
            instance=PersonPage(title=f"{first} Tremblay", given_name=first, family_name="Tremblay")
        )


def titles(pages):
    return sorted(page.title for page in pages)


@pytest.fixture
def comparisons(monkeypatch):
    """How many names are compared letter by letter."""
    count = {"n": 0}
    matcher = difflib.SequenceMatcher

    def counting(*args, **kwargs):
        count["n"] += 1
        return matcher(*args, **kwargs)

    monkeypatch.setattr(contacts.difflib, "SequenceMatcher", counting)
    return count


def test_the_near_duplicate_is_found_among_many_namesakes(org_a):
    index = org_a.people_index
    add_people(index, 2 * SIMILAR_NAME_CANDIDATES)
    index.add_child(  # created last: a search that stopped at the first records would miss it
        instance=PersonPage(title="Élise Tremblay", given_name="Élise", family_name="Tremblay")
    )
    for typed in ["elise  TREMBLAY", "Élyse Tremblay", "Tremblay, Élise", "Elise Tremblai"]:
        assert titles(similar_records(site=org_a, kind="person", name=typed)) == [
            "Élise Tremblay"
        ], typed
    assert similar_records(site=org_a, kind="person", name="Gabrielle Roy") == []


def test_an_organization_with_a_typo_in_its_one_word_name_is_found(org_a):
    index = org_a.organizations_index
    for n in range(30):
        index.add_child(instance=OrganizationPage(title=f"Cinéma {n}", kind="cinema"))
    index.add_child(instance=OrganizationPage(title="Paraloeil", kind="cinema"))
    found = similar_records(site=org_a, kind="organization", name="Paraloueil")
    assert titles(found) == ["Paraloeil"]


def test_the_warning_costs_the_same_in_a_small_and_a_large_crm(org_a, comparisons):
    index = org_a.people_index
    index.add_child(
        instance=PersonPage(title="Élise Tremblay", given_name="Élise", family_name="Tremblay")
    )

    def cost():
        comparisons["n"] = 0
        with CaptureQueriesContext(connection) as queries:
            found = similar_records(site=org_a, kind="person", name="Élyse Tremblay")
        assert titles(found) == ["Élise Tremblay"]
        return len(queries), comparisons["n"]

    add_people(index, 10)
    small_queries, _small_comparisons = cost()
    add_people(index, 3 * SIMILAR_NAME_CANDIDATES)
    large_queries, large_comparisons = cost()
    assert large_queries == small_queries == 2
    assert large_comparisons <= SIMILAR_NAME_CANDIDATES
