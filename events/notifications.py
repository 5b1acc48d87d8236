"""Telling a contributor what became of their proposal (``events.contributions``): one e-mail
when the event is published, or one when a moderator refuses it, in the agenda's language,
to the address kept in the event's private twin — and never a second one (the twin records
``contributor_answered_at``).

Staff hear of a new proposal from Wagtail itself: submitting the draft to the agenda's
workflow starts its task, whose e-mail goes to the task's groups (the organization's editors),
in each one's admin language, naming the task (« Propositions à l'agenda »).
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from wagtail.models import WorkflowState
from wagtail.signals import page_published, workflow_rejected

from organizations.models import OrganizationSettings
from organizations.services import organization_collection, organization_private_collection

from .models import EventPage, EventPrivate


def _twin_to_answer(event: EventPage) -> EventPrivate | None:
    """The twin of a proposal whose contributor was not told yet, locked for the answer."""
    return (
        EventPrivate.objects.select_for_update()
        .filter(translation_key=event.translation_key, contributor_answered_at__isnull=True)
        .exclude(contributor_email="")
        .exclude(contributed_at=None)
        .first()
    )


def _tell_contributor(event: EventPage, twin: EventPrivate, template: str) -> None:
    site = event.get_site()
    organization = OrganizationSettings.for_site(site) if site else None
    context = {
        "event": event,
        "event_url": event.get_full_url() if event.live else "",
        "agenda": event.get_parent(),
        "contributor_name": twin.contributor_name,
        "organization_name": (organization.legal_name if organization else "")
        or (site.site_name if site else ""),
    }
    with translation.override(event.locale.language_code):
        subject = render_to_string(f"events/emails/{template}_subject.txt", context).strip()
        body = render_to_string(f"events/emails/{template}.txt", context).strip()
    recipient = twin.contributor_email
    twin.contributor_answered_at = timezone.now()
    twin.save(update_fields=["contributor_answered_at"])
    # Sent once the publication or refusal is committed: a rolled back one tells nobody.
    transaction.on_commit(
        lambda: send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [recipient])
    )


def _move_image_to_public_collection(event: EventPage) -> None:
    """The proposal's image waited in the private collection; published, it joins the
    organization's media."""
    image = event.image
    site = event.get_site()
    if image is None or site is None:
        return
    private = organization_private_collection(site)
    public = organization_collection(site)
    if private is not None and public is not None and image.collection_id == private.pk:
        image.collection = public
        image.save(update_fields=["collection"])


def on_event_published(sender, instance, **kwargs):
    with transaction.atomic():
        twin = _twin_to_answer(instance)
        if twin is None:
            return
        _move_image_to_public_collection(instance)
        _tell_contributor(instance, twin, "contribution_published")


def on_workflow_rejected(sender, instance: WorkflowState, **kwargs):
    page = instance.content_object
    specific = getattr(page, "specific", None)
    if not isinstance(specific, EventPage):
        return
    with transaction.atomic():
        twin = _twin_to_answer(specific)
        if twin is not None:
            _tell_contributor(specific, twin, "contribution_refused")


def connect() -> None:
    page_published.connect(
        on_event_published, sender=EventPage, dispatch_uid="events_contribution_published"
    )
    workflow_rejected.connect(
        on_workflow_rejected, sender=WorkflowState, dispatch_uid="events_contribution_refused"
    )
