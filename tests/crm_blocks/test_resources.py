"""Spreadsheet rows become CRM records (page + private details) of the importing organization:
re-importing updates instead of duplicating, one bad row writes nothing, and what is exported
imports back unchanged."""

import pytest
import tablib
from wagtail.models import Page, Revision

from crm_blocks.models import Contact, OrganizationPage, PersonPage
from crm_blocks.resources import OrganizationResource, PersonResource
from tests.factories import contact_of, make_person

pytestmark = pytest.mark.django_db

HEADERS = ["email", "first_name", "last_name", "phone", "notes", "bio"]


def people(*rows):
    dataset = tablib.Dataset(headers=HEADERS)
    for row in rows:
        dataset.append(row)
    return dataset


def run(site, dataset, dry_run=False, publish=False, resource=PersonResource, index=None):
    return resource(site=site, index_page=index or site.people_index, publish=publish).import_data(
        dataset,
        dry_run=dry_run,
        use_transactions=True,
        rollback_on_validation_errors=True,
    )


ELISE = [
    "elise@example.org",
    "Élise",
    "Tremblay",
    "+1 514 555 0100",
    "Membre fondatrice",
    "Monteuse.",
]
MARC = ["marc@example.org", "Marc", "Roy", "", "", ""]


def test_new_rows_become_draft_person_pages_with_private_details(org_a):
    result = run(org_a, people(ELISE, MARC))
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == ["new", "new"]
    elise = PersonPage.objects.get(given_name="Élise")
    assert elise.title == "Élise Tremblay" and not elise.live
    assert elise.get_parent().specific == org_a.people_index.specific
    contact = contact_of(elise)
    assert (contact.email, contact.phone, contact.notes) == (
        "elise@example.org",
        "+1 514 555 0100",
        "Membre fondatrice",
    )
    assert Revision.page_revisions.filter(object_id=str(elise.pk)).exists()
    assert Page.find_problems() == ([], [], [], [], [])  # treebeard: paths and numchild intact


def test_publish_option_publishes(org_a):
    run(org_a, people(ELISE), publish=True)
    assert PersonPage.objects.get(given_name="Élise").live


def test_reimporting_updates_and_skips_unchanged_rows(org_a):
    run(org_a, people(ELISE, MARC))
    changed = list(MARC)
    changed[3] = "+1 819 555 0199"
    result = run(org_a, people(ELISE, changed))
    assert [row.import_type for row in result.rows] == ["skip", "update"]
    assert PersonPage.objects.count() == 2 and Contact.objects.count() == 2
    assert Contact.objects.get(email="marc@example.org").phone == "+1 819 555 0199"


def test_a_renamed_person_gets_a_new_revision(org_a):
    run(org_a, people(ELISE), publish=True)
    renamed = list(ELISE)
    renamed[2] = "Tremblay-Roy"
    run(org_a, people(renamed))
    page = PersonPage.objects.get(given_name="Élise")
    assert page.title == "Élise Tremblay-Roy" and page.live


def test_one_invalid_row_writes_nothing_and_names_the_row_and_field(org_a):
    bad = ["pas-un-courriel", "Jean", "Bad", "", "", ""]
    result = run(org_a, people(ELISE, bad, MARC))
    assert result.has_validation_errors()
    (invalid,) = result.invalid_rows
    assert invalid.number == 2 and "email" in invalid.error_dict
    assert PersonPage.objects.count() == 0 and Contact.objects.count() == 0


def test_a_new_row_without_a_name_is_refused(org_a):
    result = run(org_a, people(["nom@example.org", "", "", "", "", ""]))
    (invalid,) = result.invalid_rows
    assert "last_name" in invalid.error_dict
    assert Contact.objects.count() == 0


def test_dry_run_writes_nothing_but_reports(org_a):
    result = run(org_a, people(ELISE), dry_run=True)
    assert [row.import_type for row in result.rows] == ["new"]
    assert Contact.objects.count() == 0 and PersonPage.objects.count() == 0


def test_a_row_with_another_organizations_email_never_touches_it(org_a, org_b):
    theirs = make_person(org_b.people_index, "Élise Tremblay")
    Contact.objects.filter(pk=contact_of(theirs).pk).update(email="elise@example.org")
    run(org_a, people(ELISE))
    other = contact_of(theirs)
    assert other.phone == "" and other.notes == ""
    assert Contact.objects.filter(site=org_a, email="elise@example.org").count() == 1


def test_export_then_import_then_export_is_identical(org_a):
    run(org_a, people(ELISE, MARC), publish=True)
    first = PersonResource(site=org_a).export()
    result = run(org_a, tablib.Dataset().load(first.csv, format="csv"))
    assert {row.import_type for row in result.rows} == {"skip"}
    assert PersonResource(site=org_a).export().csv == first.csv


def test_export_lists_only_this_organizations_records(org_a, org_b):
    run(org_a, people(ELISE))
    run(org_b, people(MARC), index=org_b.people_index)
    exported = PersonResource(site=org_a).export().csv
    assert "elise@example.org" in exported and "marc@example.org" not in exported


def test_export_costs_the_same_number_of_queries_for_2_or_20_records(org_a):
    run(org_a, people(*[[f"p{n}@example.org", "Prénom", f"Nom{n}", "", "", ""] for n in range(2)]))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        PersonResource(site=org_a).export()
    run(
        org_a,
        people(*[[f"q{n}@example.org", "Prénom", f"Autre{n}", "", "", ""] for n in range(18)]),
    )
    with CaptureQueriesContext(connection) as many:
        PersonResource(site=org_a).export()
    assert len(many.captured_queries) == len(few.captured_queries)


def test_organizations_are_found_by_email_or_by_name_and_postal_code(org_a):
    headers = [
        "email",
        "name",
        "kind",
        "website",
        "street_address",
        "postal_code",
        "city",
        "phone",
        "notes",
    ]
    first = tablib.Dataset(headers=headers)
    first.append(
        ["", "Cinéma du Rift", "cinema", "", "42 rue Principale", "J9V 1A1", "Ville-Marie", "", ""]
    )
    run(org_a, first, resource=OrganizationResource, index=org_a.organizations_index)
    again = tablib.Dataset(headers=headers)
    again.append(
        [
            "info@rift.example.org",
            "Cinéma du Rift",
            "cinema",
            "",
            "42 rue Principale",
            "J9V 1A1",
            "Ville-Marie",
            "",
            "",
        ]
    )
    result = run(org_a, again, resource=OrganizationResource, index=org_a.organizations_index)
    assert [row.import_type for row in result.rows] == ["update"]
    assert OrganizationPage.objects.count() == 1
    assert Contact.objects.get(kind="organization").email == "info@rift.example.org"
    bad = tablib.Dataset(headers=headers)
    bad.append(["", "Salle X", "bowling", "", "", "", "", "", ""])
    result = run(org_a, bad, resource=OrganizationResource, index=org_a.organizations_index)
    assert "kind" in result.invalid_rows[0].error_dict
