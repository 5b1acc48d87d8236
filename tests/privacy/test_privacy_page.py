"""The published privacy page (issue 14, item 7): generated from each organization's privacy
settings, in French at /confidentialite/ and in English at /en/privacy/, linked from every
page's footer; it names the person in charge and how to reach them, the purposes in their
current words, retention periods, rights, the right authority and the processors."""

import lxml.html
import pytest
from wagtail import hooks

from privacy.consents import consent_wording_set
from privacy.models import ConsentPurpose, PrivacySettings, Processor

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture
def officer(org_a):
    settings = PrivacySettings.for_site(org_a)
    settings.officer_name = "Nadia Roy"
    settings.officer_title_fr = "Directrice générale"
    settings.officer_title_en = "Executive Director"
    settings.officer_email = "vie-privee@boreal.test"
    settings.officer_phone = "514 555-0199"
    settings.officer_address = "123, rue Saint-Denis\nMontréal (Québec)"
    settings.extra_text_fr = "Nos serveurs sont au Canada."
    settings.extra_text_en = "Our servers are in Canada."
    settings.save()
    Processor.objects.create(
        settings=settings,
        name="Courrielleur Inc.",
        purpose="Envoi de l’infolettre",
        country="Canada",
    )
    return settings


def page(client, site, path):
    response = client.get(path, HTTP_HOST=site.hostname)
    assert response.status_code == 200
    return lxml.html.fromstring(response.content)


def text_of(html) -> str:
    return " ".join(" ".join(html.xpath("//main")[0].itertext()).split())


def test_the_french_page_names_the_person_in_charge_and_the_purposes(client, org_a, officer):
    """In French: the person in charge with title, e-mail, phone and address; each purpose in its
    current French words; the processors; the extra text; Quebec's Commission."""
    html = page(client, org_a, "/confidentialite/")
    text = text_of(html)
    assert html.xpath("/html/@lang")[0].startswith("fr")
    assert "Nadia Roy" in text and "Directrice générale" in text
    assert html.xpath("//main//a[@href='mailto:vie-privee@boreal.test']")
    assert "514 555-0199" in text and "Saint-Denis" in text
    for purpose in ConsentPurpose.objects.filter(site=org_a, active=True):
        assert purpose.name_fr in text
        assert purpose.current_wording().text_fr in text
    assert "Courrielleur Inc." in text and "Nos serveurs sont au Canada." in text
    assert html.xpath("//main//a[@href='https://www.cai.gouv.qc.ca/']")
    assert "cnil" not in text.lower()


def test_the_english_page_speaks_english(client, org_a, officer):
    """In English at /en/privacy/: English title, names and words."""
    html = page(client, org_a, "/en/privacy/")
    text = text_of(html)
    assert html.xpath("/html/@lang")[0] == "en"
    assert html.xpath("//h1")[0].text_content().strip() == "Privacy policy"
    assert "Executive Director" in text and "Our servers are in Canada." in text
    profile = ConsentPurpose.objects.get(site=org_a, code="public_profile")
    assert profile.name_en in text and profile.current_wording().text_en in text
    assert profile.current_wording().text_fr not in text


def test_the_page_shows_the_current_words_of_a_purpose(client, org_a, officer):
    """New words for a purpose reach the page (and the old ones leave it) at once."""
    purpose = ConsentPurpose.objects.get(site=org_a, code="newsletter")
    old = purpose.current_wording().text_fr
    assert old in text_of(page(client, org_a, "/confidentialite/"))
    consent_wording_set(purpose=purpose, text_fr="J’accepte l’infolettre mensuelle.")
    text = text_of(page(client, org_a, "/confidentialite/"))
    assert "J’accepte l’infolettre mensuelle." in text and old not in text


def test_the_page_is_accessible(client, org_a, officer):
    """One h1, a main landmark, sections headed by h2, the rights listed."""
    html = page(client, org_a, "/confidentialite/")
    assert len(html.xpath("//h1")) == 1
    assert html.xpath("//main[@id='main']")
    headings = [h.text_content().strip() for h in html.xpath("//main//h2")]
    assert "Responsable de la protection des renseignements personnels" in headings
    assert "Vos droits et comment les exercer" in headings
    for section in html.xpath("//main//section"):
        (heading,) = section.xpath("h2")
        assert section.get("aria-labelledby") == heading.get("id")
    assert len(html.xpath("//main//section[@aria-labelledby='privacy-rights']//li")) == 5


def test_another_organizations_settings_are_never_shown(client, org_a, org_b, officer):
    """Organization B's page shows none of A's person in charge, processors or text, and names
    the CNIL (B is in France)."""
    text = text_of(page(client, org_b, "/confidentialite/"))
    for value in ("Nadia Roy", "vie-privee@boreal.test", "Courrielleur", "Nos serveurs"):
        assert value not in text
    assert "CNIL" in text and "Commission d’accès" not in text


def test_retention_periods_come_from_the_hook(client, org_a):
    """What the plugins register with ``register_retention_periods`` is shown, per organization."""

    def periods(site):
        return [("Cotisations", f"Six ans ({site.site_name})")]

    with hooks.register_temporarily("register_retention_periods", periods):
        text = text_of(page(client, org_a, "/confidentialite/"))
    assert "Cotisations" in text and f"Six ans ({org_a.site_name})" in text


def test_every_public_page_links_to_the_privacy_page(client, org_a):
    """The footer of a public page links to the page in the visitor's language."""
    html = lxml.html.fromstring(client.get("/", HTTP_HOST=org_a.hostname).content)
    (link,) = html.xpath("//footer//a[@href='/confidentialite/']")
    assert link.text_content().strip() == "Politique de confidentialité"
    html = page(client, org_a, "/en/privacy/")
    (link,) = html.xpath("//footer//a[@href='/en/privacy/']")
    assert link.text_content().strip() == "Privacy policy"
