"""Registrations only: the dashboard's panel of published pages with structured-data errors."""

from wagtail import hooks

from .dashboard import errors_panel

hooks.register("construct_homepage_panels", errors_panel)
