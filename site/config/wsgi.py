"""WSGI entry point: ``gunicorn --chdir site config.wsgi`` (see README, production).

Once the application is loaded, what it loaded is moved out of the garbage collector's sight
(``gc.freeze``): the hundreds of thousands of long-lived objects of Django, Wagtail and the
URLconf are no longer scanned by every full collection, which otherwise pauses a request now
and then for tens of milliseconds (the slow tail of the latency, see ``bench/http_load.py``).
``LIENS_GC_FREEZE=0`` turns it off.
"""

import gc
import os
import sys
from pathlib import Path

SITE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(SITE_DIR))
sys.path.insert(1, str(SITE_DIR.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()

if os.environ.get("LIENS_GC_FREEZE", "1") != "0":
    from django.urls import get_resolver  # noqa: E402

    get_resolver().url_patterns  # noqa: B018 - imports every view module now, not at request 1
    gc.collect()
    gc.freeze()
