"""What plugins show a member in their organization's member space (``/espace-membre/``).

``crm_blocks`` owns the member's login (``MemberAccount``) and the space's pages; it knows
nothing of the plugins built on it. A plugin that has something for the member (their bookings,
their privacy requests) registers with two hooks, without importing ``crm_blocks``:

``register_member_space_sections``: ``fn(request, account)`` returning a list (empty when it
has nothing to show) of sections ``{"title": …, "template": …, "context": {…}}``; the member's
home page shows each under its title, in the order of registration (Wagtail's ``order=``
argument moves one), its template including the context as ``section``::

    @hooks.register("register_member_space_sections")
    def my_bookings(request, account):
        return [{"title": _("My bookings"), "template": "rentals/member/section.html",
                 "context": {"bookings": …}}]

``register_member_space_urls``: ``fn()`` returning URL patterns mounted below
``/espace-membre/``; their views are reached by members of the request's organization only
(anyone else is sent to the login page), with ``request.member_account`` set.

``account`` is the member's ``MemberAccount`` for the site being visited: ``account.user``,
``account.contact`` (their person's record, of that organization), ``account.site``. A section
shows that member's own data only, of that organization only, in a fixed number of queries.
The pages are never cached: they are the member's own.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from wagtail import hooks
from wagtail.models import Site

from .models import MemberAccount

SECTIONS_HOOK = "register_member_space_sections"
URLS_HOOK = "register_member_space_urls"


def request_site(request) -> Site | None:
    """The organization being visited, as Wagtail finds it (host name and port)."""
    if not hasattr(request, "_member_space_site"):
        request._member_space_site = Site.find_for_request(request)
    return request._member_space_site


def member_account(request) -> MemberAccount | None:
    """The logged-in visitor's account in the visited organization, or ``None`` (anonymous, or
    a user who is not a member here: another organization's member, staff)."""
    if not hasattr(request, "_member_account"):
        user = getattr(request, "user", None)
        request._member_account = (
            MemberAccount.objects.of_user(user, request_site(request))
            .select_related("contact", "site", "user")
            .first()
        )
    return request._member_account


def member_required(view):
    """``view`` for the members of the visited organization only, with
    ``request.member_account`` set; anyone else is sent to the member space's login page (and
    back after logging in). The answer is never cached: it is the member's own."""

    @wraps(view)
    def for_members(request, *args, **kwargs):
        account = member_account(request)
        if account is None:
            return redirect_to_login(request.get_full_path(), reverse("member_login"))
        request.member_account = account
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return for_members


def member_space_sections(request, account: MemberAccount) -> list[dict]:
    """The sections every registered function gives ``account``, in the order of registration."""
    sections: list[dict] = []
    for section_function in hooks.get_hooks(SECTIONS_HOOK):
        sections.extend(section_function(request, account) or ())
    return sections


def member_space_urlpatterns() -> list:
    """The URL patterns plugins mount below the member space."""
    patterns: list = []
    for urls_function in hooks.get_hooks(URLS_HOOK):
        patterns.extend(urls_function() or ())
    return patterns
