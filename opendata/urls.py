"""The open-data addresses that are not pages: both APIs and the DCAT catalogue, mounted at the
root of every organization's host (``site/config/urls.py``), outside the language prefixes.
Each part adds its patterns here."""

from . import dcat
from .api import ckan, explore

urlpatterns: list = []
# The DCAT catalogue first: Explore's ``catalog/exports/<format>`` would take ``dcat``.
urlpatterns += dcat.urlpatterns
urlpatterns += explore.urlpatterns
urlpatterns += ckan.urlpatterns  # CKAN's Action API and datastore dumps
