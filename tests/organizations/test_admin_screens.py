"""What the admin's screens say, in French: yes/no columns read « Oui »/« Non » to screen
readers (Wagtail's cell says "True"/"False"), each listing's add button is written whole
(« Ajouter une adhésion », not « Ajouter un(e) adhésion »), and the search engines report's
"go to the field" links name the field in French and lead to something that exists."""

import re

import lxml.html
import pytest
from django.urls import reverse
from wagtail.users.models import UserProfile

from tests.factories import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def published_cells(html: str) -> list[str]:
    doc = lxml.html.fromstring(html)
    table = doc.xpath("//table[contains(@class, 'listing')]")[0]
    headers = [th.text_content().strip() for th in table.xpath("./thead//th")]
    index = len(headers)  # the last column
    return [" ".join(td.text_content().split()) for td in table.xpath(f"./tbody/tr/td[{index}]")]


def test_yes_no_columns_speak_the_users_language(client, org_a, crm_a):
    make_person(org_a.people_index, "Alice Publiée")
    make_person(org_a.people_index, "Bruno Brouillon", publish=False)
    client.force_login(crm_a)
    html = client.get(reverse("crm_contact:index")).content.decode()
    assert published_cells(html) == ["Oui", "Non"]
    assert "True" not in html and "False" not in html
    profile = UserProfile.get_for_user(crm_a)
    profile.preferred_language = "en"
    profile.save()
    html = client.get(reverse("crm_contact:index")).content.decode()
    assert published_cells(html) == ["Yes", "No"]


@pytest.mark.parametrize(
    ("index", "label"),
    [
        ("crm_membership:index", "Ajouter une adhésion"),
        ("crm_membershiptype:index", "Ajouter un type d’adhésion"),
        ("crm_affiliation:index", "Ajouter une affiliation"),
        ("crm_contacttag:index", "Ajouter une étiquette interne"),
    ],
)
def test_add_buttons_are_written_whole(client, crm_a, index, label):
    client.force_login(crm_a)
    doc = lxml.html.fromstring(client.get(reverse(index)).content.decode())
    buttons = [" ".join(a.text_content().split()) for a in doc.xpath("//a[@href]")]
    assert label in buttons


def test_the_reports_links_lead_to_the_fields_they_name(client, org_a, editor_a):
    """A person without photo nor links: the report names « photo » and « liens » (not
    "links") and each link's target is on the page, so Wagtail's focus controller switches to
    its tab and moves there."""
    person = make_person(org_a.people_index, "Élise Tremblay")
    client.force_login(editor_a)
    html = client.get(reverse("wagtailadmin_pages:edit", args=[person.pk])).content.decode()
    doc = lxml.html.fromstring(html)
    links = {
        " ".join(a.text_content().split()): a
        for a in doc.xpath("//*[@data-structured-data-report]//a[@data-controller='w-focus']")
    }
    # (split() also splits at the non-breaking spaces around the field's name)
    assert set(links) >= {"Aller au champ « photo »", "Aller au champ « liens »"}
    for link in links.values():
        assert link.get("data-action") == "w-focus#focus:prevent"
        anchor = link.get("href")
        assert doc.xpath(f"//*[@id='{anchor[1:]}']"), f"{anchor} points nowhere"
        target = link.get("data-w-focus-target-value")
        field = re.fullmatch(r"\[data-field\]:has\(#([\w-]+)\)", target)
        if field:  # the wrapper of the field's input
            assert doc.xpath(f"//*[@data-field][.//*[@id='{field[1]}']]"), target
        else:
            assert target == anchor
    assert links["Aller au champ « liens »"].get("href") == "#id_links-ADD"
