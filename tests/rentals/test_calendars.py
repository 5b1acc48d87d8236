"""Private calendars of the equipment desk: what a subscribed calendar app shows (read back
with ``icalendar`` and expanded with ``recurring-ical-events``), who can open a link, and that
nothing of it reaches another organization or the public."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import pgettext

from crm_blocks.models import Contact
from rentals import feeds
from rentals.models import BookingStatus, CalendarToken, CalendarTokenKind, KitComponent
from rentals.services import change_status, request_booking, reschedule
from tests.factories import contact_of, make_equipment, make_person, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

TORONTO = ZoneInfo("America/Toronto")
UTC = dt.UTC


def at(day: str, time: str = "10:00", zone=TORONTO) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=zone)


class Clock:
    """Django's clock, held still (and moved by hand) where dates matter."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(dt.datetime(2027, 3, 1, 12, 0, tzinfo=UTC))
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def maude(org_a) -> Contact:
    return contact_of(make_person(org_a.people_index, "Maude Gagnon"))


@pytest.fixture
def camera(org_a):
    return make_equipment(org_a.catalogue, "Caméra Sony FX6", units=2)


def book(site, borrower, page, start, end, quantity=1, **kwargs):
    return request_booking(site, borrower, [(page, quantity)], start, end, **kwargs)


def staff_link(site, label="Réception"):
    return feeds.calendar_link_create(site=site, label=label)


def member_link(contact):
    return feeds.calendar_link_create(
        site=contact.site, kind=CalendarTokenKind.MEMBER, contact=contact
    )


def fetch(client, site, secret):
    path = reverse(feeds.URL_NAME, kwargs={"secret": secret})
    return client.get(path, HTTP_HOST=site.hostname)


def read(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.content[:200]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def events_of(calendar, start=dt.date(2026, 1, 1), end=dt.date(2029, 1, 1)):
    return recurring_ical_events.of(calendar).between(start, end)


def by_uid(calendar) -> dict:
    return {str(event["UID"]): event for event in events_of(calendar)}


# --- What the desk's calendar shows ------------------------------------------------------------


def test_the_desk_sees_each_pickup_and_return_at_local_time_across_the_clock_change(
    client, clock, org_a, maude, camera
):
    """Montreal moves its clocks on 14 March 2027: a camera picked up on the 13th at 10:00 and
    returned on the 15th at 10:00 shows at 10:00 on both days in the desk's phone, titled with
    the borrower and the item, described with the booking's number, status and the unit's
    inventory number."""
    booking = book(org_a, maude, camera, at("2027-03-13"), at("2027-03-15"))
    unit = booking.lines.get().unit
    token, secret = staff_link(org_a)
    calendar = read(fetch(client, org_a, secret))

    pickup = by_uid(calendar)[f"rentals-staff-{booking.pk}-pickup@liens-mutuels"]
    back = by_uid(calendar)[f"rentals-staff-{booking.pk}-return@liens-mutuels"]
    assert (pickup.start.astimezone(TORONTO).hour, back.start.astimezone(TORONTO).hour) == (10, 10)
    assert pickup.start.astimezone(UTC) == dt.datetime(2027, 3, 13, 15, tzinfo=UTC)  # EST
    assert back.start.astimezone(UTC) == dt.datetime(2027, 3, 15, 14, tzinfo=UTC)  # EDT
    text = calendar.to_ical().decode()
    assert "DTSTART;TZID=America/Toronto:20270313T100000" in text.replace("\r\n ", "")
    # The zone travels with the calendar: its own VTIMEZONE knows both offsets.
    zone = calendar.timezones[0].to_tz()
    assert dt.datetime(2027, 3, 13, 10, tzinfo=zone).utcoffset() == dt.timedelta(hours=-5)
    assert dt.datetime(2027, 3, 15, 10, tzinfo=zone).utcoffset() == dt.timedelta(hours=-4)

    with translation.override("fr"):
        assert str(pickup["SUMMARY"]).startswith(pgettext("calendar event", "Pick-up"))
        assert str(back["SUMMARY"]).startswith(pgettext("calendar event", "Return"))
        requested = str(BookingStatus.REQUESTED.label)
    assert "Maude Gagnon" in pickup["SUMMARY"] and "Caméra Sony FX6" in pickup["SUMMARY"]
    description = str(pickup["DESCRIPTION"])
    assert booking.number in description and unit.inventory_number in description
    assert requested in description and "Maude Gagnon" in description
    assert str(pickup["STATUS"]) == "TENTATIVE"
    assert str(pickup["CLASS"]) == "PRIVATE"


def test_a_change_keeps_the_events_and_tells_calendar_apps_it_is_newer(
    client, clock, org_a, maude, camera
):
    """Moved and then confirmed, a booking keeps its two events (same UIDs: the phone moves
    them instead of doubling them), each change raising SEQUENCE and LAST-MODIFIED."""
    booking = book(org_a, maude, camera, at("2027-04-02"), at("2027-04-05"))
    _token, secret = staff_link(org_a)
    before = by_uid(read(fetch(client, org_a, secret)))
    clock.advance(hours=2)
    reschedule(booking, at("2027-04-09"), at("2027-04-12"))
    clock.advance(hours=2)
    change_status(booking, BookingStatus.CONFIRMED)
    after = by_uid(read(fetch(client, org_a, secret)))

    assert after.keys() == before.keys()
    for uid, event in after.items():
        assert event["SEQUENCE"] > before[uid]["SEQUENCE"]
        assert event["LAST-MODIFIED"].dt > before[uid]["LAST-MODIFIED"].dt
        assert str(event["STATUS"]) == "CONFIRMED"
    pickup = after[f"rentals-staff-{booking.pk}-pickup@liens-mutuels"]
    assert pickup.start == at("2027-04-09")


def test_a_cancelled_booking_shows_as_cancelled_for_a_while_then_leaves(
    client, clock, org_a, maude, camera
):
    """Cancelled, a booking stays in the calendar marked cancelled (so that an app that
    merges sees it go) for CANCELLED_SHOWN_DAYS, then disappears; a returned booking leaves
    PAST_DAYS after its return."""
    cancelled = book(org_a, maude, camera, at("2027-06-02"), at("2027-06-05"))
    kept = book(org_a, maude, camera, at("2027-03-02"), at("2027-03-04"))
    _token, secret = staff_link(org_a)
    change_status(cancelled, BookingStatus.CANCELLED)
    events = by_uid(read(fetch(client, org_a, secret)))
    event = events[f"rentals-staff-{cancelled.pk}-pickup@liens-mutuels"]
    assert str(event["STATUS"]) == "CANCELLED"
    with translation.override("fr"):
        assert str(BookingStatus.CANCELLED.label) in str(event["SUMMARY"])
    assert f"rentals-staff-{kept.pk}-return@liens-mutuels" in events

    clock.advance(days=feeds.CANCELLED_SHOWN_DAYS + 1)
    uids = by_uid(read(fetch(client, org_a, secret)))
    assert f"rentals-staff-{cancelled.pk}-pickup@liens-mutuels" not in uids
    assert f"rentals-staff-{kept.pk}-return@liens-mutuels" in uids
    clock.now = at("2027-03-04") + dt.timedelta(days=feeds.PAST_DAYS + 1)
    assert not by_uid(read(fetch(client, org_a, secret)))


def test_a_kit_is_named_once_with_each_of_its_units_listed(client, clock, org_a, maude):
    """A sound kit booked twice reads « 2 × Trousse son » in the title, while the description
    lists every unit that goes out, with its inventory number."""
    recorder = make_equipment(org_a.catalogue, "Enregistreur Zoom F8", units=2, category="sound")
    mics = make_equipment(org_a.catalogue, "Micro-cravate Sennheiser", units=4, category="sound")
    kit = make_equipment(org_a.catalogue, "Trousse son", units=0, category="kit")
    KitComponent.objects.create(kit=kit, item=recorder, quantity=1)
    KitComponent.objects.create(kit=kit, item=mics, quantity=2)
    booking = book(org_a, maude, kit, at("2027-06-04"), at("2027-06-07"), quantity=2)
    _token, secret = staff_link(org_a)
    event = by_uid(read(fetch(client, org_a, secret)))[
        f"rentals-staff-{booking.pk}-pickup@liens-mutuels"
    ]
    assert "2 × Trousse son" in event["SUMMARY"]
    description = str(event["DESCRIPTION"])
    for line in booking.lines.select_related("unit"):
        assert line.unit.inventory_number in description
    assert description.count("Micro-cravate Sennheiser") == 4


def test_the_calendar_costs_the_same_queries_for_few_or_many_bookings(client, clock, org_a, maude):
    """A desk with a busy season is not slower to sync: the number of queries does not grow
    with the bookings, items or borrowers."""
    _token, secret = staff_link(org_a)
    items = [make_equipment(org_a.catalogue, f"Objectif Zeiss {n}", units=1) for n in range(5)]

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            read(fetch(client, org_a, secret))
        return len(queries)

    book(org_a, maude, items[0], at("2027-04-02"), at("2027-04-05"))
    count()  # the first read records when the link was used
    few = count()
    for number, item in enumerate(items[1:], start=1):
        other = contact_of(make_person(org_a.people_index, f"Emprunteuse {number}"))
        book(org_a, other, item, at("2027-05-02"), at("2027-05-05"))
    assert count() == few


# --- Who can open a link -----------------------------------------------------------------------


def test_a_revoked_link_answers_like_one_that_never_existed(client, clock, org_a, maude, camera):
    """Revoked, the desk's link stops at once; whoever kept it cannot tell it from a made-up
    address (same status, body and headers), and nothing of it is ever stored on the way."""
    book(org_a, maude, camera, at("2027-04-02"), at("2027-04-05"))
    token, secret = staff_link(org_a)
    live = fetch(client, org_a, secret)
    assert live.status_code == 200
    token.revoke()
    revoked = fetch(client, org_a, secret)
    unknown = fetch(client, org_a, CalendarToken.new_secret())
    malformed = fetch(client, org_a, "pas-un-secret")
    for response in (revoked, unknown, malformed):
        assert response.status_code == 404
        assert response.content == unknown.content
        assert response["Content-Type"] == unknown["Content-Type"]
        assert b"Gagnon" not in response.content
    for response in (live, revoked, unknown):
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
        assert "public" not in response["Cache-Control"]


def test_only_a_digest_of_the_secret_is_kept(clock, org_a):
    """A copy of the database (a backup, a leak) holds no address that opens a calendar."""
    token, secret = staff_link(org_a)
    row = CalendarToken.objects.filter(pk=token.pk).values().get()
    assert not [name for name, value in row.items() if secret in str(value)]
    assert row["prefix"] == secret[: len(row["prefix"])] and len(row["prefix"]) < 10
    assert CalendarToken.objects.matching(secret).get() == token


def test_reading_a_link_records_when_without_writing_at_every_poll(client, clock, org_a):
    """Staff see when a link was last read (to spot a forgotten one); calendar apps polling
    every few minutes do not write each time."""
    token, secret = staff_link(org_a)
    fetch(client, org_a, secret)
    token.refresh_from_db()
    assert token.last_used_at == clock.now
    first = clock.now
    clock.advance(minutes=5)
    fetch(client, org_a, secret)
    token.refresh_from_db()
    assert token.last_used_at == first
    clock.advance(minutes=15)
    fetch(client, org_a, secret)
    token.refresh_from_db()
    assert token.last_used_at == clock.now


def test_another_organizations_link_opens_nothing_here(client, clock, org_a, org_b, maude, camera):
    """A link of the French network, asked on the Montreal centre's host, gets "not found";
    on its own host it shows its own bookings, never the centre's."""
    book(org_a, maude, camera, at("2027-04-02"), at("2027-04-05"))
    agnes = contact_of(make_person(org_b.people_index, "Agnès Varda"))
    theirs = make_equipment(org_b.catalogue, "Caméra du réseau")
    their_booking = book(
        org_b,
        agnes,
        theirs,
        at("2027-04-02", zone=ZoneInfo("Europe/Paris")),
        at("2027-04-03", zone=ZoneInfo("Europe/Paris")),
    )
    _token, their_secret = staff_link(org_b)
    _member, their_member_secret = member_link(agnes)
    _ours, our_secret = staff_link(org_a)
    unknown = fetch(client, org_a, CalendarToken.new_secret())
    for secret in (their_secret, their_member_secret):
        response = fetch(client, org_a, secret)
        assert response.status_code == 404 and response.content == unknown.content
    assert fetch(client, org_b, our_secret).status_code == 404

    calendar = read(fetch(client, org_b, their_secret))
    assert set(by_uid(calendar)) == {
        f"rentals-staff-{their_booking.pk}-pickup@liens-mutuels",
        f"rentals-staff-{their_booking.pk}-return@liens-mutuels",
    }
    assert "Gagnon" not in calendar.to_ical().decode()
    assert "TZID=Europe/Paris" in calendar.to_ical().decode()


# --- A member's own calendar -------------------------------------------------------------------


def test_a_members_calendar_shows_their_own_bookings_only(client, clock, org_a, maude, camera):
    """Maude's calendar shows her pick-ups and returns, linked to her booking's page in the
    member space, without inventory numbers, and nothing of anyone else's bookings."""
    mine = book(org_a, maude, camera, at("2027-04-02"), at("2027-04-05"))
    xavier = contact_of(make_person(org_a.people_index, "Xavier Inconnu"))
    theirs = book(org_a, xavier, camera, at("2027-04-02"), at("2027-04-05"))
    _token, secret = member_link(maude)
    calendar = read(fetch(client, org_a, secret))
    events = by_uid(calendar)
    assert set(events) == {
        f"rentals-member-{mine.pk}-pickup@liens-mutuels",
        f"rentals-member-{mine.pk}-return@liens-mutuels",
    }
    text = calendar.to_ical().decode().replace("\r\n ", "")
    assert "Xavier" not in text and theirs.number not in text
    assert mine.lines.get().unit.inventory_number not in text
    assert "Caméra Sony FX6" in events[f"rentals-member-{mine.pk}-pickup@liens-mutuels"]["SUMMARY"]
    url = str(events[f"rentals-member-{mine.pk}-pickup@liens-mutuels"]["URL"])
    page_url = org_a.catalogue.get_full_url() + org_a.catalogue.reverse_subpage(
        "booking", args=[mine.pk]
    )
    assert url == page_url


def test_a_member_gets_a_new_link_and_the_old_one_stops(rf, client, clock, org_a, maude, camera):
    """Asking for their calendar link again (one was shared by mistake) gives the member a new
    address and cuts the old one; revoking leaves none; an address is never shown twice."""
    book(org_a, maude, camera, at("2027-04-02"), at("2027-04-05"))
    request = rf.get("/", HTTP_HOST=org_a.hostname)
    request.user = make_user(org_a, username="maude")
    first = feeds.member_feed_url(request, maude)
    assert first.startswith(f"http://{org_a.hostname}/calendriers/location/")
    assert client.get(first).status_code == 200
    second = feeds.member_feed_url(request, maude)
    assert second != first
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200
    live = feeds.member_feed(maude)
    assert live.kind == CalendarTokenKind.MEMBER and live.created_by == request.user
    assert feeds.member_feed_url(request, maude, create=False) is None
    assert CalendarToken.objects.of_member(maude).count() == 2, "create=False made nothing"
    assert feeds.revoke_member_feeds(maude) == 1
    assert client.get(second).status_code == 404
    assert feeds.member_feed(maude) is None


# --- The admin -------------------------------------------------------------------------------


def test_the_desk_makes_a_link_sees_it_once_and_revokes_it(client, clock, org_a, crm_a):
    """Staff name a link (« Téléphone de la réception »), copy its address from the page that
    follows, never see it again in the admin, and revoke it when the phone is lost."""
    client.force_login(crm_a)
    response = client.post(
        reverse("rentals_calendartoken:add"),
        {"site": org_a.pk, "label": "Téléphone de la réception"},
    )
    assert response.status_code == 200
    address = re.search(r'value="(http[^"]+\.ics)"', response.content.decode()).group(1)
    assert address.startswith(f"http://{org_a.hostname}/calendriers/location/")
    token = CalendarToken.objects.get(label="Téléphone de la réception")
    assert (token.site, token.kind, token.created_by) == (org_a, "staff", crm_a)
    secret = address.rsplit("/", 1)[1].removesuffix(".ics")
    assert client.get(address).status_code == 200

    index = client.get(reverse("rentals_calendartoken:index")).content.decode()
    assert "Téléphone de la réception" in index and secret not in index
    edit = client.get(reverse("rentals_calendartoken:edit", args=[token.pk])).content.decode()
    assert secret not in edit
    # Unnamed, no link is made.
    client.post(reverse("rentals_calendartoken:add"), {"site": org_a.pk, "label": ""})
    assert CalendarToken.objects.count() == 1

    response = client.post(reverse("rentals_calendartoken:delete", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert client.get(address).status_code == 404


def test_another_organization_reaches_none_of_the_links_in_the_admin(
    client, clock, org_a, org_b, crm_b, maude
):
    """The French network's staff cannot list, open, rename or revoke the centre's calendar
    links (the answer is the one for a missing id), nor make one for the centre; its members,
    who do not work in the admin, get nothing either."""
    token, secret = staff_link(org_a, label="Calendrier de Maude")
    member_token, _member_secret = member_link(maude)
    client.force_login(crm_b)
    index = client.get(reverse("rentals_calendartoken:index"))
    assert index.status_code == 200
    assert "Calendrier de Maude" not in index.content.decode()
    assert "Gagnon" not in index.content.decode()
    missing = 10**9
    for name in ("edit", "delete", "history"):
        nothing = client.get(reverse(f"rentals_calendartoken:{name}", args=[missing]))
        for pk in (token.pk, member_token.pk):
            response = client.get(reverse(f"rentals_calendartoken:{name}", args=[pk]))
            assert (response.status_code, response.content) == (404, nothing.content), name
    client.post(reverse("rentals_calendartoken:delete", args=[token.pk]))
    client.post(reverse("rentals_calendartoken:edit", args=[token.pk]), {"label": "Volé"})
    client.post(reverse("rentals_calendartoken:add"), {"site": org_a.pk, "label": "Intrus"})
    token.refresh_from_db()
    assert token.is_live and token.label == "Calendrier de Maude"
    assert not CalendarToken.objects.filter(label="Intrus").exists()
    assert fetch(client, org_a, secret).status_code == 200

    member_of_b = make_user(org_b, username="membre-reseau")
    client.force_login(member_of_b)
    for url in (
        reverse("rentals_calendartoken:index"),
        reverse("rentals_calendartoken:edit", args=[token.pk]),
    ):
        response = client.get(url)
        assert response.status_code in (302, 403, 404)
        assert "Calendrier de Maude" not in response.content.decode()


def test_no_public_output_shows_or_links_a_calendar(client, clock, org_a, maude, camera):
    """The home page, the sitemap, robots.txt and the site search (asked for the link's
    visible prefix or its name) show no calendar address, prefix or link name: the calendars
    are found only by those given the address. (``tests/privacy/test_canary.py`` plants
    canaries in every private field of the links and reads every public output.)"""
    book(org_a, maude, camera, at("2027-04-02"), at("2027-04-05"))
    token, secret = staff_link(org_a, label="Tablette de Zébulon")
    member, member_secret = member_link(maude)
    with translation.override("fr"):
        search = reverse("search")
    host = {"HTTP_HOST": org_a.hostname}
    pages = ["/", "/sitemap.xml", "/robots.txt"]
    pages += [f"{search}?q={query}" for query in (token.prefix, member.prefix, "Zébulon")]
    for url in pages:
        response = client.get(url, **host)
        assert response.status_code == 200, url
        text = response.content.decode()
        for private in (secret, member_secret, "calendriers/location", "Tablette de Zébulon"):
            assert private not in text, (url, private)
        if "?q=" not in url:
            assert token.prefix not in text and member.prefix not in text, url
