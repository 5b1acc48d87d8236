"""Registrations only: the page cache learns which page Wagtail's page view serves."""

from wagtail import hooks


@hooks.register("before_serve_page")
def remember_served_page(page, request, serve_args, serve_kwargs):
    """Only what Wagtail's page view serves may be cached (never an admin view, a preview or
    a page a view built itself); the page also says which query parameters it reads."""
    request.public_cache_page = page
