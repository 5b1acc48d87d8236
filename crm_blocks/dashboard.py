"""The admin dashboard's panel of memberships ending this month, for the CRM staff of the
organizations they belong to (the memberships' permission policy scopes them)."""

from __future__ import annotations

import calendar
import datetime

from django.template.loader import render_to_string
from django.utils import timezone
from wagtail.admin.ui.components import Component
from wagtail.permissions import policy_registry

from .models import Membership, MembershipStatus
from .models.contacts import record_name


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


class ExpiringMembershipsPanel(Component):
    name = "crm_expiring_memberships"
    template_name = "crm_blocks/dashboard/expiring_memberships.html"
    order = 230
    limit = 10

    def __init__(self, user, today: datetime.date | None = None):
        self.user = user
        self.today = today or timezone.localdate()

    def memberships(self):
        """Active memberships whose end date falls this month, in the organizations where the
        user may see or change memberships."""
        first, last = month_bounds(self.today)
        policy = policy_registry.get_by_type(Membership)
        return (
            policy.instances_user_has_any_permission_for(self.user, ["view", "change"])
            .filter(status=MembershipStatus.ACTIVE, end_date__range=(first, last))
            .with_effective_status(self.today)
        )

    def get_context_data(self, parent_context=None):
        memberships = self.memberships()
        listed = list(
            memberships.select_related("membership_type")
            .annotate(member_name=record_name("contact"))
            .order_by("end_date", "member_name", "pk")[: self.limit]
        )
        count = memberships.count()
        return {
            "memberships": listed,
            "count": count,
            "more": count - len(listed),
            "expired": MembershipStatus.EXPIRED.value,
        }

    def render_html(self, parent_context=None):
        context = self.get_context_data(parent_context)
        if not context["memberships"]:
            return ""  # nothing to act on: no panel
        return render_to_string(self.template_name, context)


def expiring_memberships_panel(request, panels):
    """``construct_homepage_panels`` hook."""
    panels.append(ExpiringMembershipsPanel(request.user))
