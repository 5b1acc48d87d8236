"""Publishing an event stores its dates; unpublishing removes them (deleting cascades)."""

from wagtail.signals import page_published, page_unpublished

from .models import EventPage
from .services import event_occurrences_clear, event_occurrences_sync


def on_published(sender, instance, **kwargs):
    event_occurrences_sync(instance)


def on_unpublished(sender, instance, **kwargs):
    event_occurrences_clear(instance)


page_published.connect(on_published, sender=EventPage, dispatch_uid="events_occurrences_sync")
page_unpublished.connect(on_unpublished, sender=EventPage, dispatch_uid="events_occurrences_clear")
