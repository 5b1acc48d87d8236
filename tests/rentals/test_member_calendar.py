"""A member subscribes their calendar to their own bookings from the member space, and can
cut the link: lost otherwise, their pick-ups and returns in their phone, or a link they shared
by mistake that keeps showing their bookings."""

import datetime as dt
import re

import icalendar
import pytest

from rentals.services import request_booking
from tests.factories import make_equipment, make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

A = {"HTTP_HOST": "boreal.test"}


def test_a_member_gets_a_link_once_reads_their_bookings_then_stops_it(client, org_a):
    user, contact = make_member(org_a, "Maude Gagnon")
    _other_user, other = make_member(org_a, "Paul Cinéaste")
    camera = make_equipment(org_a.catalogue, "Caméra Sony FX6", units=2)
    request_booking(org_a, contact, [(camera, 1)], dt.date(2027, 4, 6), dt.date(2027, 4, 8))
    request_booking(org_a, other, [(camera, 1)], dt.date(2027, 4, 6), dt.date(2027, 4, 8))
    client.force_login(user)

    space = client.get("/espace-membre/", **A).content.decode()
    assert "Obtenir un lien vers mon calendrier" in space

    shown = client.post("/espace-membre/calendrier/", {"action": "new"}, **A)
    assert shown.status_code == 200
    address = re.search(r'value="(http[^"]+\.ics)"', shown.content.decode()).group(1)
    path = address.split("boreal.test", 1)[1]

    feed = client.get(path, **A)
    assert feed.status_code == 200
    calendar = icalendar.Calendar.from_ical(feed.content)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 2, "the pick-up and the return of her own booking only"
    assert "Paul" not in feed.content.decode()

    space = client.get("/espace-membre/", **A).content.decode()
    assert "Obtenir un nouveau lien" in space and address not in space, "shown once only"

    client.post("/espace-membre/calendrier/", {"action": "revoke"}, **A)
    assert client.get(path, **A).status_code == 404


def test_the_calendar_page_is_for_members_only(client, org_a, crm_a):
    """Staff and visitors are sent to the member space's login page; nothing is made."""
    assert client.post("/espace-membre/calendrier/", {"action": "new"}, **A).status_code == 302
    client.force_login(crm_a)
    answer = client.post("/espace-membre/calendrier/", {"action": "new"}, **A)
    assert answer.status_code == 302 and "/espace-membre/connexion/" in answer["Location"]


def test_a_member_account_removed_takes_its_calendar_link_with_it(client, org_a):
    """Someone who is no longer a member stops receiving the desk's news of their bookings."""
    user, contact = make_member(org_a, "Maude Gagnon")
    client.force_login(user)
    shown = client.post("/espace-membre/calendrier/", {"action": "new"}, **A).content.decode()
    path = re.search(r'value="http[^"]+?(/calendriers/[^"]+\.ics)"', shown).group(1)
    assert client.get(path, **A).status_code == 200
    user.member_account.delete()
    assert client.get(path, **A).status_code == 404
