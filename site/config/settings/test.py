"""The test suite: fast hashing, tasks run inline, media in a throwaway folder."""

import tempfile

from .base import *  # noqa: F403

# A throwaway plugin that plugs into the registries as a real one does (tests/example_plugin).
INSTALLED_APPS = ["tests.example_plugin", *INSTALLED_APPS]  # noqa: F405

DEBUG = False
SECRET_KEY = "test-only-not-secret"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="liens-test-media-")
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# One process runs the tests, the live server and any worker thread: memory caches will do.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "liens-mutuels",
    },
    "progress": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "liens-progress",
    },
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "liens-pages",
    },
}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILADMIN_BASE_URL = "http://testserver"

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # The test database lives in memory, shared by the test thread, the live server and a
    # worker thread: there SQLite locks tables and never waits, so a transaction takes its
    # write lock when it first writes (Django's default), not as it begins: a worker's job
    # holding the lock from its first read would refuse the server's requests meanwhile.
    DATABASES["default"]["OPTIONS"].pop("transaction_mode", None)  # noqa: F405

# Staff sign-in (signin): the suite logs staff in with ``client.force_login`` and Django's test
# client logs in without a request, which django-axes refuses; tests/signin turns each on where
# it checks it (second factor required, lockouts, admin session limits).
SIGNIN_2FA_REQUIRED_ROLES = []
SIGNIN_ADMIN_IDLE_SECONDS = 0
SIGNIN_ADMIN_SESSION_SECONDS = 0
AXES_ENABLED = False
