"""`make demo` (``serve_demo``): the development settings with DEBUG off, so that visitors meet
the site's own "not found" and "server error" pages, as in production, not Django's debug pages.

Without DEBUG, Django serves no file by itself: WhiteNoise serves the static files straight from
the apps' folders (no ``collectstatic`` needed), and the uploaded media are served by Django's
``serve`` view (``SERVE_MEDIA``), fine on 127.0.0.1, never behind a public address.
"""

from .dev import *  # noqa: F403

DEBUG = False
MIDDLEWARE = [
    MIDDLEWARE[0],  # noqa: F405 - SecurityMiddleware stays first
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],  # noqa: F405
]
WHITENOISE_USE_FINDERS = True
SERVE_MEDIA = True
#: An address that fails on purpose, to see (and test) the server error page.
DEMO_SERVER_ERROR_PATH = "_demo/server-error/"
