"""The map component any plugin can reuse (``organizations.maps`` and the ``places_map`` tag):
markers built on the server from public fields only, Leaflet served from our own static files
with its licence, and a page that still lists the places without JavaScript."""

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import Context, Template
from django.test import RequestFactory

from organizations.maps import MapMarker, place_markers

REPO = Path(__file__).resolve().parents[2]


class Place:
    """Any object with public coordinates will do (a page, a dataset row…)."""

    def __init__(self, title, latitude=None, longitude=None, locality="", secret=""):
        self.title, self.latitude, self.longitude = title, latitude, longitude
        self.locality, self.secret = locality, secret

    def get_url(self, request=None):
        return f"/lieux/{self.title.lower()}/"


def test_markers_carry_only_what_the_places_public_page_shows():
    places = [
        Place("Rift", Decimal("47.3333"), Decimal("-79.4333"), "Ville-Marie", secret="canari"),
        Place("Nulle-part"),
        Place("Moitié", Decimal("46.1"), None),
    ]
    markers = place_markers(places)
    assert markers == [
        MapMarker(Decimal("47.3333"), Decimal("-79.4333"), "Rift", "/lieux/rift/", "Ville-Marie")
    ]
    assert "canari" not in json.dumps([marker.as_json() for marker in markers])


def render(markers, **options):
    template = Template(
        "{% load organizations_maps %}{% places_map markers 'Carte des lieux' %}"
        if not options
        else "{% load organizations_maps %}{% places_map markers 'Carte des lieux' list_id='x' %}"
    )
    request = RequestFactory().get("/")
    return template.render(Context({"markers": markers, "request": request}))


def test_the_map_comes_with_its_own_accessible_list_and_a_safe_data_island():
    markers = [MapMarker(Decimal("47.3"), Decimal("-79.4"), "Ciné </script><b>x", "/c/", "Rift")]
    html = render(markers)
    assert 'role="region" aria-label="Carte des lieux"' in html
    assert 'aria-describedby="places-map-list-1"' in html and 'id="places-map-list-1"' in html
    assert '<a href="/c/">Ciné &lt;/script&gt;&lt;b&gt;x</a> — Rift' in html
    assert "</script><b>" not in html, "the label cannot close the data island"
    assert " hidden>" in html, "the map appears only once drawn"
    assert render(markers, list_id="x").count("<li>") == 0, "the page's own list is used"
    assert render([]).strip() == ""


def test_leaflet_is_vendored_with_its_licence_and_no_outside_address():
    for name in ("leaflet.js", "leaflet.css", "images/marker-icon.png", "images/marker-shadow.png"):
        assert finders.find(f"organizations/vendor/leaflet/{name}"), name
    licence = Path(finders.find("organizations/vendor/leaflet/LICENSE")).read_text()
    assert licence.startswith("BSD 2-Clause License") and "Agafonkin" in licence
    script = Path(finders.find("organizations/places-map.js")).read_text()
    assert "http" not in script, "tiles come from the MAP_TILE_URL setting only"
    assert settings.MAP_TILE_URL.startswith("https://tile.openstreetmap.org/")


def test_production_collects_the_map_files(tmp_path):
    """WhiteNoise's manifest storage follows every url() and source map of the vendored files:
    a missing one would stop `collectstatic` on deployment."""
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY="k" * 20 + "-Zq9!x" * 10,
        ALLOWED_HOSTS="example.org",
        LIENS_VAR_DIR=str(tmp_path / "var"),
        STATIC_ROOT=str(tmp_path / "static"),
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, "site/manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    assert "organizations/vendor/leaflet/leaflet.js" in manifest
    assert "organizations/places-map.js" in manifest
