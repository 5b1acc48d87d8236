"""Members-only data follow the membership's dates in the organization's own calendar: a
membership that starts tomorrow opens nothing yet, one that ends today still counts, one that
ended yesterday no longer does."""

import datetime

import pytest

from crm_blocks.members import is_current_member, organization_today
from crm_blocks.models import Membership
from tests.factories import make_member

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


@pytest.mark.parametrize(
    ("start", "end", "current"),
    [(1, 30, False), (-30, 0, True), (-30, -1, False), (0, None, True)],
)
def test_membership_days(org_b, start, end, current):
    _user, contact = make_member(org_b, "Inès Morel")
    today = organization_today(org_b)
    Membership.objects.filter(contact=contact).update(
        start_date=today + datetime.timedelta(days=start),
        end_date=None if end is None else today + datetime.timedelta(days=end),
    )
    assert is_current_member(contact, org_b) is current
