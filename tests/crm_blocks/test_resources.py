"""Spreadsheet rows become CRM records (page + private details) of the importing organization:
re-importing updates instead of duplicating, one bad row writes nothing, a row never reaches
another organization, and what is exported imports back unchanged."""

import datetime
from decimal import Decimal

import pytest
import tablib
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageLogEntry, Revision

from crm_blocks.models import (
    Affiliation,
    Contact,
    Membership,
    MembershipType,
    OrganizationPage,
    PersonPage,
)
from crm_blocks.resources import PersonResource
from spreadsheets.files import write_table
from spreadsheets.pipeline import spreadsheet_import
from spreadsheets.resources import stream_to_paragraphs
from tests.factories import contact_of, make_organization_page, make_person, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

HEADERS = ["email", "first_name", "last_name", "phone", "notes", "bio"]
ELISE = [
    "elise@example.org",
    "Élise",
    "Tremblay",
    "+1 514 555 0100",
    "Membre fondatrice",
    "Monteuse.",
]
MARC = ["marc@example.org", "Marc", "Roy", "", "", ""]


def csv_of(headers, *rows) -> bytes:
    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        dataset.append(row)
    return write_table(dataset, "csv")


def run(site, *rows, headers=HEADERS, kind="people", **options):
    return spreadsheet_import(
        site=site, kind=kind, data=csv_of(headers, *rows), filename="rows.csv", **options
    )


def statuses(report):
    return [row.status for row in sorted(report.rows, key=lambda row: row.row)]


def test_new_rows_become_draft_person_pages_with_private_details(org_a, crm_a):
    report = run(org_a, ELISE, MARC, user=crm_a)
    assert report.ok, report.errors
    assert (report.new, statuses(report)) == (2, ["new", "new"])
    elise = PersonPage.objects.get(given_name="Élise")
    assert elise.title == "Élise Tremblay" and not elise.live
    assert elise.get_parent().specific == org_a.people_index.specific
    assert elise.owner == crm_a and elise.sort_name.startswith("tremblay")
    contact = contact_of(elise)
    assert (contact.email, contact.phone, contact.notes) == (
        "elise@example.org",
        "+1 514 555 0100",
        "Membre fondatrice",
    )
    revision = Revision.page_revisions.get(object_id=str(elise.pk))
    assert revision.user == crm_a and elise.latest_revision == revision
    assert PageLogEntry.objects.filter(page=elise, action="wagtail.create", user=crm_a).exists()
    assert Page.find_problems() == ([], [], [], [], [])  # treebeard: paths and numchild intact


def test_publish_option_publishes_and_the_page_is_served(client, org_a):
    run(org_a, ELISE, publish=True)
    page = PersonPage.objects.get(given_name="Élise")
    assert page.live
    response = client.get(page.url, HTTP_HOST=org_a.hostname)
    assert response.status_code == 200 and "Monteuse." in response.content.decode()


def test_reimporting_updates_and_skips_unchanged_rows(org_a):
    run(org_a, ELISE, MARC)
    changed = list(MARC)
    changed[3] = "+1 819 555 0199"
    report = run(org_a, ELISE, changed)
    assert statuses(report) == ["skip", "update"]
    (update,) = [row for row in report.rows if row.status == "update"]
    assert update.changes == {"phone": ["", "+1 819 555 0199"]}
    assert PersonPage.objects.count() == 2 and Contact.objects.count() == 2
    assert Contact.objects.get(email="marc@example.org").phone == "+1 819 555 0199"


def test_unchanged_rows_are_left_untouched(org_a):
    run(org_a, ELISE)
    contact = Contact.objects.get()
    before = (contact.updated_at, Revision.objects.count(), PageLogEntry.objects.count())
    report = run(org_a, ELISE)
    contact.refresh_from_db()
    assert report.unchanged == 1
    assert (contact.updated_at, Revision.objects.count(), PageLogEntry.objects.count()) == before


def test_a_renamed_published_person_is_republished(org_a):
    run(org_a, ELISE, publish=True)
    renamed = list(ELISE)
    renamed[2] = "Tremblay-Roy"
    run(org_a, renamed)
    page = PersonPage.objects.get(given_name="Élise")
    assert page.title == "Élise Tremblay-Roy" and page.live and not page.has_unpublished_changes


def test_a_pending_draft_is_compared_and_never_published_by_an_import(org_a):
    """An editor's unpublished draft stays a draft: the import compares with it, and an update
    becomes a new draft rather than publishing someone's unfinished work."""
    run(org_a, ELISE, publish=True)
    page = PersonPage.objects.get(given_name="Élise")
    page.family_name = "Tremblay-Draft"
    page.title = "Élise Tremblay-Draft"
    page.save_revision()
    draft_row = list(ELISE)
    draft_row[2] = "Tremblay-Draft"
    assert run(org_a, draft_row).unchanged == 1
    draft_row[5] = "Monteuse et réalisatrice."
    assert run(org_a, draft_row).updated == 1
    page.refresh_from_db()
    assert page.title == "Élise Tremblay" and page.has_unpublished_changes
    latest = page.get_latest_revision_as_object()
    assert latest.family_name == "Tremblay-Draft"
    assert stream_to_paragraphs(latest.bio) == "Monteuse et réalisatrice."


def test_one_invalid_row_writes_nothing_and_names_the_row_and_field(org_a):
    bad = ["pas-un-courriel", "Jean", "Bad", "", "", ""]
    report = run(org_a, ELISE, bad, MARC)
    assert not report.ok and report.invalid == 1
    assert [(error.row, error.field) for error in report.errors] == [(3, "email")]
    assert report.rows[0].row == 3 and report.rows[0].status == "invalid"
    assert PersonPage.objects.count() == 0 and Contact.objects.count() == 0


def test_a_new_row_without_a_name_is_refused(org_a):
    report = run(org_a, ["nom@example.org", "", "", "", "", ""])
    assert [error.field for error in report.errors] == ["last_name"]
    assert Contact.objects.count() == 0


def test_a_record_twice_in_one_file_is_refused_naming_the_first_row(org_a):
    report = run(org_a, ELISE, MARC, ["ELISE@example.org", "Élise", "T.", "", "", ""])
    assert [(e.row, e.field) for e in report.errors] == [(4, "email")]
    assert "row 2" in report.errors[0].message or "ligne 2" in report.errors[0].message
    assert Contact.objects.count() == 0


def test_taking_another_records_email_is_refused(org_a):
    run(org_a, ELISE, ["", "Marc", "Roy", "", "", ""], headers=HEADERS)
    headers = ["external_id", *HEADERS]
    Contact.objects.filter(email="").update(external_id="M-1")
    report = run(org_a, ["M-1", "elise@example.org", "Marc", "Roy", "", "", ""], headers=headers)
    assert [e.field for e in report.errors] == ["email"]


def test_dry_run_writes_nothing_but_reports(org_a):
    report = run(org_a, ELISE, dry_run=True)
    assert report.dry_run and statuses(report) == ["new"]
    assert Contact.objects.count() == 0 and PersonPage.objects.count() == 0


def test_a_row_with_another_organizations_email_never_touches_it(org_a, org_b):
    theirs = make_person(org_b.people_index, "Élise Tremblay")
    Contact.objects.filter(pk=contact_of(theirs).pk).update(email="elise@example.org")
    report = run(org_a, ELISE)
    assert report.new == 1
    other = contact_of(theirs)
    assert other.phone == "" and other.notes == ""
    assert Contact.objects.filter(site=org_a, email="elise@example.org").count() == 1
    assert PersonPage.objects.descendant_of(org_b.root_page).count() == 1


def test_a_row_with_another_organizations_external_id_never_touches_it(org_a, org_b):
    theirs = make_person(org_b.people_index, "Élise Tremblay")
    Contact.objects.filter(pk=contact_of(theirs).pk).update(external_id="X-1")
    report = run(org_a, ["X-1", *MARC], headers=["external_id", *HEADERS])
    assert report.new == 1
    assert contact_of(theirs).email == ""
    assert Contact.objects.get(site=org_a).external_id == "X-1"


def test_an_external_id_finds_the_record_even_when_its_email_changed(org_a):
    headers = ["external_id", *HEADERS]
    run(org_a, ["BX-7", *ELISE], headers=headers)
    moved = ["BX-7", "elise.tremblay@example.org", *ELISE[1:]]
    report = run(org_a, moved, headers=headers)
    assert report.updated == 1 and Contact.objects.get().email == "elise.tremblay@example.org"


def test_people_without_email_are_found_again_by_name(org_a):
    """A member list without e-mails, imported twice, creates each person once."""
    rows = [["", "Jeanne", "Côté", "", "", ""], ["", "Paul", "Roy", "", "", ""]]
    assert run(org_a, *rows).new == 2
    again = run(org_a, *rows)
    assert (again.new, again.unchanged) == (0, 2)
    assert PersonPage.objects.count() == 2


def test_checking_costs_the_same_queries_for_10_or_100_rows(org_a):
    def rows(count, prefix):
        return [[f"{prefix}{n}@example.org", "Prénom", f"Nom{n}", "", "", ""] for n in range(count)]

    run(org_a, *rows(100, "existing"))
    with CaptureQueriesContext(connection) as few:
        run(org_a, *rows(10, "existing"), *rows(10, "new"), dry_run=True)
    with CaptureQueriesContext(connection) as many:
        run(org_a, *rows(100, "existing"), *rows(100, "new"), dry_run=True)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_crash_while_writing_leaves_the_database_as_it_was(org_a, monkeypatch):
    """As if the worker were killed mid-import: the second batch fails, the first is undone."""
    run(org_a, MARC)
    before = (Page.objects.count(), Contact.objects.count(), Revision.objects.count())
    monkeypatch.setattr(PersonResource, "write_batch_size", 2)
    real = Contact.objects.bulk_create
    calls = []

    def failing_bulk_create(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(Contact.objects, "bulk_create", failing_bulk_create)
    rows = [[f"p{n}@example.org", "Prénom", f"Nom{n}", "", "", ""] for n in range(5)]
    report = run(org_a, *rows)
    assert not report.ok and "worker killed" in report.errors[0].message
    assert (Page.objects.count(), Contact.objects.count(), Revision.objects.count()) == before
    assert Page.find_problems() == ([], [], [], [], [])


def test_the_same_file_imported_twice_at_once_does_not_duplicate(org_a, monkeypatch):
    """Two imports of one file checked at the same time: the second to write stops."""
    real_prepare = PersonResource.prepare

    def prepare_then_someone_else_imports(self, dataset):
        real_prepare(self, dataset)
        if not getattr(prepare_then_someone_else_imports, "done", False):
            prepare_then_someone_else_imports.done = True
            monkeypatch.setattr(PersonResource, "prepare", real_prepare)
            assert run(org_a, ELISE).new == 1

    monkeypatch.setattr(PersonResource, "prepare", prepare_then_someone_else_imports)
    report = run(org_a, ELISE)
    assert not report.ok
    assert Contact.objects.count() == 1 and PersonPage.objects.count() == 1


def test_export_then_import_then_export_is_identical(org_a):
    run(org_a, ELISE, MARC, publish=True)
    first = PersonResource(site=org_a).export()
    report = spreadsheet_import(
        site=org_a, kind="people", data=write_table(first, "csv"), filename="export.csv"
    )
    assert report.unchanged == 2 and report.ok
    assert PersonResource(site=org_a).export().csv == first.csv


def test_export_lists_only_this_organizations_records(org_a, org_b):
    run(org_a, ELISE)
    run(org_b, MARC)
    exported = PersonResource(site=org_a).export().csv
    assert "elise@example.org" in exported and "marc@example.org" not in exported


ORG_HEADERS = ["email", "name", "kind", "website", "street_address", "postal_code", "city"]


def test_organizations_are_found_by_email_or_by_name_and_postal_code(org_a):
    rift = ["", "Cinéma du Rift", "cinema", "", "42 rue Principale", "J9V 1A1", "Ville-Marie"]
    assert run(org_a, rift, headers=ORG_HEADERS, kind="organizations").new == 1
    with_email = ["info@rift.example.org", *rift[1:]]
    report = run(org_a, with_email, headers=ORG_HEADERS, kind="organizations")
    assert report.updated == 1, report.errors
    page = OrganizationPage.objects.get()
    assert page.locality == "Ville-Marie" and page.kind == "cinema"
    assert contact_of(page).email == "info@rift.example.org"
    assert run(org_a, with_email, headers=ORG_HEADERS, kind="organizations").unchanged == 1


def test_organization_kinds_are_accepted_by_their_french_label(org_a):
    row = ["", "Cinéma du Rift", "Cinéma", "", "", "J9V 1A1", ""]
    report = run(org_a, row, headers=ORG_HEADERS, kind="organizations")
    assert report.ok, report.errors
    assert OrganizationPage.objects.get().kind == "cinema"
    bad = run(
        org_a,
        ["", "Autre", "planétarium", "", "", "", ""],
        headers=ORG_HEADERS,
        kind="organizations",
    )
    assert [e.field for e in bad.errors] == ["kind"]


def test_people_bring_their_affiliations_with_organizations_already_there(org_a):
    make_organization_page(org_a.organizations_index, "Productions du Nord")
    headers = [*HEADERS, "affiliations"]
    row = [*ELISE, "Productions du Nord (monteuse)"]
    report = run(org_a, row, headers=headers)
    assert report.ok, report.errors
    (affiliation,) = Affiliation.objects.all()
    assert affiliation.role == "monteuse" and affiliation.person.email == "elise@example.org"
    assert run(org_a, row, headers=headers).unchanged == 1
    assert Affiliation.objects.count() == 1
    unknown = run(org_a, [*MARC, "Studio Inconnu (stagiaire)"], headers=headers)
    assert [e.field for e in unknown.errors] == ["affiliations"]
    assert "Studio Inconnu" in unknown.errors[0].message


MEMBERSHIP_HEADERS = ["email", "membership_type", "start_date", "end_date", "fee", "status"]


@pytest.fixture
def members(org_a):
    run(org_a, ELISE, MARC)
    MembershipType.objects.create(site=org_a, name="Individuel", default_fee=40)
    return org_a


def test_memberships_import_with_french_dates_amounts_and_statuses(members):
    rows = [
        ["elise@example.org", "individuel", "01/09/2026", "31/08/2027", "40,00", "actif"],
        ["marc@example.org", "Individuel", "2026-09-15", "", "1 234,50", "En attente"],
    ]
    report = run(members, *rows, headers=MEMBERSHIP_HEADERS, kind="memberships")
    assert report.ok, report.errors
    elise = Membership.objects.get(contact__email="elise@example.org")
    assert (elise.start_date, elise.end_date, elise.fee, elise.status) == (
        datetime.date(2026, 9, 1),
        datetime.date(2027, 8, 31),
        Decimal("40.00"),
        "active",
    )
    assert Membership.objects.get(contact__email="marc@example.org").status == "pending"
    again = run(members, *rows, headers=MEMBERSHIP_HEADERS, kind="memberships")
    assert (again.new, again.unchanged) == (0, 2)
    rows[0][4] = "45"
    assert run(members, *rows, headers=MEMBERSHIP_HEADERS, kind="memberships").updated == 1
    assert Membership.objects.count() == 2


def test_membership_rows_are_checked_cell_by_cell(members, org_b):
    MembershipType.objects.create(site=org_b, name="Étudiant")
    make_person(org_b.people_index, "Autre Personne")
    Contact.objects.filter(site=org_b).update(email="autre@example.org")
    rows = [
        ["inconnu@example.org", "Individuel", "01/09/2026", "", "", ""],
        ["elise@example.org", "Étudiant", "01/09/2026", "", "", ""],
        ["marc@example.org", "Individuel", "31/02/2026", "", "", ""],
        ["marc@example.org", "Individuel", "01/09/2026", "01/01/2026", "", ""],
        ["autre@example.org", "Individuel", "01/09/2026", "", "", ""],
        ["elise@example.org", "Individuel", "01/09/2026", "", "-5", "suspendu"],
    ]
    report = run(members, *rows, headers=MEMBERSHIP_HEADERS, kind="memberships")
    fields = {(e.row, e.field) for e in report.errors}
    assert fields == {
        (2, "email"),
        (3, "membership_type"),
        (4, "start_date"),
        (5, "end_date"),
        (6, "email"),
        (7, "fee"),
        (7, "status"),
    }
    assert Membership.objects.count() == 0


def test_import_as_a_user_records_them_as_author(org_a, crm_a):
    assert run(org_a, ELISE, user=crm_a, publish=True).ok
    page = PersonPage.objects.get()
    assert PageLogEntry.objects.filter(page=page, action="wagtail.publish", user=crm_a).exists()


def test_publishing_needs_the_right_to_publish(org_a):
    """A user who may not publish pages there cannot publish them by spreadsheet either."""
    user = make_user(org_a, username="sans-publication")
    report = run(org_a, ELISE, user=user, publish=True)
    assert not report.ok and report.errors[0].row == 0
    assert "publi" in report.errors[0].message  # "publish" or "publier"
    assert PersonPage.objects.count() == 0 and Contact.objects.count() == 0


def test_publish_is_for_new_records_never_for_private_or_pending_drafts(org_a, crm_a):
    """Ticking "publish" publishes the file's new people; a record kept as a private draft,
    and an editor's unfinished draft of a published record, stay unpublished."""
    run(org_a, ELISE, MARC, user=crm_a)  # both private drafts
    live = make_person(org_a.people_index, "Léa Gagnon", summary="Projectionniste.")
    Contact.objects.filter(translation_key=live.translation_key).update(email="lea@example.org")
    live.summary = "Brouillon en cours"
    live.save_revision()
    rows = [
        [*ELISE[:5], "Monteuse, réalisatrice."],
        ["lea@example.org", "Léa", "Gagnon", "", "", "Bio ajoutée."],
        ["nina@example.org", "Nina", "Roy", "", "", ""],
    ]
    report = run(org_a, *rows, user=crm_a, publish=True)
    assert (report.new, report.updated) == (1, 2), report.errors
    assert PersonPage.objects.get(given_name="Nina").live
    assert not PersonPage.objects.get(given_name="Élise").live
    lea = PersonPage.objects.get(pk=live.pk)
    assert lea.has_unpublished_changes and lea.summary == "Projectionniste."
    draft = lea.get_latest_revision_as_object()
    assert draft.summary == "Brouillon en cours"
    assert stream_to_paragraphs(draft.bio) == "Bio ajoutée."


def test_an_email_and_an_id_are_each_unique_within_a_file(org_a):
    headers = ["external_id", *HEADERS]
    report = run(
        org_a,
        ["ID1", *ELISE],
        ["ID2", "elise@example.org", "Élise", "T.", "", "", ""],
        ["ID1", "autre@example.org", "Autre", "Personne", "", "", ""],
        headers=headers,
    )
    assert {(e.row, e.field) for e in report.errors} == {(3, "email"), (4, "external_id")}
    assert Contact.objects.count() == 0


def test_without_the_right_to_publish_updates_become_drafts(org_a, crm_a):
    run(org_a, ELISE, publish=True)
    user = make_user(org_a, username="sans-publication-2")
    changed = [*ELISE[:5], "Nouvelle bio."]
    report = run(org_a, changed, user=user)
    assert report.ok and report.updated == 1, report.errors
    page = PersonPage.objects.get()
    assert page.live and page.has_unpublished_changes
    refused = run(org_a, MARC, user=user, publish=True, dry_run=True)
    assert not refused.ok and refused.errors[0].row == 0


def test_a_key_shared_by_a_person_and_an_organization_is_refused_for_memberships(members):
    partner = make_organization_page(members.organizations_index, "Cinéma du Nord")
    Contact.objects.filter(translation_key=partner.translation_key).update(
        email="elise@example.org"
    )
    row = ["elise@example.org", "Individuel", "01/09/2026", "", "", ""]
    report = run(members, row, headers=MEMBERSHIP_HEADERS, kind="memberships")
    assert [(e.row, e.field) for e in report.errors] == [(2, "email")]
    assert Membership.objects.count() == 0


def test_organizations_imported_without_a_kind_column_are_of_the_other_kind(org_a):
    """A list of names alone is enough: the kind the file does not give is the default one, not
    an empty value the page refuses."""
    report = spreadsheet_import(
        site=org_a,
        kind="organizations",
        data=b"Nom\nProductions du Nord\n",
        filename="organismes.csv",
    )
    assert (report.ok, report.new) == (True, 1), report.errors
    page = OrganizationPage.objects.child_of(org_a.organizations_index).get()
    assert (page.title, page.kind) == ("Productions du Nord", "other")
