"""Person and organization cards show a record only while it is published, public and of the
same organization: a record made private later disappears from the card and its JSON-LD."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from wagtail.models import PageViewRestriction

from crm_blocks.blocks import PersonCardBlock
from home.models import StandardPage
from tests.factories import make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def page_with_card(site, person, title="Notre équipe"):
    page = StandardPage(title=title, slug="equipe")
    page.body = json.dumps([{"type": "person_card", "value": {"page": person.pk, "note": "Régie"}}])
    site.root_page.add_child(instance=page)
    page.save_revision().publish()
    return page


def shown(client, site, page) -> tuple[bool, bool]:
    """(the card is on the page, the person is in the page's JSON-LD)."""
    html = client.get(page.url, HTTP_HOST=site.hostname).content.decode()
    card = 'class="card block-record-card"' in html
    graph = html.split('<script type="application/ld+json">', 1)[-1].split("</script>", 1)[0]
    return card, "#person" in graph


def test_a_public_record_is_shown_then_disappears_once_made_private(client, org_a):
    person = make_person(org_a.people_index, "Élise Tremblay")
    page = page_with_card(org_a, person)
    assert shown(client, org_a, page) == (True, True)

    PageViewRestriction.objects.create(
        page=person, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    assert shown(client, org_a, page) == (False, False)


def test_a_record_unpublished_later_disappears_too(client, org_a):
    person = make_person(org_a.people_index, "Élise Tremblay")
    page = page_with_card(org_a, person)
    person.unpublish()
    assert shown(client, org_a, page) == (False, False)


def test_another_organizations_record_is_never_shown(client, org_a, org_b):
    other = make_person(org_b.people_index, "Agnès Réseau")
    page = page_with_card(org_a, other)
    assert shown(client, org_a, page) == (False, False)


@pytest.mark.parametrize("private", ["draft", "restricted"])
def test_choosing_a_record_that_is_not_public_is_refused_in_french(org_a, private):
    person = make_person(org_a.people_index, "Gaston Lapointe", publish=private != "draft")
    if private == "restricted":
        PageViewRestriction.objects.create(
            page=person, restriction_type=PageViewRestriction.PASSWORD, password="secret"
        )
    block = PersonCardBlock()
    with translation.override("fr"), pytest.raises(ValidationError) as error:
        block.clean(block.to_python({"page": person.pk, "note": ""}))
    assert "n’est pas visible du public" in str(error.value.block_errors["page"])
