"""What is free changes outside the booking services too: a unit goes to repair or comes back,
is added, retired or deleted; a closure is saved or removed; staff delete a booking or one of
its lines in the admin. Each forgets the organization's cached public pages
(``services.availability_changed``), so that an item's month view, its
``availability.json`` and the catalogue's "free from … to …" never show yesterday's answer.

Saving a unit only counts when what availability reads of it changed (its status, its item):
editing its notes or location leaves the cache warm.
"""

from django.db.models.signals import post_delete, post_init, post_save
from django.utils import timezone
from wagtail.models import Site

from crm_blocks.models import MemberAccount

from .models import Booking, BookingLine, CalendarToken, Closure, EquipmentUnit
from .services import availability_changed

#: What availability reads of each model: a save that changes none of these changes nothing.
WATCHED = {
    EquipmentUnit: ("status", "equipment_id"),
    BookingLine: ("unit_id", "starts_at", "blocked_until", "active"),
}


def _state(instance) -> tuple:
    return tuple(instance.__dict__.get(name) for name in WATCHED[type(instance)])


def remember_state(sender, instance, **kwargs):
    """As the row is loaded: what availability reads of it, to compare when it is saved."""
    instance._rentals_loaded_state = _state(instance)


def _site_for(site_id):
    # ``availability_changed`` only needs the site's id: no query for the row.
    return Site(pk=site_id)


def unit_saved(sender, instance, created, update_fields=None, **kwargs):
    if not created:
        if update_fields is not None and not set(update_fields) & {"status", "equipment"}:
            return
        if getattr(instance, "_rentals_loaded_state", None) == _state(instance):
            return
    instance._rentals_loaded_state = _state(instance)
    availability_changed(_site_for(instance.site_id))


def unit_deleted(sender, instance, **kwargs):
    availability_changed(_site_for(instance.site_id))


def closure_changed(sender, instance, **kwargs):
    availability_changed(_site_for(instance.site_id))


def booking_deleted(sender, instance, **kwargs):
    availability_changed(_site_for(instance.site_id))


def _line_site_id(line):
    booking = line._state.fields_cache.get("booking")
    if booking is not None:
        return booking.site_id
    return Booking.objects.filter(pk=line.booking_id).values_list("site_id", flat=True).first()


def line_saved(sender, instance, created, update_fields=None, **kwargs):
    """Lines written one by one outside the services (the services write them in bulk and say
    so themselves)."""
    if not created:
        watched = {"unit", "starts_at", "blocked_until", "active"}
        if update_fields is not None and not set(update_fields) & watched:
            return
        if getattr(instance, "_rentals_loaded_state", None) == _state(instance):
            return
    instance._rentals_loaded_state = _state(instance)
    site_id = _line_site_id(instance)
    if site_id is not None:
        availability_changed(_site_for(site_id))


def line_deleted(sender, instance, **kwargs):
    # Deleted with its booking, the booking's own signal has said it (its row may be gone).
    site_id = _line_site_id(instance)
    if site_id is not None:
        availability_changed(_site_for(site_id))


def member_account_deleted(sender, instance, **kwargs):
    """A person who is no longer a member loses their calendar link with their account."""
    CalendarToken.objects.of_member(instance.contact_id).live().update(revoked_at=timezone.now())


def connect() -> None:
    for model in WATCHED:
        post_init.connect(remember_state, sender=model, dispatch_uid=f"rentals_state_{model}")
    post_save.connect(unit_saved, sender=EquipmentUnit, dispatch_uid="rentals_unit_saved")
    post_delete.connect(unit_deleted, sender=EquipmentUnit, dispatch_uid="rentals_unit_deleted")
    post_save.connect(closure_changed, sender=Closure, dispatch_uid="rentals_closure_saved")
    post_delete.connect(closure_changed, sender=Closure, dispatch_uid="rentals_closure_deleted")
    post_delete.connect(booking_deleted, sender=Booking, dispatch_uid="rentals_booking_deleted")
    post_save.connect(line_saved, sender=BookingLine, dispatch_uid="rentals_line_saved")
    post_delete.connect(line_deleted, sender=BookingLine, dispatch_uid="rentals_line_deleted")
    post_delete.connect(
        member_account_deleted, sender=MemberAccount, dispatch_uid="rentals_member_feeds_revoked"
    )
