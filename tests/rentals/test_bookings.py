"""Bookings the database keeps from overlapping, and the rules a request meets: touching
periods, the buffer, cancelled bookings, time zones, trainings, kits, closures."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from crm_blocks.models import Contact
from rentals.models import (
    Booking,
    BookingLine,
    BookingStatus,
    Closure,
    KitComponent,
    Qualification,
    RentalSettings,
    Training,
)
from rentals.services import (
    BookingConflict,
    BookingError,
    availability,
    change_status,
    request_booking,
)
from tests.factories import contact_of, make_equipment, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

TORONTO = ZoneInfo("America/Toronto")


def at(day: str, time: str = "10:00", zone=TORONTO) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=zone)


@pytest.fixture
def borrower(org_a) -> Contact:
    return contact_of(make_person(org_a.people_index, "Maude Gagnon"))


@pytest.fixture
def camera(org_a):
    return make_equipment(org_a.catalogue, "Caméra Sony FX6", units=1)


def book(org_a, borrower, page, start, end, quantity=1, **kwargs):
    return request_booking(org_a, borrower, [(page, quantity)], start, end, **kwargs)


def test_touching_periods_are_allowed_overlapping_ones_refused(org_a, borrower, camera):
    """A camera returned at 10:00 (plus its rest time) can go out again right after, but not
    an hour before: the member is told which days collide, never by whom."""
    RentalSettings.objects.update_or_create(site=org_a, defaults={"buffer_hours": 0})
    book(org_a, borrower, camera, at("2027-04-02"), at("2027-04-05"))
    second = book(org_a, borrower, camera, at("2027-04-05"), at("2027-04-07"))
    assert second.lines.count() == 1
    other = contact_of(make_person(org_a.people_index, "Xavier Dolan-Inconnu"))
    with pytest.raises(BookingConflict) as refused:
        book(org_a, other, camera, at("2027-04-04", "09:00"), at("2027-04-06"))
    message = refused.value.message_for(staff=False)
    assert "Caméra Sony FX6" in message and "4 avril 2027" in message
    assert "Maude Gagnon" not in message
    assert "Maude Gagnon" in refused.value.message_for(staff=True)
    assert Booking.objects.filter(borrower=other).count() == 0, "nothing half-written"


def test_the_buffer_after_a_return_keeps_the_unit(org_a, borrower, camera):
    """Half a day to check the gear: a pick-up 6 hours after the return is refused, one 12
    hours after is taken."""
    RentalSettings.objects.update_or_create(site=org_a, defaults={"buffer_hours": 12})
    book(org_a, borrower, camera, at("2027-04-02"), at("2027-04-05", "08:00"))
    with pytest.raises(BookingConflict):
        book(org_a, borrower, camera, at("2027-04-05", "14:00"), at("2027-04-06"))
    book(org_a, borrower, camera, at("2027-04-05", "20:00"), at("2027-04-06", "20:00"))


def test_a_cancelled_or_refused_booking_frees_the_unit(org_a, borrower, camera):
    first = book(org_a, borrower, camera, at("2027-04-02"), at("2027-04-05"))
    change_status(first, BookingStatus.CANCELLED)
    second = book(org_a, borrower, camera, at("2027-04-02"), at("2027-04-05"))
    change_status(second, BookingStatus.REFUSED)
    third = book(org_a, borrower, camera, at("2027-04-03"), at("2027-04-04"))
    # Reopening the first would hold the unit twice: refused, and it stays cancelled.
    with pytest.raises(BookingConflict):
        change_status(first, BookingStatus.REQUESTED)
    first.refresh_from_db()
    assert first.status == BookingStatus.CANCELLED
    assert third.lines.get().active


def test_the_database_itself_refuses_two_lines_of_one_unit(org_a, borrower, camera):
    """Whatever writes a booking (a shell, an import bypassing the rules), the database refuses
    a second active line of the same unit for overlapping times, on SQLite and PostgreSQL."""
    booking = book(org_a, borrower, camera, at("2027-04-02"), at("2027-04-05"))
    line = booking.lines.get()
    intruder = Booking.objects.create(
        site=org_a, borrower=borrower, pickup_at=at("2027-04-03"), return_at=at("2027-04-04")
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingLine.objects.create(
            booking=intruder,
            equipment=line.equipment,
            unit=line.unit,
            starts_at=at("2027-04-03"),
            blocked_until=at("2027-04-04"),
        )
    # Inactive lines do not count; moving an active one onto the period does.
    ghost = BookingLine.objects.create(
        booking=intruder,
        equipment=line.equipment,
        unit=line.unit,
        starts_at=at("2027-04-03"),
        blocked_until=at("2027-04-04"),
        active=False,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        BookingLine.objects.filter(pk=ghost.pk).update(active=True)
    assert BookingLine.objects.filter(unit=line.unit, active=True).count() == 1


def test_availability_counts_days_in_the_organizations_zone_across_the_clock_change(
    org_a, borrower
):
    """Montreal moves its clocks on 14 March 2027: a booking from the 13th at 18:00 to the
    15th at 9:00 takes the 13th, 14th and 15th (and the buffer the rest of the 15th), not a
    day more or less; the JSON names counts only."""
    RentalSettings.objects.update_or_create(site=org_a, defaults={"buffer_hours": 12})
    lights = make_equipment(
        org_a.catalogue, "Projecteur Aputure 600d", units=2, category="lighting"
    )
    book(org_a, borrower, lights, at("2027-03-13", "18:00"), at("2027-03-15", "09:00"))
    result = availability(lights, dt.date(2027, 3, 12), dt.date(2027, 3, 17))
    assert [free for _day, free in result.days] == [2, 1, 1, 1, 2, 2]
    assert (result.units_total, result.units_free) == (2, 1)
    data = result.as_json()
    assert data["days"][2] == {"date": "2027-03-14", "units_free": 1}
    assert "Gagnon" not in str(data)


def test_an_item_that_needs_a_training_needs_it_on_the_borrowers_record(org_a, borrower):
    training = Training.objects.create(site=org_a, name="Formation caméra cinéma")
    alexa = make_equipment(org_a.catalogue, "Caméra Arri Alexa", required_training=training)
    with pytest.raises(BookingError) as refused:
        book(org_a, borrower, alexa, at("2027-05-07"), at("2027-05-10"))
    assert "Formation caméra cinéma" in refused.value.messages[0]
    # A qualification that expires before the return is not enough either.
    Qualification.objects.create(
        contact=borrower,
        training=training,
        obtained_on=dt.date(2025, 5, 1),
        expires_on=dt.date(2027, 5, 8),
    )
    with pytest.raises(BookingError):
        book(org_a, borrower, alexa, at("2027-05-07"), at("2027-05-10"))
    Qualification.objects.create(
        contact=borrower, training=training, obtained_on=dt.date(2026, 1, 5)
    )
    assert book(org_a, borrower, alexa, at("2027-05-07"), at("2027-05-10")).lines.count() == 1


def test_a_kit_books_all_its_units_or_none(org_a, borrower):
    recorder = make_equipment(org_a.catalogue, "Enregistreur Zoom F8", units=1, category="sound")
    mics = make_equipment(org_a.catalogue, "Micro-cravate Sennheiser", units=3, category="sound")
    kit = make_equipment(org_a.catalogue, "Trousse son documentaire", units=0, category="kit")
    KitComponent.objects.create(kit=kit, item=recorder, quantity=1)
    KitComponent.objects.create(kit=kit, item=mics, quantity=2)
    booking = book(org_a, borrower, kit, at("2027-06-04"), at("2027-06-07"))
    assert booking.lines.count() == 3
    assert availability(kit, dt.date(2027, 6, 5), dt.date(2027, 6, 5)).units_free == 0
    # The recorder is out: a second kit cannot be made, and no microphone is held by halves.
    with pytest.raises(BookingConflict):
        book(org_a, borrower, kit, at("2027-06-05"), at("2027-06-06"))
    assert BookingLine.objects.filter(unit__equipment=mics.twin, active=True).count() == 2
    # The third microphone alone is still free.
    assert book(org_a, borrower, mics, at("2027-06-05"), at("2027-06-06")).lines.count() == 1


def test_closed_days_have_nothing_free_and_no_pick_up(org_a, borrower, camera):
    Closure.objects.create(
        site=org_a, start_date=dt.date(2027, 6, 24), end_date=dt.date(2027, 6, 24), reason="Fête"
    )
    result = availability(camera, dt.date(2027, 6, 23), dt.date(2027, 6, 25))
    assert [free for _day, free in result.days] == [1, 0, 1]
    with pytest.raises(BookingError) as refused:
        book(org_a, borrower, camera, at("2027-06-24"), at("2027-06-26"))
    assert "24 juin 2027" in refused.value.messages[0]


def test_another_organizations_borrower_or_item_is_refused(org_a, org_b, camera):
    stranger = contact_of(make_person(org_b.people_index, "Agnès Varda"))
    with pytest.raises(BookingError):
        book(org_a, stranger, camera, at("2027-04-02"), at("2027-04-05"))
    theirs = make_equipment(org_b.catalogue, "Caméra du réseau")
    local = contact_of(make_person(org_a.people_index, "Maude Gagnon"))
    with pytest.raises(BookingError):
        book(org_a, local, theirs, at("2027-04-02"), at("2027-04-05"))


def test_a_kit_made_of_another_organizations_item_books_nothing(org_a, org_b, borrower):
    """A kit whose part was picked (or forged) in another organization's catalogue cannot take
    that organization's units."""
    theirs = make_equipment(org_b.catalogue, "Caméra du réseau")
    kit = make_equipment(org_a.catalogue, "Trousse mal faite", units=0, category="kit")
    KitComponent.objects.create(kit=kit, item=theirs, quantity=1)
    with pytest.raises(BookingError):
        book(org_a, borrower, kit, at("2027-06-04"), at("2027-06-07"))
    assert not BookingLine.objects.filter(unit__equipment=theirs.twin).exists()


def test_dates_out_of_any_sensible_year_are_refused_not_stored(org_a, borrower, camera):
    """A typo (9999) gives a clear message; nothing holds the unit for centuries."""
    with pytest.raises(ValidationError) as refused:
        book(org_a, borrower, camera, dt.date(2027, 1, 1), dt.date(9999, 12, 31))
    assert "2100" in refused.value.messages[0]
    assert not Booking.objects.exists()


def test_a_closed_day_inside_the_window_leaves_the_window_bookable(org_a, borrower, camera):
    """Closed on Sunday: a Friday-to-Monday loan is still free (the gear stays out), the Sunday
    alone shows as closed."""
    Closure.objects.create(
        site=org_a, start_date=dt.date(2027, 6, 6), end_date=dt.date(2027, 6, 6), reason="Dimanche"
    )
    result = availability(camera, dt.date(2027, 6, 4), dt.date(2027, 6, 7))
    assert result.units_free == 1
    assert [free for _day, free in result.days] == [1, 1, 0, 1]
    book(org_a, borrower, camera, at("2027-06-04"), at("2027-06-07"))
