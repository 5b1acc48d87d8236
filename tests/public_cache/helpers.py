"""What the page cache tests share: a visit that says whether it was served from the cache."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from home.models import StandardPage


def visit(client, site, url, **headers):
    """GET ``url`` on ``site``'s host; ``response.queries`` is the number of queries it cost
    (none: the page came from the cache)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_HOST=site.hostname, **headers)
    response.queries = len(queries)
    response.html = response.content.decode()
    return response


def make_standard_page(site, title, slug, **fields):
    home = site.root_page.specific
    page = home.add_child(instance=StandardPage(title=title, slug=slug, **fields))
    page.save_revision().publish()
    page.refresh_from_db()
    return page
