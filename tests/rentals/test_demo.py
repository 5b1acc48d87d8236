"""The equipment desk the demo shows (``make demo``): the production centre's catalogue of about
forty items with units, kits and trainings, members who can log in, and bookings around the
day it is loaded — returned, one returned damaged with its unit in repair, one out, one late,
coming ones confirmed and requested — none of which holds a unit twice."""

import io
from collections import defaultdict

import pytest
from django.contrib.auth import authenticate
from django.utils import timezone
from wagtail.models import Site

from crm_blocks.models import MemberAccount
from organizations.models import OrganizationGroup
from organizations.registry import OrganizationRole
from rentals.demo import MEMBER_PASSWORD
from rentals.models import (
    Booking,
    BookingLine,
    BookingStatus,
    Closure,
    Condition,
    EquipmentPage,
    EquipmentUnit,
    KitComponent,
    MembershipRate,
    Qualification,
    UnitStatus,
)
from rentals.services import availability

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.fixture(scope="module")
def house(house_transaction, django_db_blocker):
    """The demo, loaded once for the module, as ``make demo`` loads it."""
    from home.demo import load_demo

    with django_db_blocker.unblock():
        log = io.StringIO()
        load_demo(port=8000, stdout=log)
        return {"log": log.getvalue()}


@pytest.fixture
def centre(house_copy):
    return Site.objects.get(hostname="127.0.0.1")


def test_the_production_centre_has_about_forty_items_with_units_and_kits(centre):
    """About forty published items, each with at least one unit and a photo, and two kits
    made of them; the network of cinemas, which lends nothing, has an empty catalogue."""
    pages = EquipmentPage.objects.descendant_of(centre.root_page)
    items = pages.exclude(category="kit")
    assert 36 <= items.count() <= 45
    assert pages.filter(category="kit").count() == 2
    assert not pages.filter(live=False).exists()
    assert {"camera", "lens", "lighting", "sound", "grip", "editing"} <= set(
        items.values_list("category", flat=True)
    )
    for page in items:
        assert EquipmentUnit.objects.filter(equipment__translation_key=page.translation_key)
        assert page.photos.exists(), page.title
    for kit in pages.filter(category="kit"):
        assert KitComponent.objects.filter(kit=kit).count() >= 3
        free = availability(kit, timezone.localdate(), timezone.localdate()).units_total
        assert free >= 1, "enough units for at least one whole kit"
    other = Site.objects.get(hostname="localhost")
    assert not EquipmentPage.objects.descendant_of(other.root_page).exists()


def test_trainings_closures_rates_and_members_who_log_in(centre, house_copy):
    """Two trainings, held by some members; the holidays closed; each membership type pays
    the members' rates; the members have accounts tied to their records, in the members group,
    with the password the log prints, and bookings to see in their member space."""
    assert (
        Qualification.objects.filter(contact__site=centre).values("training").distinct().count()
        == 2
    )
    assert Closure.objects.filter(site=centre, reason="Congé des Fêtes").exists()
    assert MembershipRate.objects.filter(membership_type__site=centre).count() >= 2
    group = OrganizationGroup.objects.get(site=centre, role=OrganizationRole.MEMBERS).group
    members = list(group.user_set.all())
    assert len(members) >= 3
    assert authenticate(username=members[0].username, password=MEMBER_PASSWORD) == members[0]
    assert MEMBER_PASSWORD in house_copy["log"]
    accounts = MemberAccount.objects.filter(site=centre).select_related("contact", "user")
    assert {account.user for account in accounts} == set(members)
    assert all(account.user.username == account.contact.email.lower() for account in accounts)
    borrowers = set(Booking.objects.filter(site=centre).values_list("borrower", flat=True))
    assert {account.contact_id for account in accounts} <= borrowers, "they have bookings to see"


def test_bookings_past_current_future_late_and_damaged_without_overlap(centre):
    """Bookings on both sides of today: returned ones, one returned with a damaged unit now in
    repair, one out, one late, coming ones confirmed and requested (one online), one
    cancelled; and no unit is held twice at any moment."""
    now = timezone.now()
    bookings = Booking.objects.filter(site=centre)
    statuses = set(bookings.values_list("status", flat=True))
    assert statuses == {
        BookingStatus.RETURNED,
        BookingStatus.CHECKED_OUT,
        BookingStatus.CONFIRMED,
        BookingStatus.REQUESTED,
        BookingStatus.CANCELLED,
    }
    assert bookings.late().count() == 1
    out = bookings.filter(status=BookingStatus.CHECKED_OUT).exclude(
        pk__in=bookings.late().values("pk")
    )
    assert out.filter(pickup_at__lt=now, return_at__gt=now).exists(), "one is out right now"
    assert bookings.filter(status=BookingStatus.CONFIRMED, pickup_at__gt=now).exists()
    assert bookings.filter(status=BookingStatus.REQUESTED, requested_online=True).exists()
    assert bookings.filter(commercial=True, rate_column="commercial").exists()
    assert bookings.filter(status=BookingStatus.RETURNED, return_at__lt=now).count() >= 2

    damaged = BookingLine.objects.get(booking__site=centre, condition_in=Condition.DAMAGED)
    assert damaged.condition_in_note and damaged.booking.status == BookingStatus.RETURNED
    assert damaged.unit.status == UnitStatus.REPAIR

    held = defaultdict(list)
    for line in BookingLine.objects.filter(booking__site=centre, active=True):
        held[line.unit_id].append((line.starts_at, line.blocked_until))
    assert sum(len(periods) for periods in held.values()) >= 15
    for periods in held.values():
        periods.sort()
        for (_start, until), (next_start, _until) in zip(periods, periods[1:], strict=False):
            assert until <= next_start
    frozen = bookings.exclude(status__in=[BookingStatus.REQUESTED, BookingStatus.CANCELLED])
    assert not frozen.filter(rates_frozen_at=None).exists()
    assert not bookings.filter(total=0).exclude(status=BookingStatus.CANCELLED).exists()
