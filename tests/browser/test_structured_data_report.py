"""The editor's "Search engines" report, seen in the real page editor before publishing."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from tests.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

MISSING_PHOTO = "Add a photo so that Google can show this profile with a picture."


def french(message):
    with translation.override("fr"):
        return str(gettext(message))


def report_tab(page):
    panel_id = page.locator("[role=tabpanel]:has([data-structured-data-report])").get_attribute(
        "id"
    )
    return page.locator(f"[role=tab][aria-controls='{panel_id}']")


@pytest.mark.browser
def test_editor_sees_what_an_incomplete_profile_lacks_before_publishing(
    page, login, org, editor_user
):
    """An editor opens a person saved without a photo: the report under "Promotion" says, in
    French, to add a photo, points to the photo field, and shows the JSON-LD the page will
    publish. Lost otherwise: profiles that Google shows without a picture, and nobody knows why."""
    person = make_person(org.people_index, "Élise Tremblay", publish=False)
    edit_url = reverse("wagtailadmin_pages:edit", args=[person.pk])
    login(page, editor_user, next_url=edit_url)
    page.wait_for_url(f"**{edit_url}")
    report_tab(page).click()
    report = page.locator("[data-structured-data-report]")
    expect(report).to_be_visible()
    expect(report).to_contain_text(french(MISSING_PHOTO))
    assert french(MISSING_PHOTO) != MISSING_PHOTO, "the report speaks French to a French editor"
    expect(report.locator("a[href='#id_photo']")).to_have_count(1)
    report.locator("summary").click()
    source = report.locator("pre")
    expect(source).to_be_visible()
    expect(source).to_contain_text('"@type": "Person"')
    expect(source).to_contain_text('"name": "Élise Tremblay"')
