"""A member's own calendar of bookings, from the member space: whether a link is live, a new
link (shown once: only its digest is kept), and revoking it."""

from django.contrib import messages
from django.http import HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _

from .feeds import member_feed, member_feed_url, revoke_member_feeds


def calendar_section(request, account) -> list[dict]:
    """« My calendar » on the member's home page: one query."""
    return [
        {
            "title": _("My calendar"),
            "template": "rentals/member/section_calendar.html",
            "context": {
                "link": member_feed(account.contact),
                "action": reverse("rentals_member_calendar"),
            },
        }
    ]


def calendar_view(request):
    """POST ``action=new``: a new link (earlier ones stop working), shown once; POST
    ``action=revoke``: every link of the member stops working."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    contact = request.member_account.contact
    if request.POST.get("action") == "revoke":
        if revoke_member_feeds(contact):
            messages.success(request, _("Your calendar link no longer works."))
        return redirect("member_space")
    address = member_feed_url(request, contact, create=True)
    return TemplateResponse(
        request,
        "rentals/member/calendar_link.html",
        {
            "address": address,
            "webcal": address.replace("https://", "webcal://", 1).replace(
                "http://", "webcal://", 1
            ),
        },
    )


def member_calendar_urls():
    return [path("calendrier/", calendar_view, name="rentals_member_calendar")]
