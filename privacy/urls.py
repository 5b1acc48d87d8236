"""The public privacy page, in the site's language patterns: ``/confidentialite/`` in French,
``/en/privacy/`` in English (the path is translated)."""

from django.urls import path
from django.utils.translation import pgettext_lazy

from .views import privacy_page

urlpatterns = [
    path(pgettext_lazy("URL path", "privacy/"), privacy_page, name="privacy_page"),
]
