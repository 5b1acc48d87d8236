"""A visitor proposes an event on the agenda's form; an editor approves it in the admin."""

import datetime as dt
import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from events.models import EventPage

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.mark.browser
def test_a_visitor_proposes_an_event_and_an_editor_approves_it(new_page, org, editor_user, login):
    """A visitor on a phone fills the form with the keyboard and mouse and sends it: a thank-you
    page, and the agenda does not show the event yet. The editor, told by e-mail, opens it in
    the admin and approves it: the event is then on the agenda and on its own page. Lost
    otherwise: proposals that nobody can send, or that no moderator can publish."""
    start = dt.date.today() + dt.timedelta(days=20)
    visitor = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    response = visitor.goto(f"{org.agenda.url}proposer/")
    assert response.status == 200
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Proposer un événement")
    visitor.get_by_label("Titre de l’événement").fill("Ciné-club des Boréales")
    visitor.get_by_label("En une ou deux phrases").fill("Un film et une discussion.")
    visitor.get_by_label("Date", exact=False).first.fill(start.isoformat())
    visitor.get_by_label("Heure de début").fill("19:30")
    visitor.get_by_label("Ou le nom d’un autre lieu").fill("Salle paroissiale")
    visitor.get_by_label("Entrée libre").check()
    visitor.get_by_label("Votre nom").fill("Lucie Gagnon")
    visitor.get_by_label("Votre adresse courriel").fill("lucie@example.org")
    visitor.get_by_label(re.compile("J’accepte que")).check()
    widths = visitor.evaluate("() => [document.scrollingElement.scrollWidth, innerWidth]")
    assert widths[0] <= widths[1], f"the form scrolls sideways on a phone: {widths}"
    with visitor.expect_navigation():
        visitor.get_by_role("button", name="Envoyer la proposition").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Merci pour votre proposition")

    event = EventPage.objects.get(title="Ciné-club des Boréales")
    assert not event.live
    assert any(editor_user.email in message.to for message in mail.outbox)
    visitor.goto(org.agenda.url)
    expect(visitor.get_by_text("Ciné-club des Boréales")).to_have_count(0)

    admin = new_page()
    login(admin, editor_user, f"/admin/pages/{event.pk}/edit/")
    admin.locator("footer [data-w-dropdown-target='toggle']").first.click()
    with admin.expect_navigation():
        admin.get_by_role("button", name="Approuver et Publier").click()
    expect(admin.locator(".messages")).to_contain_text("Ciné-club des Boréales")

    event.refresh_from_db()
    assert event.live
    visitor.goto(event.url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Ciné-club des Boréales")
    assert any(message.to == ["lucie@example.org"] for message in mail.outbox)
