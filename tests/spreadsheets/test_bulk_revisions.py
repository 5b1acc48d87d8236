"""Bulk page writes give each page its own revision, whatever order the database hands the new
revision ids back in: otherwise an imported person's page would show — and publish — another
person's name and biography."""

import pytest
from django.db import transaction
from wagtail.models import Revision

from crm_blocks.models import PersonPage
from spreadsheets import bulk
from spreadsheets.bulk import pages_bulk_create, pages_bulk_update
from tests.factories import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture
def revisions_returned_backwards(monkeypatch):
    """``RETURNING`` promises no order: hand the revision rows back reversed."""
    insert_rows = bulk.insert_rows

    def reversed_for_revisions(model, objs, **kwargs):
        rows = insert_rows(model, objs, **kwargs)
        return rows[::-1] if model is Revision else rows

    monkeypatch.setattr(bulk, "insert_rows", reversed_for_revisions)


def new_person(title):
    given, _, family = title.partition(" ")
    return PersonPage(title=title, given_name=given, family_name=family)


def assert_each_page_has_its_own_revisions(pages, *, published):
    for page in pages:
        stored = PersonPage.objects.get(pk=page.pk)
        for revision_id in (page.latest_revision_id, stored.latest_revision_id):
            revision = Revision.objects.get(pk=revision_id)
            assert revision.object_id == str(page.pk)
            assert revision.content["title"] == page.title
        if published:
            assert stored.live_revision_id == stored.latest_revision_id


@pytest.mark.parametrize("publish", [False, True], ids=["drafts", "published"])
def test_new_pages_point_at_their_own_revision(org_a, crm_a, revisions_returned_backwards, publish):
    pages = [new_person(f"Personne{n} Gagnon") for n in range(3)]
    with transaction.atomic():
        pages_bulk_create(parent=org_a.people_index, pages=pages, user=crm_a, publish=publish)
    assert_each_page_has_its_own_revisions(pages, published=publish)


@pytest.mark.parametrize("publish", [False, True], ids=["drafts", "published"])
def test_updated_pages_point_at_their_own_revision(
    org_a, crm_a, revisions_returned_backwards, publish
):
    pages = []
    for n in range(3):
        page = make_person(org_a.people_index, f"Personne{n} Roy", publish=True)
        page = PersonPage.objects.get(pk=page.pk)
        page.title = f"{page.title} (modifié)"
        pages.append(page)
    with transaction.atomic():
        pages_bulk_update(pages=pages, user=crm_a, publish=publish)
    assert_each_page_has_its_own_revisions(pages, published=publish)
    live_titles = sorted(
        PersonPage.objects.filter(pk__in=[p.pk for p in pages]).values_list("title", flat=True)
    )
    expected = sorted(p.title for p in pages) if publish else [f"Personne{n} Roy" for n in range(3)]
    assert live_titles == expected


def test_a_page_given_twice_is_refused(org_a, crm_a):
    page = PersonPage.objects.get(pk=make_person(org_a.people_index, "Marie Roy").pk)
    with pytest.raises(ValueError, match="once"), transaction.atomic():
        pages_bulk_update(pages=[page, page], user=crm_a)
