"""Reminders to the people in charge: open requests due within a week, or late.

Each person in charge (a user holding ``privacy.manage_privacy`` through a group of the
organization) gets one e-mail per organization and day listing its requests to answer, in the
organization's language; each request reminded gets a step in its history.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from organizations.models import OrganizationSettings

from .models import PrivacyRequest, PrivacyRequestEvent

logger = logging.getLogger(__name__)

#: Requests due within this many days are recalled.
REMIND_DAYS_BEFORE = 7


def people_in_charge(site):
    """Active users who hold ``privacy.manage_privacy`` through one of ``site``'s groups."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__organization_role__site=site,
            groups__permissions__content_type__app_label="privacy",
            groups__permissions__codename="manage_privacy",
        )
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def requests_to_recall(today: datetime.date):
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    reminded_today = PrivacyRequestEvent.objects.filter(
        action=PrivacyRequestEvent.Action.REMINDED,
        at__gte=start,
        at__lt=start + datetime.timedelta(days=1),
    ).values("request_id")
    return (
        PrivacyRequest.objects.filter(
            status__in=[PrivacyRequest.Status.RECEIVED, PrivacyRequest.Status.IN_PROGRESS],
            due_on__lte=today + datetime.timedelta(days=REMIND_DAYS_BEFORE),
        )
        .exclude(pk__in=reminded_today)
        .select_related("site")
        .order_by("site_id", "due_on", "pk")
    )


def send_reminders(now: datetime.datetime | None = None) -> int:
    """Send today's reminders; returns how many e-mails were sent."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    by_site: dict = {}
    for request in requests_to_recall(today):
        by_site.setdefault(request.site, []).append(request)
    sent = 0
    for site, requests in by_site.items():
        recipients = [user.email for user in people_in_charge(site)]
        if not recipients:
            logger.warning("privacy: nobody is in charge of the requests of site %s", site.pk)
            continue
        organization = OrganizationSettings.for_site(site)
        with translation.override(organization.content_language):
            context = {
                "organization_name": organization.display_name or site.site_name,
                "requests": [
                    {
                        "kind": request.get_kind_display(),
                        "received_on": request.received_on,
                        "due_on": request.due_on,
                        "late": request.due_on < today,
                        "url": site.root_url + reverse("privacy_request:handle", args=[request.pk]),
                    }
                    for request in requests
                ],
            }
            subject = " ".join(
                render_to_string("privacy/emails/reminder_subject.txt", context).split()
            )
            body = render_to_string("privacy/emails/reminder.txt", context).strip()
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
        except Exception:  # the next day's round tries again: a mail server down is no error here
            logger.exception("privacy: the reminders of site %s could not be sent", site.pk)
            continue
        sent += 1
        PrivacyRequestEvent.objects.bulk_create(
            PrivacyRequestEvent(request=request, action=PrivacyRequestEvent.Action.REMINDED, at=now)
            for request in requests
        )
    return sent
