"""The members' directory of distributors' contacts, in the member space (``crm_blocks``).

Only contacts that are *listed* (``DistributorContact.objects.listed()``: validated, with the
person's consent recorded) of the visited organization are shown, and only to a logged-in
member of that organization whose membership is current today. The member space is never
cached and never public (anonymous visitors are sent to its login page; a member of another
organization has no account here): no page, feed, sitemap, search or JSON-LD reads these rows.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby

from django.utils import timezone
from django.utils.translation import gettext as _

from crm_blocks.models import Membership
from organizations.models import OrganizationSettings

from .models import DistributorContact


def _local_today(site) -> dt.date:
    from zoneinfo import ZoneInfo

    zone = OrganizationSettings.for_site(site).time_zone or "UTC"
    return timezone.now().astimezone(ZoneInfo(zone)).date()


def has_current_membership(account) -> bool:
    return (
        Membership.objects.filter(contact=account.contact)
        .current(today=_local_today(account.site))
        .exists()
    )


def directory_rows(site) -> list[dict]:
    """The listed contacts of ``site``, grouped by distributor (by name), in two queries."""
    contacts = (
        DistributorContact.objects.for_site(site)
        .listed()
        .select_related("distributor")
        .order_by("distributor__title", "distributor_id", "name", "pk")
    )
    return [
        {"distributor": distributor, "contacts": list(rows)}
        for distributor, rows in groupby(contacts, key=lambda contact: contact.distributor)
    ]


def directory_section(request, account) -> list[dict]:
    """``register_member_space_sections``: « Distributors' contacts », for members whose
    membership is current; nothing for others (an expired membership, no contact listed)."""
    if not has_current_membership(account):
        return []
    groups = directory_rows(account.site)
    if not groups:
        return []
    return [
        {
            "title": _("Distributors' contacts"),
            "template": "films/member/section_directory.html",
            "context": {"groups": groups},
        }
    ]
