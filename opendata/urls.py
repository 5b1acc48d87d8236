"""The open-data addresses that are not pages: both APIs and the DCAT catalogue, mounted at the
root of every organization's host (``site/config/urls.py``), outside the language prefixes.
Each part adds its patterns here."""

from .api import ckan

urlpatterns: list = []
urlpatterns += ckan.urlpatterns  # CKAN's Action API and datastore dumps
