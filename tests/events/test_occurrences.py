"""When an event takes place: the rule staff choose, the dates the agenda and calendars get."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError

from events.models import EventOccurrence, EventOccurrenceChange, EventPublication
from events.recurrence import RecurrenceRule, aware
from events.services import event_occurrences_sync
from tests.factories import make_event, make_organization

# The house's org_a is the organization make_organization() builds (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

MONTREAL = ZoneInfo("America/Montreal")


def local_starts(event):
    tz = ZoneInfo(event.get_time_zone())
    return [
        occurrence.start.astimezone(tz).replace(tzinfo=None)
        for occurrence in EventOccurrence.objects.filter(event=event).shown()
    ]


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=WEEKLY;BYDAY=TU;UNTIL=20270601",
        "FREQ=MONTHLY;BYDAY=2TU",
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR;COUNT=6",
        "FREQ=DAILY;COUNT=3",
        "FREQ=YEARLY",
    ],
)
def test_a_rule_reads_back_as_the_same_text(text):
    """What a spreadsheet carries comes back identical on export."""
    assert RecurrenceRule.parse(text).as_rrule() == text
    assert RecurrenceRule.parse(f"RRULE:{text.lower()}").as_rrule() == text


@pytest.mark.parametrize(
    "text",
    [
        "FREQ=HOURLY",
        "FREQ=WEEKLY;BYDAY=XX",
        "FREQ=WEEKLY;BYDAY=2TU",
        "FREQ=DAILY;COUNT=0",
        "FREQ=DAILY;UNTIL=2027",
        "FREQ=DAILY;BYSETPOS=2",
        "WEEKLY",
        "FREQ=DAILY;COUNT=2;UNTIL=20270101",
    ],
)
def test_a_rule_the_editor_cannot_show_is_refused_with_a_message(text):
    with pytest.raises(ValidationError) as error:
        RecurrenceRule.parse(text)
    assert error.value.messages[0]


def test_the_organization_gets_an_agenda():
    site = make_organization("Cinéma Beaubien", "beaubien.test")  # a new one, beside the house
    assert site.agenda.live
    assert site.agenda.slug == "agenda"


def test_a_weekly_workshop_with_an_excluded_date_and_a_moved_one(org_a):
    site = org_a
    moved = EventOccurrenceChange(
        original_date=dt.date(2027, 3, 23),
        action="move",
        new_date=dt.date(2027, 3, 24),
        note="Dans la grande salle.",
    )
    cancelled = EventOccurrenceChange(original_date=dt.date(2027, 3, 30), action="cancel")
    event = make_event(
        site.agenda,
        start_date=dt.date(2027, 3, 2),
        start_time=dt.time(19),
        end_time=dt.time(21),
        recurrence="FREQ=WEEKLY;BYDAY=TU;COUNT=6",
        exceptions="2027-03-16",
        changes=[moved, cancelled],
    )
    assert local_starts(event) == [
        dt.datetime(2027, 3, 2, 19),
        dt.datetime(2027, 3, 9, 19),
        dt.datetime(2027, 3, 24, 19),  # moved from the 23rd
        dt.datetime(2027, 4, 6, 19),
    ]
    rows = EventOccurrence.objects.filter(event=event)
    assert rows.filter(status="cancelled").get().local_date == dt.date(2027, 3, 30)
    moved_row = rows.get(status="moved")
    assert moved_row.original_start == aware(dt.datetime(2027, 3, 23, 19), MONTREAL)
    assert moved_row.end - moved_row.start == dt.timedelta(hours=2)
    assert moved_row.site == site


def test_an_evening_event_stays_at_19_00_across_the_daylight_saving_change(org_a):
    """Montreal moves its clocks on 14 March 2027: the screening stays at 19:00 local, so its
    UTC time moves by an hour."""
    site = org_a
    event = make_event(
        site.agenda,
        start_date=dt.date(2027, 2, 10),
        start_time=dt.time(19),
        recurrence="FREQ=MONTHLY;BYDAY=2WE;COUNT=3",
    )
    starts = list(EventOccurrence.objects.filter(event=event).values_list("start", flat=True))
    assert [s.astimezone(MONTREAL).hour for s in starts] == [19, 19, 19]
    assert [s.astimezone(dt.UTC).hour for s in starts] == [0, 0, 23]


def test_an_all_day_festival_over_three_days(org_a):
    site = org_a
    event = make_event(site.agenda, start_date=dt.date(2027, 6, 4), end_date=dt.date(2027, 6, 6))
    row = EventOccurrence.objects.get(event=event)
    assert row.all_day
    assert row.end.astimezone(MONTREAL) == aware(dt.datetime(2027, 6, 7), MONTREAL)


def test_unpublishing_removes_the_dates_and_republishing_counts_a_change(org_a):
    site = org_a
    event = make_event(site.agenda, start_time=dt.time(18))
    publication = EventPublication.objects.get(page=event)
    assert publication.sequence == 0
    event.unpublish()
    assert not EventOccurrence.objects.filter(event=event).exists()
    event.start_time = dt.time(20)
    event.save_revision().publish()
    assert EventOccurrence.objects.filter(event=event).count() == 1
    assert EventPublication.objects.get(page=event).sequence == 1
    event.save_revision().publish()  # nothing a calendar shows changed
    assert EventPublication.objects.get(page=event).sequence == 1


def test_a_draft_has_no_dates_in_the_agenda(org_a):
    site = org_a
    event = make_event(site.agenda, publish=False)
    assert event_occurrences_sync(event) == 0
    assert not EventOccurrence.objects.filter(event=event).exists()
