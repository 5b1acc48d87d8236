"""Social networks are told the language of an organization's pages as the organization writes
it: a French organization's links are shown to readers as French from France (``fr_FR``), a
Quebec centre's as French from Canada (``fr_CA``)."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from structured_data.graph import build_graph
from structured_data.head import head_metadata_for, og_locale
from tests.factories import make_organization, make_person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("house")]


def metadata_of(site, page):
    request = RequestFactory().get(page.url, HTTP_HOST=site.hostname)
    request._wagtail_site = site
    with translation.override("fr"):
        return head_metadata_for(page, request, build_graph(page, request))


@pytest.mark.parametrize(
    ("organization", "expected"), [("org_a", "fr_CA"), ("org_b", "fr_FR")], ids=["fr-ca", "fr-fr"]
)
def test_og_locale_follows_the_organizations_language(request, organization, expected):
    site = request.getfixturevalue(organization)
    person = make_person(site.people_index, "Élise Tremblay")
    assert metadata_of(site, person).og_locale == expected


def test_an_english_organization_is_not_called_canadian_french(db):
    site = make_organization("Northern Lights Film Centre", "northern.test", language="en")
    person = make_person(site.people_index, "Ellis Tremblay")
    with translation.override("en"):
        request = RequestFactory().get(person.url, HTTP_HOST=site.hostname)
        request._wagtail_site = site
        meta = head_metadata_for(person, request, build_graph(person, request))
    assert meta.og_locale == "en"


def test_a_french_organization_page_says_fr_fr_in_its_head(client, org_b):
    person = make_person(org_b.people_index, "Élise Tremblay")
    html = client.get(person.url, HTTP_HOST=org_b.hostname).content.decode()
    assert '<meta property="og:locale" content="fr_FR">' in html


@pytest.mark.parametrize(
    ("tag", "expected"), [("fr-CA", "fr_CA"), ("fr-fr", "fr_FR"), ("en", "en"), ("FR", "fr")]
)
def test_language_tags_are_spelled_as_open_graph_wants(tag, expected):
    assert og_locale(tag) == expected
