"""Public views that are not pages: search, robots.txt and the error pages."""

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseNotFound, HttpResponseServerError
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_GET
from wagtail.models import Locale, Page, Site

from organizations.scoping import public_pages_for_site

SEARCH_PAGE_SIZE = 10
MAX_QUERY_LENGTH = 200


@require_GET
def search(request):
    """Search the public pages of the current organization's site in the visitor's language,
    and nothing else."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    site = Site.find_for_request(request)
    results = Page.objects.none()
    if query and site is not None:
        pages = public_pages_for_site(site).filter(locale=Locale.get_active())
        results = pages.search(query)
    page = Paginator(results, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
    return TemplateResponse(
        request,
        "home/search.html",
        {"search_query": query, "results": page},
    )


@require_GET
def robots_txt(request):
    site = Site.find_for_request(request)
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Disallow: /search/"]
    if site is not None:
        lines.append(f"Sitemap: {sitemap_url}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def page_not_found(request, exception=None):
    return HttpResponseNotFound(render_to_string("404.html", request=request))


class DemoServerError(Exception):
    """Raised on purpose by the demo's ``DEMO_SERVER_ERROR_PATH``."""


def demo_server_error(request):
    """Fail on purpose, so that the demo shows (and its test checks) the server error page."""
    raise DemoServerError("This address of the demo fails on purpose, to show the error page.")


def server_error(request):
    # No context processors or database here: the error may be the database itself.
    return HttpResponseServerError(render_to_string("500.html"))


@require_GET
def favicon(request):
    """Browsers ask for ``/favicon.ico`` whatever a page's ``<link rel="icon">`` says: send them
    to the icon rather than render a "not found" page for each of them."""
    return redirect(static("img/favicon.svg"), permanent=True)
