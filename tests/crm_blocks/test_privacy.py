"""Privacy canary: private values planted in every private field of a published record must
appear in no public response — pages, indexes, search, sitemap, robots — nor in page revisions,
the store that public previews and the API read from."""

import datetime
import json
from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from django.utils.html import escape
from wagtail.models import Revision

from crm_blocks.models import (
    Affiliation,
    ConsentRecord,
    ContactNote,
    ContactTag,
    Membership,
    MembershipType,
)
from tests.crm_blocks.admin_forms import children, create_url, person_form
from tests.factories import contact_of, make_organization_page, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

CANARIES = {
    "email": "canari-courriel@example.org",
    "secondary_email": "canari-second@example.org",
    "phone": "+1 514 555 0199",
    "mobile_phone": "+1 438 555 0177",
    "street_address": "1234 rue du Canari-Secret",
    "postal_code": "J9X 9Z9",
    "locality": "Canariville",
    "region": "Canarie-Région",
    "country": "Canaristan",
    "notes": "CANARI-NOTE-privée",
    "external_id": "CANARI-ID-EXTERNE",
}
BIRTH_DATE = datetime.date(1901, 2, 3)
EXTRA_CANARIES = [
    "CANARI-ETIQUETTE",
    "CANARI-CONSENTEMENT-texte",
    "CANARI-FINALITE",
    "CANARI-CHRONOLOGIE",
    "CANARI-ROLE-AFFILIATION",
    "1901-02-03",
    "03/02/1901",
    "3 février 1901",
]


def plant(contact, org):
    for field, value in CANARIES.items():
        setattr(contact, field, value)
    contact.birth_date = BIRTH_DATE
    contact.save()
    contact.tags.add(ContactTag.objects.create(site=contact.site, name="CANARI-ETIQUETTE"))
    ConsentRecord.objects.create(
        contact=contact,
        given_on=datetime.date(2026, 1, 5),
        purpose="CANARI-FINALITE",
        wording="CANARI-CONSENTEMENT-texte",
        source="form",
    )
    ContactNote.objects.create(contact=contact, body="CANARI-CHRONOLOGIE")
    membership_type = MembershipType.objects.create(site=contact.site, name="Individuel")
    Membership.objects.create(
        contact=contact, membership_type=membership_type, start_date="2026-01-01", fee="987.65"
    )
    Affiliation.objects.create(
        person=contact, organization=contact_of(org), role="CANARI-ROLE-AFFILIATION"
    )


@pytest.fixture
def planted(org_a):
    partner = make_organization_page(org_a.organizations_index, "Productions du Nord")
    person = make_person(org_a.people_index, "Élise Tremblay", summary="Monteuse.")
    plant(contact_of(person), partner)
    return person, partner


def public_urls(person, partner, site):
    """(url, query echoed by the page) pairs."""
    urls = [
        "/",
        person.url,
        partner.url,
        site.people_index.url,
        site.organizations_index.url,
        "/sitemap.xml",
        "/robots.txt",
        "/une-page-qui-nexiste-pas/",
    ]
    urls = [(url, None) for url in urls]
    for query in ["Élise", "canari", "Canariville", "555", "example.org", *CANARIES.values()]:
        urls.append((f"{reverse('search')}?{urlencode({'q': query})}", query))
    return urls


def without_echo(text, query):
    """The search page repeats what was typed: that is not a leak, the results would be."""
    if query:
        for form in {query, escape(query), urlencode({"q": query})[2:], quote(query)}:
            text = text.replace(form, "")
    return text


def assert_no_canary(text, where):
    for value in [*CANARIES.values(), *EXTRA_CANARIES, "987.65", "987,65"]:
        assert value.lower() not in text.lower(), f"{value!r} leaked in {where}"


def test_no_private_value_in_any_public_response(client, org_a, planted):
    person, partner = planted
    for url, query in public_urls(person, partner, org_a):
        response = client.get(url, HTTP_HOST=org_a.hostname)
        assert response.status_code in (200, 404), url
        assert_no_canary(without_echo(response.content.decode(), query), url)
    # The page itself is really there: the test would not pass on an empty page.
    page = client.get(person.url, HTTP_HOST=org_a.hostname).content.decode()
    assert "Élise Tremblay" in page and "Monteuse." in page


def test_private_values_typed_in_the_editor_never_enter_revisions(client, org_a, crm_a):
    client.force_login(crm_a)
    data = person_form(
        "Gaston Lapointe",
        "gaston-lapointe",
        private_email=CANARIES["email"],
        private_phone=CANARIES["phone"],
        private_notes=CANARIES["notes"],
    )
    response = client.post(create_url(org_a.people_index), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person = children(org_a.people_index).get(slug="gaston-lapointe")
    contact = contact_of(person)
    assert (contact.email, contact.phone, contact.notes) == (
        CANARIES["email"],
        CANARIES["phone"],
        CANARIES["notes"],
    )
    for revision in Revision.page_revisions.filter(object_id=str(person.pk)):
        assert_no_canary(json.dumps(revision.content), "page revision")
    public = client.get(person.url, HTTP_HOST=org_a.hostname).content.decode()
    assert "Gaston Lapointe" in public
    assert_no_canary(public, "public page")


def test_private_columns_of_an_imported_spreadsheet_never_reach_the_public(client, org_a, org_b):
    """Staff import a published member list whose private columns hold canaries: the public
    site (pages, index, search, sitemap, JSON-LD) and the revisions show none of them, and the
    other organization's site does not even show the public names."""
    import tablib

    from crm_blocks.models import PersonPage
    from spreadsheets.files import write_table
    from spreadsheets.pipeline import spreadsheet_import

    partner = make_organization_page(org_a.organizations_index, "Productions du Nord")
    people = tablib.Dataset(
        headers=[
            "courriel",
            "prénom",
            "nom",
            "téléphone",
            "notes",
            "biographie",
            "affiliations",
            "identifiant externe",
        ]
    )
    people.append(
        [
            CANARIES["email"],
            "Élise",
            "Tremblay",
            CANARIES["phone"],
            CANARIES["notes"],
            "Monteuse.",
            "Productions du Nord (CANARI-ROLE-AFFILIATION)",
            CANARIES["external_id"],
        ]
    )
    report = spreadsheet_import(
        site=org_a,
        kind="people",
        data=write_table(people, "xlsx"),
        filename="membres.xlsx",
        publish=True,
    )
    assert report.ok, report.errors
    MembershipType.objects.create(site=org_a, name="Individuel")
    memberships = tablib.Dataset(headers=["email", "membership_type", "start_date", "fee"])
    memberships.append([CANARIES["email"], "Individuel", "01/01/2026", "987,65"])
    report = spreadsheet_import(
        site=org_a, kind="memberships", data=write_table(memberships, "csv"), filename="m.csv"
    )
    assert report.ok, report.errors

    person = PersonPage.objects.get()
    assert person.live and str(Membership.objects.get().fee) == "987.65"
    for revision in Revision.page_revisions.filter(object_id=str(person.pk)):
        assert_no_canary(json.dumps(revision.content), "page revision")
    for url, query in public_urls(person, partner, org_a):
        response = client.get(url, HTTP_HOST=org_a.hostname)
        assert response.status_code in (200, 404), url
        assert_no_canary(without_echo(response.content.decode(), query), url)
    page = client.get(person.url, HTTP_HOST=org_a.hostname).content.decode()
    assert "Élise Tremblay" in page and "application/ld+json" in page
    for url in ["/", "/sitemap.xml", f"{reverse('search')}?q=Tremblay"]:
        other = client.get(url, HTTP_HOST=org_b.hostname).content.decode()
        assert "Élise Tremblay" not in other and "Tremblay" not in without_echo(other, "Tremblay")
