"""Addresses written as the country's post office and readers expect: « 69002 Lyon » in France
(no region), « Montréal (Québec)  H2X 1Y4 » in Quebec and "Montréal QC  H2X 1Y4" for an
English reader (Canada Post), on the public site (footer, organization pages, place blocks) as
in the CRM's record screen. The structured data keeps the parts apart."""

import json

import lxml.html
import pytest
from django.urls import reverse
from django.utils import translation

from organizations.addresses import address_lines
from organizations.models import OrganizationSettings
from tests.factories import contact_of, make_organization_page, make_person

GAP = "\u00a0\u00a0"  # Canada Post's two spaces before the postal code, kept on one line

MONTREAL = {
    "street_address": "3530, boulevard Saint-Laurent",
    "postal_code": "h2x2v1",
    "locality": "Montréal",
    "region": "Québec",
    "country": "Canada",
}
LYON = {
    "street_address": "12, rue Mercière",
    "postal_code": "69002",
    "locality": "Lyon",
    "region": "Auvergne-Rhône-Alpes",
    "country": "France",
}


@pytest.mark.parametrize(
    ("parts", "language", "expected"),
    [
        (MONTREAL, "fr", [MONTREAL["street_address"], f"Montréal (Québec){GAP}H2X 2V1", "Canada"]),
        (MONTREAL, "en", [MONTREAL["street_address"], f"Montréal QC{GAP}H2X 2V1", "Canada"]),
        (
            {**MONTREAL, "region": "QC"},
            "fr",
            [MONTREAL["street_address"], f"Montréal (Québec){GAP}H2X 2V1", "Canada"],
        ),
        (
            {**MONTREAL, "country": ""},
            "fr",
            [MONTREAL["street_address"], f"Montréal (Québec){GAP}H2X 2V1"],
        ),
        (LYON, "fr", ["12, rue Mercière", "69002 Lyon", "France"]),
        (LYON, "en", ["12, rue Mercière", "69002 Lyon", "France"]),
        ({**LYON, "country": "FR", "region": ""}, "fr", ["12, rue Mercière", "69002 Lyon", "FR"]),
        (
            {"locality": "Springfield", "region": "IL", "postal_code": "62701", "country": "USA"},
            "en",
            ["Springfield, IL 62701", "USA"],
        ),
        ({"locality": "Rouyn-Noranda"}, "fr", ["Rouyn-Noranda"]),
    ],
)
def test_each_country_writes_its_addresses_its_own_way(parts, language, expected):
    assert address_lines(**parts, language=language) == expected


def lines(html: str, scope: str) -> list[list[str]]:
    doc = lxml.html.fromstring(html)
    return [
        [span.text_content() for span in address.xpath(".//span[@class='postal-address__line']")]
        for address in doc.xpath(f"{scope}//address")
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("house")
class TestOnThePages:
    def test_a_french_organization_page_and_footer(self, client, org_b):
        settings = OrganizationSettings.for_site(org_b)
        for name, value in LYON.items():
            setattr(settings, name, value)
        settings.save()
        page = make_organization_page(org_b.organizations_index, "Cinéma Comœdia", **LYON)
        html = client.get(page.url, HTTP_HOST=org_b.hostname).content.decode()
        assert lines(html, "//main") == [["12, rue Mercière", "69002 Lyon", "France"]]
        assert lines(html, "//footer") == [["12, rue Mercière", "69002 Lyon", "France"]]
        assert "Auvergne-Rhône-Alpes" not in lxml.html.fromstring(html).xpath("string(//main)")
        # The structured data keeps the parts (and the region) apart.
        graph = json.loads(
            lxml.html.fromstring(html).xpath("//script[@type='application/ld+json']")[0].text
        )
        addresses = [
            node["address"] for node in graph["@graph"] if isinstance(node.get("address"), dict)
        ]
        assert {"postalCode": "69002", "addressLocality": "Lyon"}.items() <= addresses[0].items()
        assert addresses[0]["addressRegion"] == "Auvergne-Rhône-Alpes"

    def test_a_quebec_organization_page(self, client, org_a):
        page = make_organization_page(org_a.organizations_index, "Cinéma du Parc", **MONTREAL)
        html = client.get(page.url, HTTP_HOST=org_a.hostname).content.decode()
        assert lines(html, "//main") == [
            [MONTREAL["street_address"], f"Montréal (Québec){GAP}H2X 2V1", "Canada"]
        ]

    def test_the_crm_record_screen(self, client, org_a, crm_a):
        contact = contact_of(make_person(org_a.people_index, "Élise Tremblay"))
        for name, value in MONTREAL.items():
            setattr(contact, name, value)
        contact.save()
        client.force_login(crm_a)
        with translation.override("fr"):
            url = reverse("crm_contact:inspect", args=[contact.pk])
        html = client.get(url).content.decode()
        assert f"Montréal (Québec){GAP}H2X 2V1" in html
        assert "H2X 2V1 Montréal" not in html
