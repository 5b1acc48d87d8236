"""The plugin's addresses outside the page tree, for the site's URLconf to include before
Wagtail's: the private calendars (``rentals.feeds``). They are not pages — no language prefix,
no page cache, no search — and answer only to the secret they carry."""

from django.urls import path

from . import feeds

urlpatterns = [
    path(
        "calendriers/location/<str:secret>.ics",
        feeds.calendar_feed_view,
        name=feeds.URL_NAME,
    ),
]
