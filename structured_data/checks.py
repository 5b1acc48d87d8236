"""Check published pages' graphs as search engines read them, and remember the result.

One path for the ``check_structured_data`` command, the worker's tasks and the tests: the page is
rendered for an anonymous visitor of the site that serves it, its graph built fresh (never from
the cache) and validated; the counts are kept in :class:`~structured_data.models.PageCheck`.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone, translation
from wagtail.models import Page, Site

from .graph import build_graph
from .models import PageCheck
from .validation import Issue, validate_graph


def public_pages(site: Site):
    """Live pages without view restrictions under the site's root page and its translations."""
    roots = Page.objects.filter(translation_key=site.root_page.translation_key)
    pages = Page.objects.none()
    for root in roots.only("path", "depth"):
        pages |= Page.objects.descendant_of(root, inclusive=True)
    return pages.live().public().specific().order_by("path")


def page_request(page, site: Site | None = None):
    """An anonymous visitor's request for ``page`` on the site that serves it; ``None`` when the
    page is not routable there (outside every site, or served by another site than ``site``)."""
    url_parts = page.get_url_parts()
    if url_parts is None:
        return None
    site_id, _root_url, page_path = url_parts
    if site is None:
        site = Site.objects.filter(pk=site_id).first()
    if site is None or site_id != site.pk:
        return None
    request = RequestFactory().get(page_path, HTTP_HOST=site.hostname, SERVER_PORT=site.port)
    request._wagtail_site = site
    request.user = AnonymousUser()
    return request


def check_page(page, request) -> list[Issue]:
    """Every issue of ``page``'s graph (an error if it cannot even be built)."""
    with translation.override(page.locale.language_code):
        try:
            document = build_graph(page, request)
        except Exception as exc:  # a node refused its data: report it, check the rest
            return [
                Issue(
                    "error",
                    None,
                    None,
                    None,
                    "build-failed",
                    f"The graph could not be built: {type(exc).__name__}: {exc}",
                )
            ]
    return validate_graph(document)


def record_check(page, issues: list[Issue]) -> PageCheck:
    """Remember how many errors and warnings ``page`` had at its live revision."""
    errors = sum(1 for issue in issues if issue.is_error)
    check, _created = PageCheck.objects.update_or_create(
        page_id=page.pk,
        defaults={
            "revision_id": page.live_revision_id,
            "errors": errors,
            "warnings": len(issues) - errors,
            "checked_at": timezone.now(),
        },
    )
    return check


def check_and_record(page_id: int) -> PageCheck | None:
    """Check the published page ``page_id`` and remember the result; forget the result of a
    page that is no longer published (or has no graph)."""
    page = Page.objects.filter(pk=page_id, live=True).specific().first()
    if page is None or not hasattr(page, "structured_data_nodes"):
        PageCheck.objects.filter(page_id=page_id).delete()
        return None
    request = page_request(page)
    if request is None:
        return None
    return record_check(page, check_page(page, request))


def check_site(site: Site) -> None:
    """Check and remember every published page of ``site`` (after a change that concerns all of
    them: the organization's name, logo or address is in every graph)."""
    for page in public_pages(site):
        if hasattr(page, "structured_data_nodes"):
            request = page_request(page, site)
            if request is not None:
                record_check(page, check_page(page, request))
