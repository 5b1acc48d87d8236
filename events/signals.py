"""Publishing an event stores its dates; unpublishing removes them (deleting cascades).
A member choosing (or leaving) a network changes that network's agenda: its cached pages are
forgotten, the old network's too."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from wagtail.signals import page_published, page_unpublished

from public_cache.generations import invalidate_sites

from .models import EventPage, NetworkMembers, NetworkSharing, OpenAgendaSettings
from .network import forget_followers
from .services import event_occurrences_clear, event_occurrences_sync


def on_published(sender, instance, **kwargs):
    event_occurrences_sync(instance)


def on_unpublished(sender, instance, **kwargs):
    event_occurrences_clear(instance)


page_published.connect(on_published, sender=EventPage, dispatch_uid="events_occurrences_sync")
page_unpublished.connect(on_unpublished, sender=EventPage, dispatch_uid="events_occurrences_clear")


# Saving OpenAgenda settings that send or bring events starts the worker's hourly sync.
def on_openagenda_settings_saved(sender, instance, **kwargs):
    from .tasks import ensure_openagenda_task

    if instance.agenda_uid and (instance.push or instance.pull):
        ensure_openagenda_task()


post_save.connect(
    on_openagenda_settings_saved,
    sender=OpenAgendaSettings,
    dispatch_uid="events_openagenda_schedule",
)


def on_sharing_changed(sender, instance, **kwargs):
    forget_followers()
    networks = {instance.network_id, getattr(instance, "network_id_at_load", None)} - {None}
    if networks:
        invalidate_sites(site_ids=networks)


post_save.connect(on_sharing_changed, sender=NetworkSharing, dispatch_uid="events_sharing_saved")
post_delete.connect(
    on_sharing_changed, sender=NetworkSharing, dispatch_uid="events_sharing_deleted"
)


# A network accepting (or no longer accepting) members changes its agenda.
def on_members_changed(sender, instance, **kwargs):
    forget_followers()
    if isinstance(instance, NetworkMembers):
        invalidate_sites(site_ids=[instance.site_id])


m2m_changed.connect(
    on_members_changed,
    sender=NetworkMembers.accepted_members.through,
    dispatch_uid="events_network_members_changed",
)
post_save.connect(on_members_changed, sender=NetworkMembers, dispatch_uid="events_members_saved")
