"""Rules written once and used everywhere: how names compare, which file column feeds which
column, how an organization's kind is read, which private details a file changes, and how a
postal address is published. Each test shows what staff or visitors would see if two copies of a
rule drifted apart."""

import pytest
import tablib
from django.utils import translation

from crm_blocks.blocks import PlaceBlock
from crm_blocks.models import Contact, OrganizationPage
from crm_blocks.resources import OrganizationResource, PersonResource
from spreadsheets.files import write_table
from spreadsheets.pipeline import spreadsheet_import
from spreadsheets.text import name_key
from structured_data.graph import GraphContext
from structured_data.mixins import postal_address_node
from tests.factories import make_organization_page

ADDRESS = {
    "street_address": "6 rue Laviolette",
    "postal_code": "G9A 1T9",
    "locality": "Trois-Rivières",
    "region": "QC",
    "country": "CA",
}


def csv_of(headers, *rows) -> bytes:
    dataset = tablib.Dataset(headers=headers)
    for row in rows:
        dataset.append(row)
    return write_table(dataset, "csv")


def test_names_compare_without_case_accents_or_extra_spaces():
    assert name_key("  Élise   TREMBLAY ") == name_key("elise tremblay") == "elise tremblay"
    assert name_key("Cinéma\u00a0Paraloeil") == "cinema paraloeil"
    assert name_key("") == ""


@pytest.mark.django_db
def test_an_organization_named_with_other_spacing_is_found_again(org_a):
    headers = ["name", "postal_code", "kind"]
    first = spreadsheet_import(
        site=org_a,
        kind="organizations",
        data=csv_of(headers, ["Cinéma  Paraloeil", "G5L 1A1", "cinema"]),
        filename="a.csv",
    )
    again = spreadsheet_import(
        site=org_a,
        kind="organizations",
        data=csv_of(headers, [" CINÉMA PARALOEIL ", "G5L 1A1", "cinema"]),
        filename="b.csv",
    )
    assert (first.new, again.new, again.invalid) == (1, 0, 0)
    assert Contact.objects.filter(site=org_a, kind="organization").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("label", ["Cinéma", "cinema", "CINEMA", "Cinema"])
def test_an_organization_kind_is_read_by_code_or_by_label_in_either_language(org_a, label):
    report = spreadsheet_import(
        site=org_a,
        kind="organizations",
        data=csv_of(["name", "kind"], ["Le Clap", label]),
        filename="kinds.csv",
    )
    assert (report.new, report.invalid) == (1, 0)
    assert OrganizationPage.objects.get(title="Le Clap").kind == "cinema"


@pytest.mark.django_db
def test_an_unknown_organization_kind_is_refused_with_the_choices(org_a):
    with translation.override("en"):
        report = spreadsheet_import(
            site=org_a,
            kind="organizations",
            data=csv_of(["name", "kind"], ["Le Clap", "Bibliothèque"]),
            filename="kinds.csv",
            dry_run=True,
        )
    (error,) = report.errors
    assert (error.row, error.field) == (2, "kind")
    assert "Unknown kind “Bibliothèque”" in error.message
    assert "Cinema" in error.message


@pytest.mark.django_db
def test_two_file_columns_for_one_column_are_refused_on_import(org_a):
    with translation.override("en"), pytest.raises(ValueError, match="one file column only: email"):
        spreadsheet_import(
            site=org_a,
            kind="people",
            data=csv_of(["adr 1", "adr 2", "nom"], ["a@example.org", "b@example.org", "Roy"]),
            filename="twice.csv",
            columns={"adr 1": "email", "adr 2": "email", "nom": "last_name"},
        )


@pytest.mark.django_db
@pytest.mark.parametrize("resource_class", [PersonResource, OrganizationResource])
def test_a_file_changes_only_the_private_details_it_has_columns_for(org_a, resource_class):
    resource = resource_class(site=org_a)
    assert resource.contact_fields() == ["email", "phone", "notes", "external_id"]
    contact = Contact(email="a@example.org", phone="1", notes="n", external_id="x")
    assert resource.contact_values(contact) == {
        "email": "a@example.org",
        "phone": "1",
        "notes": "n",
        "external_id": "x",
    }


def test_a_postal_address_needs_a_street_or_a_city():
    assert postal_address_node(region="QC", country="CA") is None
    node = postal_address_node(locality="Rimouski", postal_code="")
    assert node.to_jsonld() == {"@type": "PostalAddress", "addressLocality": "Rimouski"}


@pytest.mark.django_db
def test_an_address_is_published_alike_by_a_place_block_and_an_organization_page(org_a):
    page = make_organization_page(org_a.organizations_index, "Paraloeil", **ADDRESS)
    block = PlaceBlock()
    value = block.to_python({"name": "Paraloeil", **ADDRESS})
    context = GraphContext(
        page=page,
        request=None,
        site=org_a,
        site_url="https://boreal.test",
        page_url="https://boreal.test/p/",
        language="fr",
    )
    (place,) = block.structured_data(value, context)
    expected = postal_address_node(**ADDRESS)
    assert expected is not None
    assert place.address == page.postal_address_node() == expected
