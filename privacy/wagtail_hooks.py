"""Registrations only: private fields typed in a page's form reach its twin once it is saved;
pages made in bulk get their twin too."""

from wagtail import hooks

from .services import private_twins_for_new_pages, save_private_details

hooks.register("after_create_page", save_private_details)
hooks.register("after_edit_page", save_private_details)
hooks.register("bulk_create_page_companions", private_twins_for_new_pages)

# --- Requests and erasures (``privacy.models.requests``, ``privacy.erasure``) ---
from .declarations import privacy_personal_data, privacy_private_fields  # noqa: E402

hooks.register("register_private_fields", privacy_private_fields)
hooks.register("register_personal_data", privacy_personal_data)
