"""An organization's texts in each language of its site: an English reader of a French
organization's English pages meets no French label (« Accueil », « Vidéos ») in the footer,
header, meta description or structured data, once staff typed the English in the settings —
where a French organization is asked for English, never for French."""

import json

import lxml.html
import pytest
from django.urls import reverse
from wagtail.models import Locale

from organizations.models import (
    OrganizationContactPoint,
    OrganizationSettings,
    OrganizationSocialProfile,
)
from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

DESCRIPTION_FR = "Centre d’artistes en cinéma et vidéo de l’Abitibi-Témiscamingue."
DESCRIPTION_EN = "An artist-run film and video centre in Abitibi-Témiscamingue."


@pytest.fixture
def bilingual_settings(org_a):
    """A French (Quebec) organization with an English home page and English texts."""
    settings = OrganizationSettings.for_site(org_a)
    settings.short_name = "Images Boréales"
    settings.description = DESCRIPTION_FR
    settings.translations = {"en": {"description": DESCRIPTION_EN}}
    settings.contact_points = [
        OrganizationContactPoint(
            label="Accueil",
            email="bonjour@boreal.test",
            translations={"en": {"label": "Reception"}},
        ),
        OrganizationContactPoint(label="Presse", email="presse@boreal.test"),
    ]
    settings.social_profiles = [
        OrganizationSocialProfile(
            label="Vidéos",
            url="https://video.example.com/boreal",
            translations={"en": {"label": "Videos"}},
        ),
    ]
    settings.save()
    english = Locale.objects.get_or_create(language_code="en")[0]
    home = org_a.root_page.specific.copy_for_translation(english, alias=False)
    home.slug = "en"
    home.save()
    home.save_revision().publish()
    return settings, home


def page_texts(html: str) -> dict:
    doc = lxml.html.fromstring(html)
    graph = json.loads(doc.xpath("//script[@type='application/ld+json']")[0].text)
    organization = next(node for node in graph["@graph"] if node["@id"].endswith("#organization"))
    return {
        "footer": doc.xpath("string(//footer)"),
        "description": doc.xpath("string(//meta[@name='description']/@content)"),
        "organization": organization,
    }


def test_english_pages_show_the_english_texts(client, org_a, bilingual_settings):
    _settings, home = bilingual_settings
    english = page_texts(client.get(home.url, HTTP_HOST=org_a.hostname).content.decode())
    assert "Reception" in english["footer"] and "Videos" in english["footer"]
    assert "Accueil" not in english["footer"] and "Vidéos" not in english["footer"]
    assert english["description"] == DESCRIPTION_EN
    assert english["organization"]["description"] == DESCRIPTION_EN
    assert [point["contactType"] for point in english["organization"]["contactPoint"]] == [
        "Reception",
        "Presse",  # not translated yet: the text as typed rather than nothing
    ]
    french = page_texts(client.get("/", HTTP_HOST=org_a.hostname).content.decode())
    assert "Accueil" in french["footer"] and "Reception" not in french["footer"]
    assert french["description"] == DESCRIPTION_FR


def test_an_untranslated_description_never_describes_an_english_page_in_french(
    client, org_a, bilingual_settings
):
    settings, home = bilingual_settings
    settings.translations = {}
    settings.save()
    home.introduction = "Films made in the North."
    home.save_revision().publish()
    english = page_texts(client.get(home.url, HTTP_HOST=org_a.hostname).content.decode())
    assert english["description"] == "Films made in the North."
    assert "description" not in english["organization"]


def test_staff_type_the_english_in_the_settings(client, org_a, bilingual_settings):
    """The settings form asks a French organization for its texts in English — not in French,
    its own language — and keeps what is typed."""
    settings, _home = bilingual_settings
    admin = make_user(username="admin-textes", is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("wagtailsettings:edit", args=["organizations", "organizationsettings", org_a.pk])
    doc = lxml.html.fromstring(client.get(url).content.decode())
    form = doc.xpath("//form[.//*[@name='legal_name']]")[0]
    names = set(form.xpath(".//*[@name]/@name"))
    assert {"description_en", "short_name_en", "contact_points-0-label_en"} <= names
    assert not {name for name in names if name.endswith("_fr")}
    assert form.xpath(".//*[@name='contact_points-0-label_en']/@value") == ["Reception"]

    data = {}
    for field in form.xpath(".//input[@name]|.//textarea[@name]|.//select[@name]"):
        name = field.get("name")
        if field.tag == "select":
            chosen = field.xpath("./option[@selected]/@value") or field.xpath("./option/@value")
            data[name] = chosen[0] if chosen else ""
        elif field.get("type") == "checkbox":
            if field.get("checked") is not None:
                data[name] = field.get("value", "on")
        elif field.tag == "textarea":
            data[name] = field.text_content().strip()
        else:
            data[name] = field.get("value", "")
    data["contact_points-1-label_en"] = "Press office"
    data["social_profiles-0-label_en"] = ""
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    settings.refresh_from_db()
    labels = {point.label: point.translations for point in settings.contact_points.all()}
    assert labels == {
        "Accueil": {"en": {"label": "Reception"}},
        "Presse": {"en": {"label": "Press office"}},
    }
    assert settings.social_profiles.get().translations == {}
    assert settings.translations == {"en": {"description": DESCRIPTION_EN}}
