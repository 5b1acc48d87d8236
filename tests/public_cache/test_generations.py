"""The generation a site's cached pages and graphs are keyed by, and the site a request is
for, found without a query."""

import pytest
from django.test import RequestFactory
from wagtail.models import Site

from public_cache.generations import invalidate_sites, site_generation
from public_cache.routing import site_id_for_request
from tests.factories import make_organization

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def test_a_page_cached_before_a_change_was_committed_is_forgotten_at_the_commit(
    org_a, org_b, django_capture_on_commit_callbacks
):
    """Another process may read the new generation while the change is not committed yet,
    render the page from the rows before it, and cache that under the new generation: the
    generation moves on again once the change is committed, so visitors never get that page.
    The other organization's generation does not move."""
    other = site_generation(org_b.pk)
    with django_capture_on_commit_callbacks(execute=True):
        invalidate_sites(site_ids=[org_a.pk])
        before_commit = site_generation(org_a.pk)
    assert site_generation(org_a.pk) != before_commit
    assert site_generation(org_b.pk) == other


@pytest.mark.parametrize(
    "host",
    [
        "boreal.test:80",
        "boreal.test:8000",
        "reseau.test:80",
        "reseau.test:8080",
        "reseau.test:9999",
        "inconnu.test:80",
        "127.0.0.1:8000",
    ],
)
@pytest.mark.parametrize("with_default", [True, False], ids=["a default site", "no default"])
def test_the_cache_finds_the_site_wagtail_serves(org_a, org_b, host, with_default):
    """A page is cached under the site Wagtail serves it from, whatever the host and port:
    exact host and port first, then the host on the default site, the default site, a unique
    host name."""
    make_organization("Cinéma Paraloeil", "reseau.test", port=8080)
    if not with_default:
        Site.objects.filter(is_default_site=True).update(is_default_site=False)
        Site.clear_site_root_paths_cache()
        org_b.save()  # any save forgets the cached list of sites, as an editor's would
    hostname, port = host.split(":")
    request = RequestFactory().get("/", HTTP_HOST=hostname, SERVER_PORT=port)
    expected = Site.find_for_request(request)
    assert site_id_for_request(request) == (expected.pk if expected else None)
