"""Bulk page writes: an import of thousands of records leaves the page tree, revisions, history,
search, references and private Contacts exactly as Wagtail's one-by-one path would — only
faster. Each comparison runs Wagtail's own path in a rolled-back savepoint, then the bulk path
from the same starting point, and compares what is stored, field by field. Long because every
Wagtail invariant the bulk path keeps has its comparison here, next to the shared comparer."""

import json
import uuid
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.actions.publish_page_revision import PublishPagePermissionError
from wagtail.fields import StreamField
from wagtail.models import Comment, Page, PageLogEntry, ReferenceIndex, Revision
from wagtail.search.models import IndexEntry

from crm_blocks.models import (
    Contact,
    OrganizationPage,
    PersonLink,
    PersonPage,
    PersonRole,
)
from organizations.models import OrganizationKind
from spreadsheets.bulk import (
    PageValidationError,
    pages_bulk_create,
    pages_bulk_update,
)
from tests.factories import make_image, make_organization_page, make_person

# Its tests that commit are in test_bulk_pages_commits.py: this module shares a house.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture(autouse=True)
def without_the_consent_gate(db):
    """This module compares the bulk path with Wagtail's own publishing, page by page: the
    people's consent to a public profile, which ``PersonPage.publish`` checks (see
    tests/privacy/test_consent_gate.py), is no part of that comparison."""
    from wagtail.models import Site

    from privacy.models import PrivacySettings

    for site in Site.objects.all():
        PrivacySettings.objects.update_or_create(
            site=site, defaults={"public_profile_consent_required": False}
        )

#: Values that differ between two runs of the same writes: ids and clocks.
VOLATILE_KEYS = {
    "pk",
    "id",
    "page",
    "page_ptr",
    "first_published_at",
    "last_published_at",
    "latest_revision_created_at",
    "created_at",
    "timestamp",
    "created",
    "updated_at",
}


def bio(text: str) -> str:
    return f'[{{"type": "text", "value": {{"text": "<p>{text}</p>"}}}}]'


def new_person(title, n=0, **fields):
    """An unsaved person as an importer builds it; the key is fixed so that two runs of the
    same import can be compared record by record."""
    given, _, family = title.partition(" ")
    fields.setdefault("bio", bio(f"Biographie de {title}, cinéaste numéro {n}."))
    return PersonPage(
        title=title,
        given_name=given,
        family_name=family,
        summary=f"Résumé {n}",
        translation_key=uuid.uuid5(uuid.NAMESPACE_URL, f"{title}/{n}"),
        **fields,
    )


def people_batch(count, photo=None, family="Tremblay"):
    """People with a link, one or two roles and, one in two, a photo."""
    roles = list(PersonRole.objects.filter(code__in=["filmmaker", "artist"]).order_by("code"))
    people = []
    for n in range(count):
        person = new_person(f"Personne{n:03d} {family}", n, photo=photo if n % 2 else None)
        person.links = [PersonLink(url=f"https://example.org/{n}", label="Portfolio")]
        person.roles = roles[: 1 + n % 2]
        people.append(person)
    return people


def fresh(page) -> Page:
    return Page.objects.get(pk=page.pk)


def wagtail_one_by_one(parent, pages, *, user=None, publish=False):
    """The reference: what Wagtail (and the importer, before this module) does per page."""
    for page in pages:
        if user is not None:
            page.owner = user
        page.live = False
        parent.add_child(instance=page)
        revision = page.save_revision(user=user, log_action=True)
        if publish:
            revision.publish(user=user)
    return pages


def normalise(value):
    """Revision content and log data without ids and clocks."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, str) and value.startswith("[{"):  # a StreamField, block ids and all
        return normalise(json.loads(value))
    return value


def children_state(parent, model=PersonPage) -> dict:
    """Everything stored about the parent's children, keyed by tree path."""
    parent = fresh(parent)
    state = {"parent_numchild": parent.numchild, "problems": Page.find_problems()}
    model_ct = ContentType.objects.get_for_model(model)
    page_ct = ContentType.objects.get_for_model(Page)
    streams = [f for f in model._meta.concrete_fields if isinstance(f, StreamField)]
    fields = [
        f.attname
        for f in model._meta.concrete_fields
        if f.attname not in {"id", "page_ptr_id"} | {f"{k}" for k in VOLATILE_KEYS}
    ]
    for row in model.objects.child_of(parent).values(*fields, "pk").order_by("path"):
        pk = row.pop("pk")
        for stream in streams:
            row[stream.attname] = normalise(stream.get_prep_value(row[stream.attname]))
        revisions = list(
            Revision.objects.filter(base_content_type=page_ct, object_id=str(pk)).order_by(
                "created_at", "pk"
            )
        )
        latest, live = row.pop("latest_revision_id"), row.pop("live_revision_id")
        row["latest_revision_is_last"] = latest == revisions[-1].pk if revisions else latest
        row["live_revision"] = None if live is None else [r.pk for r in revisions].index(live) + 1
        row["revisions"] = [
            (
                r.content_type_id,
                r.base_content_type_id,
                r.user_id,
                r.object_str,
                r.approved_go_live_at,
                normalise(r.content),
            )
            for r in revisions
        ]
        row["log"] = [
            (
                e.action,
                e.label,
                normalise(e.data),
                e.content_type_id,
                e.user_id,
                [r.pk for r in revisions].index(e.revision_id) + 1 if e.revision_id else None,
                e.content_changed,
                e.deleted,
                e.uuid,
            )
            for e in PageLogEntry.objects.filter(page_id=pk).order_by("timestamp", "pk")
        ]
        row["references"] = sorted(
            ReferenceIndex.objects.filter(base_content_type=page_ct, object_id=str(pk)).values_list(
                "content_type_id",
                "base_content_type_id",
                "to_content_type_id",
                "to_object_id",
                "model_path",
                "content_path",
                "content_path_hash",
            )
        )
        row["search"] = list(
            IndexEntry.objects.filter(content_type=model_ct, object_id=str(pk)).values_list(
                "title", "autocomplete", "body"
            )
        )
        if model is PersonPage:
            row["links"] = list(
                PersonLink.objects.filter(page_id=pk).values_list("sort_order", "url", "label")
            )
            row["roles"] = sorted(
                PersonPage.objects.get(pk=pk).roles.values_list("code", flat=True)
            )
        row["comments"] = sorted(
            Comment.objects.filter(page_id=pk).values_list("text", "resolved_at")
        )
        row["contact"] = list(
            Contact.objects.filter(translation_key=row["translation_key"]).values_list(
                "site_id", "kind"
            )
        )
        state[row.pop("path")] = row
    return state


class _Undo(Exception):
    def __init__(self, state):
        self.state = state


def state_after_then_undo(write, parent, model=PersonPage) -> dict:
    """Run ``write`` in a savepoint, read the resulting state, then roll it back."""
    try:
        with transaction.atomic():
            write()
            raise _Undo(children_state(parent, model))
    except _Undo as undo:
        return undo.state


def differences(got, expected, where=()):
    """The paths at which two nested structures differ, with both values."""
    if isinstance(got, dict) and isinstance(expected, dict):
        found = []
        for key in got.keys() | expected.keys():
            found += differences(
                got.get(key, "<absent>"), expected.get(key, "<absent>"), (*where, key)
            )
        return found
    if isinstance(got, list | tuple) and isinstance(expected, list | tuple):
        if len(got) != len(expected):
            return [(where, f"{len(got)} items", f"{len(expected)} items")]
        found = []
        for n, (a, b) in enumerate(zip(got, expected, strict=True)):
            found += differences(a, b, (*where, n))
        return found
    return [] if got == expected else [(where, got, expected)]


def assert_same_state(bulk, wagtail):
    assert differences(bulk, wagtail) == []


# --- creation: the same result as Wagtail's own path -------------------------------------------


@pytest.mark.parametrize("publish", [False, True], ids=["drafts", "published"])
def test_bulk_creation_stores_what_add_child_and_save_revision_store(org_a, crm_a, publish):
    index = org_a.people_index
    make_person(index, "Élise Tremblay")  # the new pages go after an existing child
    photo = make_image("Portrait")

    def wagtail():
        wagtail_one_by_one(fresh(index), people_batch(4, photo), user=crm_a, publish=publish)

    def bulk():
        with transaction.atomic():
            pages_bulk_create(
                parent=fresh(index), pages=people_batch(4, photo), user=crm_a, publish=publish
            )

    expected = state_after_then_undo(wagtail, index)
    got = state_after_then_undo(bulk, index)
    assert_same_state(got, expected)
    # The comparison is not vacuous: four new records, with their revision, history and index.
    new = [row for key, row in got.items() if isinstance(row, dict) and row["revisions"]]
    assert len(new) == 5
    assert all(row["search"] and row["contact"] for row in new)
    assert all(row["live"] is publish for row in new[1:])
    assert [len(row["log"]) for row in new[1:]] == [3 if publish else 2] * 4
    assert any(row["references"] for row in new[1:])  # the photo


def test_a_scheduled_publication_is_left_to_wagtail_and_matches(org_a, crm_a):
    index = org_a.people_index
    later = timezone.now() + timedelta(days=3)

    def batch():
        pages = people_batch(3)
        pages[1].go_live_at = later
        return pages

    def wagtail():
        wagtail_one_by_one(fresh(index), batch(), user=crm_a, publish=True)

    def bulk():
        pages_bulk_create(parent=fresh(index), pages=batch(), user=crm_a, publish=True)

    expected = state_after_then_undo(wagtail, index)
    got = state_after_then_undo(bulk, index)
    assert_same_state(got, expected)
    scheduled = [row for row in got.values() if isinstance(row, dict) and not row["live"]]
    assert len(scheduled) == 1
    assert scheduled[0]["revisions"][0][4] == later


def test_organizations_too_including_their_sort_name(org_a, crm_a):
    index = org_a.organizations_index
    make_organization_page(index, "Productions du Nord")

    def batch():
        return [
            OrganizationPage(
                title=title,
                kind=OrganizationKind.CINEMA,
                summary="Salle de quartier.",
                locality="Rimouski",
                description=bio(f"Le {title} projette du cinéma d'auteur."),
                translation_key=uuid.uuid5(uuid.NAMESPACE_URL, f"{title}/{n}"),
            )
            for n, title in enumerate(["Cinéma Paraloeil", "Éden Cinéma", "Cinéma Paraloeil"])
        ]

    def wagtail():
        wagtail_one_by_one(fresh(index), batch(), user=crm_a, publish=True)

    def bulk():
        pages_bulk_create(parent=fresh(index), pages=batch(), user=crm_a, publish=True)

    expected = state_after_then_undo(wagtail, index, OrganizationPage)
    got = state_after_then_undo(bulk, index, OrganizationPage)
    assert_same_state(got, expected)
    rows = [row for row in got.values() if isinstance(row, dict)]
    assert sorted(row["sort_name"] for row in rows)[:2] == ["cinema paraloeil"] * 2
    assert all(row["contact"] == [(org_a.pk, "organization")] for row in rows)


def test_a_page_model_whose_save_computes_fields_must_say_how(org_a, monkeypatch):
    """Without set_derived_fields, PersonPage.sort_name would stay empty and lists would sort
    wrong."""
    monkeypatch.delattr(PersonPage, "set_derived_fields")
    with pytest.raises(TypeError, match="set_derived_fields"), transaction.atomic():
        pages_bulk_create(parent=fresh(org_a.people_index), pages=[new_person("Paul Roy")])


# --- creation: the tree ----------------------------------------------------------------------


def test_the_tree_stays_valid_when_adding_after_existing_children(org_a, crm_a):
    index = org_a.people_index
    existing = [make_person(index, f"Existant {n}") for n in range(3)]
    with transaction.atomic():
        created = pages_bulk_create(
            parent=fresh(index), pages=people_batch(7), user=crm_a, batch_size=3
        )
    assert Page.find_problems() == ([], [], [], [], [])
    children = list(fresh(index).get_children().order_by("path"))
    assert [c.pk for c in children] == [p.pk for p in existing + created]
    assert fresh(index).numchild == 10
    assert all(c.depth == fresh(index).depth + 1 and c.numchild == 0 for c in children)


def test_the_tree_stays_valid_after_a_deletion_between_two_imports(org_a, crm_a):
    index = org_a.people_index
    with transaction.atomic():
        first = pages_bulk_create(parent=fresh(index), pages=people_batch(4), user=crm_a)
    first[-1].delete()  # the last child: its path may be handed out again
    first[1].delete()
    with transaction.atomic():
        second = pages_bulk_create(
            parent=fresh(index),
            pages=[new_person(f"Seconde{n} Vague", n) for n in range(3)],
            user=crm_a,
        )
    assert Page.find_problems() == ([], [], [], [], [])
    assert fresh(index).numchild == 5
    assert second[0].path > first[2].path
    # Wagtail itself can still add a child after a bulk import.
    after = make_person(fresh(index), "Ajout Manuel")
    assert after.path > second[-1].path
    assert Page.find_problems() == ([], [], [], [], [])


def test_a_stale_parent_instance_does_not_collide_with_children_added_since(org_a, crm_a):
    stale = fresh(org_a.people_index)
    make_person(org_a.people_index, "Arrivée Entretemps")
    with transaction.atomic():
        pages_bulk_create(parent=stale, pages=people_batch(2), user=crm_a)
    assert Page.find_problems() == ([], [], [], [], [])
    assert stale.numchild == 3 == fresh(stale).numchild


def test_slugs_are_unique_among_old_and_new_children_and_ascii(org_a, crm_a):
    index = org_a.people_index
    make_person(index, "Marie Roy")
    titles = ["Marie Roy", "Marie Roy", "Marie  Roy !", "Élise Côté", "Zoë Ñúñez"]
    with transaction.atomic():
        pages = pages_bulk_create(
            parent=fresh(index), pages=[new_person(t, n) for n, t in enumerate(titles)]
        )
    assert [p.slug for p in pages] == [
        "marie-roy-2",
        "marie-roy-3",
        "marie-roy-4",
        "elise-cote",
        "zoe-nunez",
    ]
    assert pages[3].url_path == f"{fresh(index).url_path}elise-cote/"


def test_slugs_match_wagtails_own(org_a):
    index = org_a.people_index
    make_person(index, "Marie Roy")
    titles = ["Marie Roy", "Marie-Roy", "Élise Côté", "Élise Côté"]

    def wagtail():
        wagtail_one_by_one(fresh(index), [new_person(t, n) for n, t in enumerate(titles)])

    def bulk():
        pages_bulk_create(
            parent=fresh(index), pages=[new_person(t, n) for n, t in enumerate(titles)]
        )

    assert state_after_then_undo(bulk, index).keys() == state_after_then_undo(wagtail, index).keys()
    slugs = state_after_then_undo(bulk, index)
    assert sorted(row["slug"] for row in slugs.values() if isinstance(row, dict)) == [
        "elise-cote",
        "elise-cote-2",
        "marie-roy",
        "marie-roy-2",
        "marie-roy-3",
    ]


def test_a_given_slug_already_in_use_is_refused(org_a):
    make_person(org_a.people_index, "Marie Roy")
    with pytest.raises(PageValidationError) as error, transaction.atomic():
        pages_bulk_create(
            parent=fresh(org_a.people_index),
            pages=[new_person("Paul Roy"), new_person("Marie Roy", slug="marie-roy")],
        )
    assert error.value.index == 1
    assert "marie-roy" in str(error.value)


# --- errors leave everything as it was ------------------------------------------------------


def tree_rows():
    return list(
        Page.objects.order_by("path").values_list("pk", "path", "depth", "numchild", "url_path")
    )


def test_a_page_without_title_stops_the_import_before_anything_is_written(org_a, crm_a):
    make_person(org_a.people_index, "Élise Tremblay")
    before = tree_rows(), Revision.objects.count(), PageLogEntry.objects.count()
    pages = people_batch(5)
    pages[2].title = ""
    with pytest.raises(PageValidationError) as error, transaction.atomic():
        pages_bulk_create(parent=fresh(org_a.people_index), pages=pages, user=crm_a)
    assert error.value.index == 2
    assert error.value.index == 2 and "title" in error.value.error.message_dict
    assert "page 3" in str(error.value).lower()  # "Page 3 …" / "La page 3 …": the row to fix
    assert (tree_rows(), Revision.objects.count(), PageLogEntry.objects.count()) == before


def test_a_database_error_in_a_later_batch_rolls_back_the_earlier_ones(org_a, crm_a):
    existing = make_person(org_a.people_index, "Élise Tremblay")
    before = tree_rows(), Revision.objects.count(), Contact.objects.count()
    pages = people_batch(5)
    pages[3].translation_key = existing.translation_key  # unique per locale: refused by the DB
    with pytest.raises(IntegrityError), transaction.atomic():
        pages_bulk_create(parent=fresh(org_a.people_index), pages=pages, user=crm_a, batch_size=2)
    assert (tree_rows(), Revision.objects.count(), Contact.objects.count()) == before
    assert Page.find_problems() == ([], [], [], [], [])


def test_publishing_needs_the_publish_permission_as_in_wagtail(org_a, crm_b):
    before = tree_rows()
    with pytest.raises(PublishPagePermissionError), transaction.atomic():
        pages_bulk_create(
            parent=fresh(org_a.people_index), pages=people_batch(2), user=crm_b, publish=True
        )
    assert tree_rows() == before


# --- what visitors and staff see -----------------------------------------------------------


def test_published_pages_are_served_and_drafts_are_not(client, org_a, crm_a):
    with transaction.atomic():
        live = pages_bulk_create(
            parent=fresh(org_a.people_index), pages=people_batch(2), user=crm_a, publish=True
        )
        drafts = pages_bulk_create(
            parent=fresh(org_a.people_index),
            pages=[new_person("Brouillon Secret")],
            user=crm_a,
        )
    for page in live:
        response = client.get(page.url, HTTP_HOST=org_a.hostname)
        assert response.status_code == 200
        assert page.title in response.content.decode()
    assert client.get(drafts[0].url, HTTP_HOST=org_a.hostname).status_code == 404
    listing = client.get(org_a.people_index.url, HTTP_HOST=org_a.hostname).content.decode()
    assert live[0].title in listing and "Brouillon Secret" not in listing


def test_bulk_created_people_are_found_by_search(org_a, crm_a):
    with transaction.atomic():
        pages_bulk_create(
            parent=fresh(org_a.people_index),
            pages=[new_person("Amina Ouellet", bio=bio("Documentariste du Nunavik."))],
            user=crm_a,
        )
    assert [p.title for p in PersonPage.objects.search("Ouellet")] == ["Amina Ouellet"]
    assert [p.title for p in PersonPage.objects.search("Nunavik")] == ["Amina Ouellet"]


def test_references_equal_those_wagtail_would_index(org_a, crm_a):
    photo = make_image("Portrait")
    with transaction.atomic():
        pages = pages_bulk_create(
            parent=fresh(org_a.people_index), pages=people_batch(4, photo), user=crm_a
        )
    stored = {
        p.pk: set(
            ReferenceIndex.get_references_for_object(p).values_list(
                "to_object_id", "model_path", "content_path"
            )
        )
        for p in pages
    }
    for page in pages:
        with transaction.atomic():
            ReferenceIndex.create_or_update_for_object(PersonPage.objects.get(pk=page.pk))
    rebuilt = {
        p.pk: set(
            ReferenceIndex.get_references_for_object(p).values_list(
                "to_object_id", "model_path", "content_path"
            )
        )
        for p in pages
    }
    assert stored == rebuilt
    assert stored[pages[1].pk] == {(str(photo.pk), "photo", "photo")}


def test_an_existing_contact_is_kept_with_its_private_details(org_a, crm_a):
    page = new_person("Élise Tremblay")
    Contact.objects.create(
        site=org_a, kind="person", translation_key=page.translation_key, email="e@example.org"
    )
    with transaction.atomic():
        pages_bulk_create(parent=fresh(org_a.people_index), pages=[page, new_person("Paul Roy")])
    assert Contact.objects.get(translation_key=page.translation_key).email == "e@example.org"
    assert Contact.objects.filter(site=org_a, kind="person").count() == 2


# --- cost ------------------------------------------------------------------------------------


@pytest.mark.parametrize("publish", [False, True], ids=["drafts", "published"])
def test_the_number_of_queries_grows_with_batches_not_with_pages(
    org_a, crm_a, publish, django_assert_max_num_queries
):
    index = org_a.people_index
    make_person(index, "Élise Tremblay")
    photo = make_image("Portrait")

    def queries(count, family, batch_size=500):
        pages = people_batch(count, photo, family=family)  # built before counting
        parent = fresh(index)
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            pages_bulk_create(
                parent=parent, pages=pages, user=crm_a, publish=publish, batch_size=batch_size
            )
        return len(captured)

    queries(1, "Premier")  # caches warmed up (site root paths, content types)
    ten = queries(10, "Dix")
    with django_assert_max_num_queries(ten):
        pages_bulk_create(
            parent=fresh(index),
            pages=people_batch(100, photo, family="Cent"),
            user=crm_a,
            publish=publish,
        )
    one_batch = queries(10, "Autres", batch_size=10)
    per_batch = queries(20, "Vingt", batch_size=10) - one_batch
    assert per_batch < 20
    assert queries(100, "Centaine", batch_size=10) == one_batch + 9 * per_batch
    assert fresh(index).numchild == 1 + 1 + 10 + 100 + 10 + 20 + 100


# --- updates ---------------------------------------------------------------------------------


def edited(pages):
    """The importer's update: the page row, with new content."""
    out = []
    for n, page in enumerate(pages):
        page = PersonPage.objects.get(pk=page.pk)
        page.title = f"{page.title} (modifié)"
        page.summary = f"Nouveau résumé {n}"
        page.bio = bio(f"Nouvelle biographie {n}")
        out.append(page)
    return out


@pytest.mark.parametrize(
    "live_before,publish",
    [(False, False), (True, False), (True, True), (False, True)],
    ids=["draft-of-draft", "draft-of-live", "republish", "first-publish"],
)
def test_bulk_update_stores_what_save_revision_and_publish_store(
    org_a, crm_a, live_before, publish
):
    index = org_a.people_index
    originals = [
        make_person(index, f"Personne{n} Tremblay", publish=live_before, summary="Ancien")
        for n in range(3)
    ]

    def wagtail():
        for page in edited(originals):
            revision = page.save_revision(user=crm_a, log_action=True)
            if publish:
                revision.publish(user=crm_a)

    def bulk():
        pages_bulk_update(pages=edited(originals), user=crm_a, publish=publish)

    expected = state_after_then_undo(wagtail, index)
    got = state_after_then_undo(bulk, index)
    assert_same_state(got, expected)
    rows = [row for row in got.values() if isinstance(row, dict)]
    if publish:
        assert all(row["summary"].startswith("Nouveau") and row["live"] for row in rows)
        assert all(row["title"].endswith("(modifié)") for row in rows)
    else:  # a draft's content lives in its revision; the row keeps the live content
        assert all(row["summary"] == "Ancien" and row["has_unpublished_changes"] for row in rows)
        assert all(row["draft_title"].endswith("(modifié)") for row in rows)
        assert not any(row["title"].endswith("(modifié)") for row in rows)


def test_one_publish_flag_per_page(org_a, crm_a):
    index = org_a.people_index
    originals = [make_person(index, f"Personne{n} Côté", publish=n % 2 == 0) for n in range(4)]
    flags = [True, False, False, True]

    def wagtail():
        for page, publish in zip(edited(originals), flags, strict=True):
            revision = page.save_revision(user=crm_a, log_action=True)
            if publish:
                revision.publish(user=crm_a)

    def bulk():
        pages_bulk_update(pages=edited(originals), user=crm_a, publish=flags)

    expected = state_after_then_undo(wagtail, index)
    got = state_after_then_undo(bulk, index)
    assert_same_state(got, expected)
    with pytest.raises(ValueError, match="one publish flag per page"), transaction.atomic():
        pages_bulk_update(pages=edited(originals), publish=[True])


def test_an_invalid_update_writes_nothing(org_a, crm_a):
    originals = [make_person(org_a.people_index, f"Personne{n} Roy") for n in range(3)]
    before = list(PersonPage.objects.order_by("pk").values()), Revision.objects.count()
    pages = edited(originals)
    pages[1].summary = "x" * 400  # longer than the column allows
    with pytest.raises(PageValidationError) as error, transaction.atomic():
        pages_bulk_update(pages=pages, user=crm_a, publish=True)
    assert error.value.index == 1 and "summary" in error.value.error.message_dict
    assert (list(PersonPage.objects.order_by("pk").values()), Revision.objects.count()) == before


def test_links_and_roles_edited_in_a_revision_are_published_like_wagtail(org_a, crm_a):
    index = org_a.people_index
    with transaction.atomic():
        originals = pages_bulk_create(parent=fresh(index), pages=people_batch(3), user=crm_a)
    technician = PersonRole.objects.get(code="technician")

    def batch():
        pages = []
        for n, page in enumerate(originals):
            page = PersonPage.objects.get(pk=page.pk).get_latest_revision_as_object()
            links = list(page.links.all())
            links[0].label = "Site personnel"  # an existing link, changed
            page.links = [*links, PersonLink(url=f"https://vimeo.com/{n}", label="Vimeo")]
            page.roles = [technician] if n else []
            pages.append(page)
        return pages

    def wagtail():
        for page in batch():
            page.save_revision(user=crm_a, log_action=True).publish(user=crm_a)

    def bulk():
        pages_bulk_update(pages=batch(), user=crm_a, publish=True)

    expected = state_after_then_undo(wagtail, index)
    got = state_after_then_undo(bulk, index)
    assert_same_state(got, expected)
    rows = [row for row in got.values() if isinstance(row, dict)]
    assert [row["roles"] for row in rows] == [[], ["technician"], ["technician"]]
    assert all(len(row["links"]) == 2 and row["links"][0][2] == "Site personnel" for row in rows)


def test_a_changed_slug_is_left_to_wagtail_and_matches(org_a, crm_a):
    index = org_a.people_index
    originals = [make_person(index, f"Personne{n} Roy") for n in range(3)]

    def batch():
        pages = edited(originals)
        pages[1].slug = "nouvelle-adresse"
        return pages

    def wagtail():
        for page in batch():
            page.save_revision(user=crm_a, log_action=True).publish(user=crm_a)

    def bulk():
        pages_bulk_update(pages=batch(), user=crm_a, publish=True)

    expected = state_after_then_undo(wagtail, index)
    got = state_after_then_undo(bulk, index)
    assert_same_state(got, expected)
    assert any(
        key
        for key, row in got.items()
        if isinstance(row, dict) and row["url_path"].endswith("/nouvelle-adresse/")
    )


def test_pages_with_comments_are_left_to_wagtail_and_match(org_a, crm_a):
    index = org_a.people_index
    originals = [make_person(index, f"Personne{n} Roy") for n in range(3)]
    Comment.objects.create(
        page=originals[1],
        user=crm_a,
        text="Vérifier l'orthographe",
        contentpath="title",
        resolved_at=timezone.now(),
        resolved_by=crm_a,
    )

    def wagtail():
        for page in edited(originals):
            page.save_revision(user=crm_a, log_action=True).publish(user=crm_a)

    def bulk():
        pages_bulk_update(pages=edited(originals), user=crm_a, publish=True)

    expected = state_after_then_undo(wagtail, index)
    got = state_after_then_undo(bulk, index)
    assert_same_state(got, expected)


def test_updated_people_are_found_by_their_new_words_once_published(org_a, crm_a):
    page = make_person(org_a.people_index, "Amina Ouellet")
    page.bio = bio("Documentariste du Nunavik.")
    with transaction.atomic():
        pages_bulk_update(pages=[page], user=crm_a, publish=False)
    assert not PersonPage.objects.search("Nunavik")  # a draft is not public content yet
    page = PersonPage.objects.get(pk=page.pk).get_latest_revision_as_object()
    with transaction.atomic():
        pages_bulk_update(pages=[page], user=crm_a, publish=True)
    assert [p.title for p in PersonPage.objects.search("Nunavik")] == ["Amina Ouellet"]
