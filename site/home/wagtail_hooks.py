"""Registrations only."""

from wagtail import hooks

from .structured_data import site_nodes

hooks.register("structured_data_site_nodes", site_nodes)
