"""The public website in a real browser: on a phone, and with the keyboard only."""

import pytest
from playwright.sync_api import expect

from tests.factories import make_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
PEOPLE = [
    ("Élise Tremblay", "Monteuse."),
    (
        "Marie-Ève Bélanger-Desjardins",
        "Réalisatrice de documentaires sur le territoire, "
        "l'eau et les communautés riveraines de l'Abitibi-Témiscamingue.",
    ),
    ("Gaston Lapointe", "Chef opérateur."),
]


@pytest.mark.browser
def test_public_site_works_on_a_phone_and_with_the_keyboard(new_page, org, screenshot):
    """A visitor on a 390 px wide phone opens the people list: every card fits the screen, with
    no sideways scrolling. A keyboard user's first Tab reaches the "skip to the main content"
    link, and following it puts the focus in the main content, past the header and menu.
    Lost otherwise: a site unreadable on phones, and keyboard users tabbing through the whole
    header on every page."""
    for name, summary in PEOPLE:
        make_person(org.people_index, name, summary=summary)

    page = new_page(**PHONE)
    response = page.goto(org.people_index.url)
    assert response.status == 200
    for name, _summary in PEOPLE:
        expect(page.get_by_role("link", name=name)).to_be_visible()

    widths = page.evaluate(
        "() => ({scroll: document.scrollingElement.scrollWidth, inner: window.innerWidth})"
    )
    assert widths["inner"] == 390, widths
    assert widths["scroll"] <= widths["inner"], f"horizontal scroll on a phone: {widths}"

    page.keyboard.press("Tab")
    skip_link = page.locator("a.skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    assert skip_link.get_attribute("href") == "#main"
    # Hidden above the page until focused, it then slides into view (a short CSS transition).
    page.wait_for_function(
        """() => {
            const box = document.querySelector('a.skip-link').getBoundingClientRect();
            return box.top >= 0 && box.left >= 0 && box.right <= innerWidth && box.height > 0;
        }""",
        timeout=2_000,
    )

    page.keyboard.press("Enter")
    page.wait_for_function("() => location.hash === '#main'")
    assert page.evaluate("() => document.activeElement.closest('main') !== null"), page.evaluate(
        "() => document.activeElement.outerHTML.slice(0, 200)"
    )

    screenshot(page, "people-index-phone")
