"""An editor runs the agenda from the French admin: a workshop every Tuesday, chosen with the
friendly repetition fields, one Tuesday left out, published and then listed in the agenda."""

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from events.models import EventOccurrence, EventPage
from tests.browser.test_records_admin import form_errors, publish

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def tab_holding(page, field_id):
    """The editor's tab whose panel holds ``field_id`` (found by the field, not its label)."""
    panel_id = page.locator(f"[role=tabpanel]:has(#{field_id})").get_attribute("id")
    return page.locator(f"[role=tab][aria-controls='{panel_id}']")


def fill_date(page, field_id, value):
    """Wagtail's date fields open a picker; typing the date and leaving the field is what a
    keyboard user does."""
    page.fill(f"#{field_id}", value)
    page.keyboard.press("Escape")


@pytest.mark.browser
def test_an_editor_publishes_a_weekly_workshop_without_one_tuesday(
    new_page, login, live_server, org, editor_user
):
    """Lost otherwise: the workshop's dates (a rule staff cannot type), or a Tuesday the
    workshop does not take place on still shown to the public."""
    create = reverse("wagtailadmin_pages:add", args=["events", "eventpage", org.agenda.pk])
    page = new_page()
    login(page, editor_user, next_url=create)
    page.wait_for_url(f"**{create}")
    assert page.locator("html").get_attribute("lang").lower().startswith("fr")

    page.fill("#id_title", "Atelier de montage du mardi")
    page.fill("#id_summary", "Monter ensemble, chaque semaine.")

    dates_tab = tab_holding(page, "id_start_date")
    expect(dates_tab).to_contain_text("Dates")
    dates_tab.click()
    fill_date(page, "id_start_date", "2027-03-02")
    page.fill("#id_start_time", "19:00")
    page.keyboard.press("Escape")
    page.fill("#id_end_time", "21:00")
    page.keyboard.press("Escape")
    page.select_option("#id_repeat", label="Chaque semaine")
    page.get_by_label("mardi").check()
    fill_date(page, "id_repeat_until", "2027-03-31")
    page.fill("#id_exceptions", "2027-03-16")

    publish(page)
    assert form_errors(page) == {}, f"the event was not published: {form_errors(page)}"

    event = EventPage.objects.get(title="Atelier de montage du mardi")
    assert event.live
    assert event.recurrence == "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270331"
    shown = EventOccurrence.objects.filter(event=event).shown()
    assert list(shown.values_list("local_date", flat=True)) == [
        dt.date(2027, 3, 2),
        dt.date(2027, 3, 9),
        dt.date(2027, 3, 23),
        dt.date(2027, 3, 30),
    ]

    # Back in the editor, the rule reads in the same fields and the next dates are listed.
    page.goto(reverse("wagtailadmin_pages:edit", args=[event.pk]))
    tab_holding(page, "id_start_date").click()
    expect(page.locator("#id_repeat")).to_have_value("WEEKLY")
    expect(page.get_by_label("mardi")).to_be_checked()
    next_dates = page.locator(".events-next-dates li")
    expect(next_dates).to_have_count(4)
    expect(next_dates.first).to_contain_text("2 mars 2027, 19:00")

    visitor = new_page()
    response = visitor.goto(org.agenda.relative_url(org))
    assert response.status == 200
    expect(visitor.get_by_role("link", name="Atelier de montage du mardi").first).to_be_visible()
    assert "16 mars" not in visitor.locator("main").inner_text()
