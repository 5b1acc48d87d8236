"""Security headers on every kind of response: public pages (cached ones too), the admin, the
APIs. Public pages allow scripts from the site only; the admin keeps its own policy."""

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]

A = {"HTTP_HOST": "boreal.test"}


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        name: sources
        for name, *sources in (part.split() for part in policy.split(";") if part.strip())
    }


def assert_common_headers(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_public_pages_allow_the_sites_own_scripts_only_even_from_the_cache(client, org_a):
    first = client.get(org_a.root_page.url, **A)
    cached = client.get(org_a.root_page.url, **A)
    for response in (first, cached):
        assert response.status_code == 200
        policy = directives(response)
        assert policy["script-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert "https://tile.openstreetmap.org" in policy["img-src"]
        assert "nonce-" not in response["Content-Security-Policy"]
        assert_common_headers(response)


def test_the_admin_has_its_own_policy(client, crm_a):
    client.force_login(crm_a)
    response = client.get(reverse("wagtailadmin_home"), **A)
    assert response.status_code == 200
    policy = directives(response)
    assert "'unsafe-inline'" in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'self'"]
    assert_common_headers(response)


def test_api_answers_carry_the_headers(client, org_a):
    response = client.get("/api/explore/v2.1/catalog/datasets", **A)
    assert response.status_code == 200
    assert directives(response)["default-src"] == ["'self'"]
    assert_common_headers(response)


def test_embeds_keep_their_own_policy(client, org_a):
    """The framed agenda sets its own policy (any site may frame it): the site's does not
    replace it."""
    response = client.get(org_a.agenda.url + "embed/", **A)
    assert response.status_code == 200
    assert "frame-ancestors *" in response["Content-Security-Policy"]
