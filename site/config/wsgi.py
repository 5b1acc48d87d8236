"""WSGI entry point: ``gunicorn --chdir site config.wsgi`` (see README, production)."""

import os
import sys
from pathlib import Path

SITE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SITE_DIR))
sys.path.insert(1, str(SITE_DIR.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
