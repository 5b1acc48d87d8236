"""The CRM on a phone (390 px wide, an iPhone's width), and the report's links in the editor.

- The records listing scrolls sideways inside its own table container, never the whole page
  (which would push the menu, the filters and the actions off screen), and every action stays
  reachable: opening a record, importing, exporting, filtering.
- The search engines report sits in the "Promotion" tab; its "go to the field" links bring the
  editor to the field, in the tab that holds it.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from crm_blocks.models import Contact
from tests.factories import contact_of, make_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}


def page_overflow(page) -> int:
    """How many pixels the page itself scrolls sideways (0 when nothing sticks out)."""
    return page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


@pytest.mark.browser
def test_the_records_listing_fits_a_phone(new_page, login, org, crm_user):
    for number in range(12):
        person = make_person(org.people_index, f"Marie-Ève Bouchard-Létourneau {number:02d}")
        contact = contact_of(person)
        contact.email = f"marie-eve.bouchard-letourneau.{number:02d}@exemple-de-courriel.org"
        contact.phone = "819 555-0150"
        contact.mobile_phone = "819 555-0151"
        contact.save()
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    login(page, crm_user, next_url=reverse("crm_contact:index"))
    table = page.locator("table.listing")
    expect(table).to_be_visible()

    assert page_overflow(page) <= 0, "the page scrolls sideways: the table is not contained"
    # The table keeps its columns and scrolls within its own container.
    container = table.evaluate_handle(
        """table => {
            for (let node = table.parentElement; node; node = node.parentElement) {
                const overflow = getComputedStyle(node).overflowX;
                if (overflow === "auto" || overflow === "scroll") return node;
            }
            return null;
        }"""
    )
    assert container.evaluate("node => node !== null"), "no scroll container around the table"
    assert container.evaluate("node => node.getBoundingClientRect().right <= window.innerWidth + 1")

    # Every action can be reached and used.
    first = Contact.objects.filter(site=org).with_name().order_by("name").first()
    name_link = table.locator(f"a:has-text('{first.name}')")
    name_link.scroll_into_view_if_needed()
    expect(name_link).to_be_in_viewport()
    action = page.get_by_role("link", name="Importer").first
    expect(action).to_be_in_viewport()
    box = action.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, "import cut off"
    # The header's "Export people" button opens its formats inside the screen.
    page.locator("[data-crm-export-menu=people] button.w-dropdown__toggle").click()
    export = page.locator("a[data-crm-export='people.csv']")
    expect(export).to_be_visible()
    box = export.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"] + 1, "export cut off"
    page.keyboard.press("Escape")
    # The last column can be scrolled to within the table's box.
    last_header = table.locator("thead th").last
    last_header.scroll_into_view_if_needed()
    expect(last_header).to_be_in_viewport()
    assert page_overflow(page) <= 0
    with page.expect_navigation():
        name_link.click()
    expect(page.locator("#crm-private-heading")).to_be_visible()
    assert page_overflow(page) <= 0, "the record screen scrolls sideways"


@pytest.mark.browser
def test_the_reports_link_brings_the_editor_to_the_field(page, login, org, editor_user):
    """ "Go to the field « liens »" from the Promotion tab opens the profile tab and puts the
    focus on the button that adds a link (before: a link to #id_links, which exists nowhere)."""
    person = make_person(org.people_index, "Élise Tremblay", publish=False)
    edit_url = reverse("wagtailadmin_pages:edit", args=[person.pk])
    login(page, editor_user, next_url=edit_url)
    page.wait_for_url(f"**{edit_url}")
    report = page.locator("[data-structured-data-report]")
    panel_id = page.locator("[role=tabpanel]:has([data-structured-data-report])").get_attribute(
        "id"
    )
    page.locator(f"[role=tab][aria-controls='{panel_id}']").click()
    expect(report).to_be_visible()
    report.locator("a[href='#id_links-ADD']").click()
    add_link = page.locator("#id_links-ADD")
    expect(add_link).to_be_visible()
    expect(add_link).to_be_focused()
    expect(report).to_be_hidden()
