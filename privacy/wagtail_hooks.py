"""Registrations only: private fields typed in a page's form reach its twin once it is saved."""

from wagtail import hooks

from .services import save_private_details

hooks.register("after_create_page", save_private_details)
hooks.register("after_edit_page", save_private_details)
