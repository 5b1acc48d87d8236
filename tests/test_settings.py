"""Operators get a clear refusal instead of a half-configured production server."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# The settings are read in processes of their own, with this run's environment: DATABASE_URL
# (CI's PostgreSQL run) is part of what they read.
pytestmark = pytest.mark.every_database


def run_check(**env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(env, DJANGO_SETTINGS_MODULE="config.settings.production")
    return subprocess.run(
        [sys.executable, "site/manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [({"ALLOWED_HOSTS": "example.org"}, "SECRET_KEY"), ({"SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS")],
)
def test_production_refuses_to_start_without_a_required_variable(env, missing):
    result = run_check(**env)
    assert result.returncode != 0
    assert f"The environment variable {missing} is required" in result.stderr


def test_production_passes_the_deployment_checks_when_configured():
    result = run_check(SECRET_KEY="k" * 20 + "-Zq9!x" * 10, ALLOWED_HOSTS="cinema.example.org")
    assert result.returncode == 0, result.stderr


def test_env_helper_casts_and_rejects_bad_booleans(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    from config.env import env

    monkeypatch.setenv("LIENS_FLAG", "oui")
    assert env("LIENS_FLAG", cast=bool) is True
    monkeypatch.setenv("LIENS_LIST", "a.org, b.org,")
    assert env("LIENS_LIST", cast=list) == ["a.org", "b.org"]
    monkeypatch.setenv("LIENS_FLAG", "peut-être")
    with pytest.raises(ImproperlyConfigured, match="LIENS_FLAG must be a boolean"):
        env("LIENS_FLAG", cast=bool)


def settings_caches(module, **env) -> dict:
    """``CACHES`` as ``module`` builds it in a fresh process, with ``env`` (and no REDIS_URL
    unless given)."""
    environment = {key: value for key, value in os.environ.items() if key != "REDIS_URL"}
    environment.update(
        env, DJANGO_SETTINGS_MODULE=module, SECRET_KEY="k" * 50, ALLOWED_HOSTS="example.org"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, json; django.setup(); from django.conf import settings; "
            "print(json.dumps(settings.CACHES))",
        ],
        cwd=REPO / "site",
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("module", ["config.settings.dev", "config.settings.production"])
def test_processes_share_one_cache_without_redis(module):
    """The server, the worker and commands like ``create_organization`` are separate processes:
    what one invalidates (Wagtail's site root paths, cached graphs) must be gone for all, so the
    default cache is never a per-process memory. Nor does it forget entries after a few hundred
    (Django's default MAX_ENTRIES culls a random third of the files), and renditions, which need
    no sharing, stay out of it."""
    caches = settings_caches(module)
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert caches["default"]["OPTIONS"]["MAX_ENTRIES"] >= 100_000
    assert caches["renditions"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert caches["renditions"]["OPTIONS"]["MAX_ENTRIES"] > 0
    assert caches["renditions"]["TIMEOUT"] is not None
    # Rendered pages are shared too (a change must reach every process), apart from the
    # generation counters that invalidate them.
    assert caches["pages"]["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert caches["pages"]["LOCATION"] != caches["default"]["LOCATION"]


def test_with_redis_every_cache_is_on_redis_under_its_own_prefix():
    """Several app servers share Redis; renditions go there too (one copy for all the servers,
    not one per process), under a prefix of their own."""
    caches = settings_caches("config.settings.production", REDIS_URL="redis://cache.test:6379/0")
    redis = "django.core.cache.backends.redis.RedisCache"
    assert {alias: cache["BACKEND"] for alias, cache in caches.items()} == dict.fromkeys(
        ("default", "renditions", "pages", "progress"), redis
    )
    assert caches["renditions"]["KEY_PREFIX"] == "renditions"
    assert caches["pages"]["KEY_PREFIX"] == "pages"
    assert caches["progress"]["KEY_PREFIX"] == "progress"


def test_the_embedded_sqlite_database_lets_the_site_read_while_the_worker_writes(tmp_path):
    """``make demo`` runs the web server and the worker on one SQLite file: in WAL mode, with a
    busy timeout, neither stops the other with "database is locked"."""
    environment = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL"}}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.dev", LIENS_VAR_DIR=str(tmp_path))
    script = (
        "import django; django.setup(); from django.db import connection; "
        "cursor = connection.cursor(); cursor.execute('PRAGMA journal_mode'); "
        "print(cursor.fetchone()[0], connection.settings_dict['OPTIONS']['timeout'])"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", script],
        cwd=REPO / "site",
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20"]
