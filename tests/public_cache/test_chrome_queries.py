"""What every page pays for its frame — header (logo, menu, language switcher), footer
(settings, contact points, social profiles) and ``<head>`` (alternate languages, metadata,
JSON-LD) — when it is not in the cache: at most 6 queries, whatever the page."""

import pytest
from django.db import connection
from django.template import engines
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale

from home.models import StandardPage
from organizations.models import (
    OrganizationContactPoint,
    OrganizationSettings,
    OrganizationSocialProfile,
)
from tests.factories import make_image

from .helpers import make_standard_page

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

CHROME_QUERIES = 6
#: The same page without its frame: what the page itself costs.
BARE = engines["django"].from_string("<h1>{{ page.title }}</h1>{{ page.introduction }}")


@pytest.fixture
def framed_page(org_a):
    """A minimal page with everything the frame can show: a logo, contact points, social
    profiles, menu entries, and an English translation for the language switcher."""
    settings = OrganizationSettings.for_site(org_a)
    settings.logo = make_image("Logo")
    settings.save()
    OrganizationContactPoint.objects.create(
        settings=settings, label="Accueil", phone="819 555-0100"
    )
    OrganizationSocialProfile.objects.create(
        settings=settings, label="Instagram", url="https://instagram.com/boreal"
    )
    about = make_standard_page(org_a, "À propos", "a-propos", show_in_menus=True)
    make_standard_page(org_a, "Nous joindre", "nous-joindre", show_in_menus=True)
    english = Locale.objects.create(language_code="en")
    org_a.root_page.copy_for_translation(english).save_revision().publish()
    about.copy_for_translation(english, copy_parents=True).save_revision().publish()
    return about


def queries_of(site, url) -> int:
    """Queries of a first visit after a change: page cache and graph cache cold (a publish
    forgets both), Wagtail's site root paths and image renditions as they are after a visit."""
    Client().get(url, HTTP_HOST=site.hostname)  # renditions, site root paths
    OrganizationSettings.for_site(site).save()  # forget the site's cached pages and graphs
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(url, HTTP_HOST=site.hostname)
    assert response.status_code == 200
    return len(queries)


def test_the_frame_of_a_page_costs_at_most_six_queries(org_a, framed_page, monkeypatch):
    framed = queries_of(org_a, framed_page.url)
    html = Client().get(framed_page.url, HTTP_HOST=org_a.hostname).content.decode()
    assert 'class="site-brand__logo"' in html and ">Nous joindre</a>" in html
    assert 'hreflang="en"' in html and "Instagram" in html and "Accueil" in html

    monkeypatch.setattr(StandardPage, "get_template", lambda self, request, *a, **k: BARE)
    bare = queries_of(org_a, framed_page.url)
    assert (
        "site-header"
        not in Client().get(framed_page.url, HTTP_HOST=org_a.hostname).content.decode()
    )
    assert framed - bare <= CHROME_QUERIES, f"the frame costs {framed - bare} queries"
