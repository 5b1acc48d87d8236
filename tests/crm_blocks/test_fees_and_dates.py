"""Fees in the organization's currency, written the reader's way (« 40,00 $ » in Quebec,
« 40,00 € » in France, "$40.00" in English), and dates written one way per language on every
CRM screen (« 5 janvier 2026 », "Jan. 5, 2026") — the listing and the record's screen no longer
disagree (« 5 janvier 2026 » here, « 05/01/2026 » there)."""

import datetime
import re

import lxml.html
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from wagtail.users.models import UserProfile

from crm_blocks.models import ConsentRecord, Membership, MembershipType
from organizations.models import OrganizationSettings
from organizations.money import format_money
from tests.factories import contact_of, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

START = datetime.date(2026, 1, 5)
NBSP = "\u00a0"


def test_amounts_are_written_the_readers_way():
    assert format_money(40, "CAD", "fr") == f"40,00{NBSP}$"
    assert format_money(40, "EUR", "fr") == f"40,00{NBSP}€"
    assert format_money(1234.5, "CAD", "fr") == f"1{NBSP}234,50{NBSP}$"
    assert format_money(40, "CAD", "en") == "$40.00"
    assert format_money(1234.5, "EUR", "en") == "€1,234.50"
    assert format_money(40, "CHF", "fr") == f"40,00{NBSP}CHF"
    assert format_money(None, "CAD", "fr") == ""


def test_organizations_get_the_currency_of_their_country(org_a, org_b):
    assert OrganizationSettings.for_site(org_a).currency == "CAD"  # fr-ca
    assert OrganizationSettings.for_site(org_b).currency == "EUR"  # fr-fr


@pytest.fixture
def memberships(org_a, org_b):
    made = {}
    for site, name in ((org_a, "Élise Tremblay"), (org_b, "Claire Dumont")):
        kind = MembershipType.objects.create(site=site, name="Individuel", default_fee=40)
        person = make_person(site.people_index, name)
        made[site.pk] = Membership.objects.create(
            contact=contact_of(person), membership_type=kind, start_date=START, fee=40
        )
    return made


def column(html: str, label: str) -> list[str]:
    doc = lxml.html.fromstring(html)
    table = doc.xpath("//table[contains(@class, 'listing')]")[0]
    headers = [th.text_content().strip() for th in table.xpath("./thead//th")]
    index = headers.index(label) + 1
    return [td.text_content().strip() for td in table.xpath(f"./tbody/tr/td[{index}]")]


def test_membership_listings_show_each_organizations_currency(client, memberships, crm_a, crm_b):
    client.force_login(crm_a)
    html = client.get(reverse("crm_membership:index")).content.decode()
    assert column(html, "Cotisation payée") == [f"40,00{NBSP}$"]
    assert column(html, "Début") == ["5 janvier 2026"]
    html = client.get(reverse("crm_membershiptype:index")).content.decode()
    assert column(html, "Cotisation par défaut") == [f"40,00{NBSP}$"]
    client.force_login(crm_b)
    html = client.get(reverse("crm_membership:index")).content.decode()
    assert column(html, "Cotisation payée") == [f"40,00{NBSP}€"]


def test_an_english_speaking_user_reads_dollars_and_dates_the_english_way(
    client, memberships, crm_a
):
    profile = UserProfile.get_for_user(crm_a)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(crm_a)
    html = client.get(reverse("crm_membership:index")).content.decode()
    assert column(html, "Fee paid") == ["$40.00"]
    assert column(html, "Start") == ["Jan. 5, 2026"]


def test_the_record_screen_writes_fees_and_dates_as_the_listing_does(
    client, memberships, org_a, crm_a
):
    membership = memberships[org_a.pk]
    contact = membership.contact
    contact.birth_date = datetime.date(1990, 3, 1)
    contact.save()
    ConsentRecord.objects.create(
        contact=contact,
        given_on=datetime.date(2026, 2, 14),
        purpose="Infolettre",
        wording="J’accepte",
        source=ConsentRecord.Source.FORM,
    )
    client.force_login(crm_a)
    html = client.get(reverse("crm_contact:inspect", args=[contact.pk])).content.decode()
    text = " ".join(lxml.html.fromstring(html).xpath("//main")[0].itertext())
    with translation.override("fr"):
        for day in (START, datetime.date(1990, 3, 1), datetime.date(2026, 2, 14)):
            assert date_format(day, "DATE_FORMAT") in text
    assert "5 janvier 2026" in text and "1 mars 1990" in text
    assert "05/01/2026" not in text and "2026-01-05" not in text
    assert f"40,00{NBSP}$" in text
    with translation.override("fr"):
        assert str(contact.consents.get(purpose="Infolettre")) == "Infolettre (14 février 2026)"


def test_crm_templates_use_the_languages_own_date_formats():
    """The class of bug, not its instances: no CRM template spells a date format of its own."""
    from pathlib import Path

    import crm_blocks
    import organizations

    allowed = {"DATE_FORMAT", "DATETIME_FORMAT", "YEAR_MONTH_FORMAT", "MONTH_DAY_FORMAT", "Y", "c"}
    problems = []
    for package in (crm_blocks, organizations):
        for template in Path(package.__file__).parent.glob("templates/**/*.html"):
            text = template.read_text()
            for match in re.finditer(r"\|date:[\"']([^\"']*)[\"']", text):
                if match.group(1) not in allowed:
                    problems.append(f"{template.name}: {match.group(0)}")
    assert not problems, problems
