#!/usr/bin/env python
"""Run Django commands for the reference site from anywhere in the repository.

The reference project lives in ``site/``, which is not a Python package (the standard library's
``site`` module would shadow it), so this script puts its folder on ``sys.path`` itself.
"""

import os
import sys
from pathlib import Path

SITE_DIR = Path(__file__).resolve().parent

if __name__ == "__main__":
    sys.path.insert(0, str(SITE_DIR))
    sys.path.insert(1, str(SITE_DIR.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
