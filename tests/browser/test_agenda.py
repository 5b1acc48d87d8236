"""The agenda in a real browser, on a phone, with the keyboard only."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.factories import make_event, make_organization_page

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}


def focus_by_tabbing(page, selector, limit=60):
    """Press Tab until ``selector`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got the focus in {limit} presses of Tab")


def no_sideways_scroll(page):
    widths = page.evaluate(
        "() => ({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["inner"] == 390, widths
    assert widths["scroll"] <= widths["inner"], f"horizontal scroll on a phone: {widths}"


@pytest.mark.browser
def test_agenda_is_filtered_by_kind_with_the_keyboard_on_a_phone(new_page, org, screenshot):
    """On a 390 px wide phone, a keyboard user tabs to the kind filter, picks « Atelier », tabs
    to the button and submits: only workshops are left. Neither the list, the filter form nor
    the month grid scrolls sideways. Lost otherwise: an agenda unreadable on phones, or a
    filter that needs a mouse or JavaScript."""
    venue = make_organization_page(
        org.organizations_index, "Cinéma du Parc, salle Jean-Claude-Lauzon-Deschamps"
    )
    for n, (title, kind) in enumerate(
        [
            ("Projection en plein air d'un long métrage documentaire québécois", "screening"),
            ("Atelier de montage", "workshop"),
            ("Table ronde", "talk"),
        ]
    ):
        make_event(
            org.agenda,
            title,
            kind=kind,
            venue=venue,
            start_date=dt.date(2027, 3, 9) + dt.timedelta(days=n),
            start_time=dt.time(19, 30),
            price=12,
            wheelchair_accessible=True,
            deaf_subtitles=True,
        )

    page = new_page(**PHONE)
    assert page.goto(org.agenda.url).status == 200
    expect(page.get_by_role("link", name="Atelier de montage")).to_be_visible()
    no_sideways_scroll(page)

    focus_by_tabbing(page, "#agenda-kind")
    expect(page.get_by_label("Type")).to_be_focused()
    page.keyboard.press("ArrowDown")  # « Projection »
    page.keyboard.press("ArrowDown")  # « Atelier ou formation »
    expect(page.locator("#agenda-kind")).to_have_value("workshop")
    focus_by_tabbing(page, "form.agenda__filters button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert "kind=workshop" in page.url
    titles = page.locator(".agenda-item__title a")
    expect(titles).to_have_count(1)
    expect(titles).to_have_text("Atelier de montage")
    no_sideways_scroll(page)

    assert page.goto(f"{org.agenda.url}?month=2027-03").status == 200
    expect(page.locator("table.agenda-month__grid")).to_be_visible()
    no_sideways_scroll(page)
    screenshot(page, "agenda-month-phone")
