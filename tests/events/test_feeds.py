"""iCal feeds: what someone who subscribes to the agenda, or adds one event, gets in their
calendar app. Every feed is read back with ``icalendar`` and expanded with
``recurring-ical-events``, as calendar apps do."""

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from django.core.cache import cache, caches
from django.db import connection
from django.template.loader import render_to_string
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from events.feeds import escape_text, fold
from events.models import EventOccurrence, EventOccurrenceChange, EventPrivate
from tests.factories import make_event, make_organization, make_organization_page

HOST = "boreal.test"
MONTREAL = ZoneInfo("America/Toronto")
HOSTILE = "Ciné; club, </script><b>\r\nsoirée\rlibre\\ " + "très long titre é€😀 " * 8
CANARY = "xylocanari-event"


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def expand(calendar, start=dt.date(2026, 1, 1), end=dt.date(2030, 1, 1)):
    return recurring_ical_events.of(calendar).between(start, end)


def local_start(component) -> dt.datetime:
    value = component["DTSTART"].dt
    if not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time(0))
    return value.astimezone(MONTREAL).replace(tzinfo=None)


class FeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.site = make_organization(hostname=HOST)
        agenda = cls.site.agenda
        cls.venue = make_organization_page(
            cls.site.organizations_index,
            "Cinéma Paraloeil",
            street_address="270, avenue de la Cathédrale",
            locality="Rimouski",
            region="QC",
            latitude="48.448900",
            longitude="-68.524000",
        )
        cls.other_venue = make_organization_page(cls.site.organizations_index, "Salle Bouchard")
        cls.producer = make_organization_page(cls.site.organizations_index, "Productions du Nord")
        cls.weekly = make_event(
            agenda,
            title="Atelier de montage",
            kind="workshop",
            start_date=dt.date(2027, 3, 2),
            start_time=dt.time(19),
            end_time=dt.time(21),
            recurrence="FREQ=WEEKLY;BYDAY=TU;COUNT=6",
            exceptions="2027-03-16",
            dates="2027-04-20",
            venue=cls.venue,
            changes=[
                EventOccurrenceChange(
                    original_date=dt.date(2027, 3, 23),
                    action="move",
                    new_date=dt.date(2027, 3, 24),
                    note="Dans la grande salle.",
                ),
                EventOccurrenceChange(original_date=dt.date(2027, 3, 30), action="cancel"),
            ],
        )
        # Starts on a Monday, repeats on Wednesdays: the agenda does not count the Monday.
        cls.monthly = make_event(
            agenda,
            title="Ciné-club",
            kind="screening",
            start_date=dt.date(2027, 2, 8),
            start_time=dt.time(19),
            recurrence="FREQ=MONTHLY;BYDAY=2WE;UNTIL=20270501",
            venue=cls.other_venue,
        )
        cls.festival = make_event(
            agenda,
            title="Festival du court",
            kind="festival",
            start_date=dt.date(2027, 6, 4),
            end_date=dt.date(2027, 6, 6),
            audience="families",
            organizer=cls.producer,
        )
        cls.cancelled = make_event(
            agenda,
            title="Rencontre annulée",
            kind="talk",
            start_date=dt.date(2027, 5, 12),
            start_time=dt.time(18, 30),
            status="cancelled",
        )
        cls.hostile = make_event(
            agenda, title=HOSTILE, summary=HOSTILE, kind="meeting", start_time=dt.time(10)
        )
        cls.draft = make_event(agenda, title="Brouillon secret", publish=False)
        cls.restricted = make_event(agenda, title="Réservé aux membres")
        PageViewRestriction.objects.create(
            page=cls.restricted, restriction_type=PageViewRestriction.LOGIN
        )
        other = make_organization("Cinéma Beaubien", "beaubien.test")
        cls.foreign = make_event(other.agenda, title="Projection de Beaubien")
        EventPrivate.objects.update_or_create(
            translation_key=cls.weekly.translation_key,
            defaults={
                "site": cls.site,
                "internal_notes": CANARY,
                "budget": CANARY,
                "contributor_name": CANARY,
            },
        )
        cls.feed_url = agenda.url + "feed.ics"

    def setUp(self):
        cache.clear()
        caches["pages"].clear()

    def get(self, url=None, **extra):
        return self.client.get(url or self.feed_url, HTTP_HOST=HOST, **extra)

    def by_uid(self, calendar):
        groups = {}
        for component in calendar.walk("VEVENT"):
            groups.setdefault(str(component["UID"]), []).append(component)
        return groups

    def uid(self, event):
        return f"{event.translation_key}@liens-mutuels"

    def test_expanded_dates_are_the_agenda_s_dates(self):
        """A subscriber's calendar shows the very dates the agenda lists: excluded, added,
        moved and cancelled dates included, and a rule that does not give its first day."""
        occurrences = expand(parse(self.get()))
        for event in (self.weekly, self.monthly, self.festival, self.hostile):
            uid = self.uid(event)
            shown = sorted(
                local_start(o)
                for o in occurrences
                if str(o["UID"]) == uid and o.get("STATUS") != "CANCELLED"
            )
            rows = EventOccurrence.objects.filter(event=event).shown()
            tz = ZoneInfo(event.get_time_zone())
            expected = sorted(
                row.start.astimezone(tz).replace(tzinfo=None)
                if not row.all_day
                else dt.datetime.combine(row.local_date, dt.time(0))
                for row in rows
            )
            assert shown == expected, event.title
        weekly = [o for o in occurrences if str(o["UID"]) == self.uid(self.weekly)]
        cancelled = [local_start(o) for o in weekly if o.get("STATUS") == "CANCELLED"]
        assert cancelled == [dt.datetime(2027, 3, 30, 19)]
        assert dt.datetime(2027, 3, 24, 19) in [local_start(o) for o in weekly]
        assert dt.datetime(2027, 3, 16, 19) not in [local_start(o) for o in weekly]
        assert dt.datetime(2027, 4, 20, 19) in [local_start(o) for o in weekly]

    def test_an_evening_screening_stays_at_19_00_across_the_daylight_saving_change(self):
        """Montreal moves its clocks on 14 March 2027: the ciné-club stays at 19:00 local on
        both sides, with the zone's own VTIMEZONE in the feed."""
        calendar = parse(self.get())
        assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/Toronto"]
        starts = [
            o["DTSTART"].dt for o in expand(calendar) if str(o["UID"]) == self.uid(self.monthly)
        ]
        assert [s.astimezone(MONTREAL).hour for s in starts] == [19, 19, 19]
        assert [s.astimezone(dt.UTC).hour for s in starts] == [0, 0, 23]
        assert starts[0].date() == dt.date(2027, 2, 10)

    def test_each_event_keeps_its_uid_and_its_sequence_grows_on_a_change(self):
        """A calendar app recognises the same event in the next build (UID from the record,
        not its address) and takes a changed event over (SEQUENCE)."""
        first = self.by_uid(parse(self.get()))
        cache.clear()
        caches["pages"].clear()
        second = self.by_uid(parse(self.get()))
        assert set(first) == set(second)
        assert self.uid(self.weekly) in first
        assert all(self.weekly.url_path not in uid for uid in first)
        assert int(first[self.uid(self.cancelled)][0]["SEQUENCE"]) == 0
        self.cancelled.start_time = dt.time(20)
        self.cancelled.save_revision().publish()
        third = self.by_uid(parse(self.get()))
        assert int(third[self.uid(self.cancelled)][0]["SEQUENCE"]) == 1
        assert third[self.uid(self.cancelled)][0]["DTSTART"].dt.hour == 20

    def test_cancelled_events_and_the_event_s_facts(self):
        """A cancelled event is marked so; the place, coordinates, address and kind come along."""
        events = self.by_uid(parse(self.get()))
        assert str(events[self.uid(self.cancelled)][0]["STATUS"]) == "CANCELLED"
        master = next(c for c in events[self.uid(self.weekly)] if "RECURRENCE-ID" not in c)
        assert str(master["STATUS"]) == "CONFIRMED"
        assert str(master["LOCATION"]) == (
            "Cinéma Paraloeil, 270, avenue de la Cathédrale, Rimouski, QC"
        )
        assert master["GEO"].latitude == 48.4489
        assert str(master["URL"]).endswith(self.weekly.url)
        assert master["CATEGORIES"].cats == ["Atelier ou formation"]
        assert master["DTSTAMP"].dt.tzinfo is not None and master["LAST-MODIFIED"]
        festival = events[self.uid(self.festival)][0]
        assert festival["DTSTART"].dt == dt.date(2027, 6, 4)
        assert festival["DTEND"].dt == dt.date(2027, 6, 7)
        calendar = parse(self.get())
        assert str(calendar["METHOD"]) == "PUBLISH"
        assert "Centre Images Boréales" in str(calendar["X-WR-CALNAME"])

    def test_hostile_titles_are_escaped_and_lines_folded(self):
        """A title with CR/LF, ';', ',', '</script>' and emoji reads back whole; no line of the
        file is longer than 75 octets or cuts a character."""
        response = self.get()
        for line in response.content.split(b"\r\n"):
            assert len(line) <= 75
            line.decode()  # never a character cut in two
        assert b"\n" not in response.content.replace(b"\r\n", b"")
        event = self.by_uid(parse(response))[self.uid(self.hostile)][0]
        expected = HOSTILE.replace("\r\n", "\n").replace("\r", "\n")
        assert str(event["SUMMARY"]) == expected
        assert str(event["DESCRIPTION"]) == expected
        assert escape_text("a;b,c\\d\r\ne") == "a\\;b\\,c\\\\d\\ne"
        folded = fold("X:" + "é" * 100)
        assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
        assert folded.replace("\r\n ", "") == "X:" + "é" * 100

    def test_only_public_published_events_of_the_organization_and_nothing_private(self):
        """A draft, a members-only event and another organization's event never reach a feed;
        the private twin's values never reach any feed."""
        responses = [
            self.get(),
            self.get(self.weekly.url + "calendar.ics"),
            self.get(self.feed_url + "?venue=cinema-paraloeil"),
        ]
        feed = responses[0].content.decode()
        for title in ("Brouillon secret", "Réservé aux membres", "Projection de Beaubien"):
            assert title not in feed
        uids = set(self.by_uid(parse(responses[0])))
        assert self.uid(self.foreign) not in uids and self.uid(self.draft) not in uids
        for response in responses:
            assert response.status_code == 200
            assert CANARY not in response.content.decode()
        assert self.get(self.draft.url + "calendar.ics").status_code == 404
        assert self.get(self.restricted.url + "calendar.ics").status_code != 200

    def test_one_event_s_calendar_file(self):
        """ "Add to my calendar" downloads the one event, with its moved and cancelled dates."""
        response = self.get(self.weekly.url + "calendar.ics")
        events = self.by_uid(parse(response))
        assert list(events) == [self.uid(self.weekly)]
        assert len(events[self.uid(self.weekly)]) == 3
        assert "attachment" in response["Content-Disposition"]

    def test_filters_give_their_own_events_and_never_another_filter_s_cache(self):
        """Subscribing to one venue or kind gives that venue's or kind's events, whatever was
        asked before; a wrong kind is explained, an unknown venue gives an empty calendar."""
        all_uids = set(self.by_uid(parse(self.get())))
        paraloeil = set(self.by_uid(parse(self.get(self.feed_url + "?venue=cinema-paraloeil"))))
        bouchard = set(self.by_uid(parse(self.get(self.feed_url + "?venue=salle-bouchard"))))
        assert paraloeil == {self.uid(self.weekly)}
        assert bouchard == {self.uid(self.monthly)}
        assert len(all_uids) == 5
        again = set(self.by_uid(parse(self.get(self.feed_url + "?venue=cinema-paraloeil"))))
        assert again == paraloeil
        kinds = self.get(self.feed_url + "?kind=festival&kind=talk")
        assert set(self.by_uid(parse(kinds))) == {self.uid(self.festival), self.uid(self.cancelled)}
        families = self.get(self.feed_url + "?audience=families")
        assert set(self.by_uid(parse(families))) == {self.uid(self.festival)}
        organizer = self.get(self.feed_url + "?organizer=productions-du-nord")
        assert set(self.by_uid(parse(organizer))) == {self.uid(self.festival)}
        assert not self.by_uid(parse(self.get(self.feed_url + "?organizer=cinema-paraloeil")))
        unknown = parse(self.get(self.feed_url + "?venue=nulle-part"))
        assert not unknown.walk("VEVENT") and unknown.walk("VTIMEZONE")
        wrong = self.get(self.feed_url + "?kind=%3Cscript%3E")
        assert wrong.status_code == 400
        assert wrong["Content-Type"].startswith("text/plain")
        assert "<script>" in wrong.content.decode()  # plain text, shown as typed

    def test_a_current_copy_gets_a_304_without_any_query_of_the_feed(self):
        """Calendar apps that ask again get "not modified", answered before any page is read;
        from the page cache without a single query."""
        url = self.feed_url + "?organizer=productions-du-nord"  # not kept by the page cache
        first = self.get(url)
        assert first["ETag"] and first["Last-Modified"]
        with CaptureQueriesContext(connection) as routing_and_feed:
            again = self.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        feed_tables = ("events_eventpage", "events_eventpublication", "events_eventoccurrence")
        for query in routing_and_feed.captured_queries:
            assert not any(table in query["sql"] for table in feed_tables), query["sql"]
        since = self.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304
        plain = self.get()
        with CaptureQueriesContext(connection) as cached:
            assert self.get(HTTP_IF_NONE_MATCH=plain["ETag"]).status_code == 304
        assert len(cached.captured_queries) == 0
        self.festival.title = "Festival du court métrage"
        self.festival.save_revision().publish()
        changed = self.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert changed.status_code == 200 and changed["ETag"] != first["ETag"]

    def test_the_add_to_calendar_links(self):
        """Under an event: its .ics file, and Google Calendar and Outlook.com prefilled with
        its next date in its own time zone."""
        html = render_to_string(
            "events/includes/add_to_calendar.html", {"event": self.monthly, "page": self.monthly}
        )
        assert f'href="http://{HOST}{self.monthly.url}calendar.ics"' in html
        assert "calendar.google.com/calendar/render?action=TEMPLATE" in html
        assert "dates=20270210T190000%2F20270210T190000" in html
        assert "ctz=America%2FToronto" in html
        assert "outlook.live.com/calendar/0/deeplink/compose?subject=Cin%C3%A9-club" in html
        assert "startdt=2027-02-10T19%3A00%3A00-05%3A00" in html
        assert "location=Salle+Bouchard" in html
        assert "Ajouter «\xa0Ciné-club\xa0» à Google Agenda" in html

    def test_the_subscribe_links_keep_the_current_filters(self):
        """The agenda's "subscribe" offers the feed with the filters shown, as webcal:// and as
        an address to copy; other parameters (the page number) are left out."""
        html = render_to_string(
            "events/includes/subscribe.html",
            {"agenda": self.site.agenda, "feed_query": "venue=cinema-paraloeil&page=2"},
        )
        assert f'href="webcal://{HOST}/agenda/feed.ics?venue=cinema-paraloeil"' in html
        assert f'value="http://{HOST}/agenda/feed.ics?venue=cinema-paraloeil"' in html
        assert "page=2" not in html
