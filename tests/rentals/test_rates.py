"""What a borrower pays: the rate column their membership gives on the pick-up day, the
cheapest of daily, weekend and weekly rates, and rates frozen once staff confirm."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from crm_blocks.models import Membership, MembershipType
from rentals.models import BookingStatus, MembershipRate, RateColumn
from rentals.services import (
    Period,
    change_status,
    price_for,
    rate_column_for,
    request_booking,
)
from tests.factories import contact_of, make_equipment, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

TORONTO = ZoneInfo("America/Toronto")


def at(day: str, time: str = "10:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=TORONTO)


@pytest.fixture
def member(org_a):
    contact = contact_of(make_person(org_a.people_index, "Maude Gagnon"))
    individual = MembershipType.objects.create(site=org_a, name="Individuelle")
    Membership.objects.create(
        contact=contact,
        membership_type=individual,
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 6, 30),
    )
    return contact


@pytest.fixture
def camera(org_a):
    return make_equipment(
        org_a.catalogue,
        "Caméra Sony FX6",
        daily_rate=Decimal("100"),
        weekend_rate=Decimal("180"),
        weekly_rate=Decimal("400"),
        member_daily_rate=Decimal("60"),
        member_weekend_rate=Decimal("110"),
        member_weekly_rate=Decimal("250"),
        commercial_daily_rate=Decimal("200"),
    )


def test_member_rates_stop_the_day_the_membership_expires(member):
    """A membership ending 30 June gives member rates for a pick-up that day, not the next."""
    assert rate_column_for(member, dt.date(2027, 6, 30)) == RateColumn.MEMBER
    assert rate_column_for(member, dt.date(2027, 7, 1)) == RateColumn.STANDARD
    assert rate_column_for(member, dt.date(2026, 12, 31)) == RateColumn.STANDARD, "not yet begun"
    assert rate_column_for(member, dt.date(2027, 3, 1), commercial=True) == RateColumn.COMMERCIAL


def test_a_membership_type_can_pay_another_column(org_a, member):
    """A "corporate" membership type set to commercial rates pays them."""
    membership = member.memberships.get()
    MembershipRate.objects.create(
        membership_type=membership.membership_type, column=RateColumn.COMMERCIAL
    )
    assert rate_column_for(member, dt.date(2027, 3, 1)) == RateColumn.COMMERCIAL


def test_a_cancelled_membership_gives_no_member_rates(member):
    member.memberships.update(status="cancelled")
    assert rate_column_for(member, dt.date(2027, 3, 1)) == RateColumn.STANDARD


@pytest.mark.parametrize(
    ("start", "end", "column", "amount"),
    [
        # Friday to Monday: the weekend rate beats three days.
        ("2027-04-02", "2027-04-05", RateColumn.MEMBER, "110.00"),
        ("2027-04-02", "2027-04-05", RateColumn.STANDARD, "180.00"),
        # Tuesday to Thursday: two days.
        ("2027-04-06", "2027-04-08", RateColumn.MEMBER, "120.00"),
        # Nine days: a week and two days (member: 250 + 2 × 60).
        ("2027-04-06", "2027-04-15", RateColumn.MEMBER, "370.00"),
        # Six days cost no more than a week.
        ("2027-04-06", "2027-04-12", RateColumn.STANDARD, "400.00"),
        # Commercial without weekend or weekly rates: days.
        ("2027-04-02", "2027-04-05", RateColumn.COMMERCIAL, "600.00"),
    ],
)
def test_the_cheapest_rate_is_charged(org_a, camera, start, end, column, amount):
    period = Period.from_values(org_a, dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    assert price_for(camera, column, period, "CAD").amount == Decimal(amount)


def test_an_item_without_member_rates_charges_non_members_rates(org_a):
    tripod = make_equipment(
        org_a.catalogue, "Trépied Sachtler", daily_rate=Decimal("15"), member_daily_rate=None
    )
    period = Period.from_values(org_a, dt.date(2027, 4, 6), dt.date(2027, 4, 8))
    assert price_for(tripod, RateColumn.MEMBER, period, "CAD").amount == Decimal("30")


def test_rates_are_frozen_when_staff_confirm(org_a, member, camera):
    """A member's request is priced at member rates; once confirmed, a change of the item's
    rates does not change what they were told."""
    booking = request_booking(org_a, member, [(camera, 1)], at("2027-04-06"), at("2027-04-08"))
    assert (booking.rate_column, booking.total) == (RateColumn.MEMBER, Decimal("120.00"))
    assert "2 jours" in booking.lines.get().rate_detail
    change_status(booking, BookingStatus.CONFIRMED)
    camera.member_daily_rate = Decimal("90")
    camera.save_revision().publish()
    booking.discount = Decimal("20")
    booking.save()
    from rentals.services import price_booking

    price_booking(booking)
    booking.refresh_from_db()
    assert booking.total == Decimal("120.00") and booking.rates_frozen_at is not None


def test_a_discount_comes_off_the_subtotal_and_the_deposit_is_the_items(org_a, member, camera):
    camera.deposit = Decimal("500")
    camera.save_revision().publish()
    booking = request_booking(org_a, member, [(camera, 1)], at("2027-04-06"), at("2027-04-08"))
    booking.discount = Decimal("20")
    from rentals.services import price_booking

    price_booking(booking)
    booking.refresh_from_db()
    assert (booking.subtotal, booking.total, booking.deposit) == (
        Decimal("120.00"),
        Decimal("100.00"),
        Decimal("500.00"),
    )
