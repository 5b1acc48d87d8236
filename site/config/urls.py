import re

from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from home import views as home_views
from home.sitemaps import SiteSitemap
from organizations.isolation import isolated_urlpatterns

urlpatterns = [
    # Every admin view, Wagtail's included, answers "not found" for another organization's ids.
    path("admin/", include(isolated_urlpatterns(wagtailadmin_urls.urlpatterns))),
    path("documents/", include(wagtaildocs_urls)),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": SiteSitemap}}, name="sitemap"),
    path("robots.txt", home_views.robots_txt, name="robots_txt"),
    path("favicon.ico", home_views.favicon, name="favicon"),
    # Private calendars of the equipment desk: secret addresses, not pages (before the
    # page patterns, which would take any path ending in ``.ics``).
    path("", include("rentals.urls")),
    # The open-data APIs (Explore v2.1, CKAN) and the DCAT catalogue: one per organization's
    # host, in no language (harvesters ask for fixed addresses).
    path("", include("opendata.urls")),
]

if settings.DEBUG or getattr(settings, "SERVE_MEDIA", False):
    # Development and the demo only; in production the reverse proxy serves the same folders.
    # Images only: documents go through /documents/, which checks their collection's privacy.
    from django.views.static import serve as serve_media

    urlpatterns.append(
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}"
            r"(?P<path>(?:original_images|images)/.*)$",
            serve_media,
            {"document_root": settings.MEDIA_ROOT},
        )
    )

if getattr(settings, "DEMO_SERVER_ERROR_PATH", ""):
    urlpatterns.append(path(settings.DEMO_SERVER_ERROR_PATH, home_views.demo_server_error))

urlpatterns += i18n_patterns(
    path("search/", home_views.search, name="search"),
    # The members' own pages (crm_blocks), before Wagtail's: a page slug cannot shadow them.
    path("espace-membre/", include("crm_blocks.member_urls")),
    # The organization's privacy page (/confidentialite/, /en/privacy/), generated from its
    # privacy settings (``privacy.views``).
    path("", include("privacy.urls")),
    # Wagtail's own pattern takes no dot: iCal files that pages route (the agenda's feed.ics,
    # an event's calendar.ics) reach Wagtail's page view, hence its routing and its hooks.
    re_path(r"^((?:[\w\-]+/)*[\w\-]+\.ics)$", wagtail_views.serve, name="wagtail_serve_ics"),
    # The same for JSON files that pages route (an equipment page's availability.json).
    re_path(r"^((?:[\w\-]+/)*[\w\-]+\.json)$", wagtail_views.serve, name="wagtail_serve_json"),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)

handler404 = "home.views.page_not_found"
handler500 = "home.views.server_error"
