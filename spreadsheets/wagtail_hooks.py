"""Registrations only: the dashboard's panel of the user's imports in progress."""

from wagtail import hooks

from .dashboard import pending_imports_panel

hooks.register("construct_homepage_panels", pending_imports_panel)
