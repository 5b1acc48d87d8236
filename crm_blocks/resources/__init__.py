"""Spreadsheet rows <-> CRM data: people, organizations and memberships.

A package, one module per kind (``people``, ``organizations``, ``memberships``) and their shared
base (``records``); import from here.

They build on the spreadsheets plugin's ``SpreadsheetResource`` (bound to one organization,
columns declared once, two-phase import) and are declared as kinds in ``declarations.py``.

A record is two things: a private ``Contact`` and its public page. The record resources below are
``Contact`` resources (``ContactRecordResource``) whose page values travel on the instance as
``_page_<column>``; new records become pages through the bulk page path.
"""

from .memberships import MembershipResource
from .organizations import OrganizationResource
from .people import PersonResource
from .records import ContactRecordResource

__all__ = ["ContactRecordResource", "MembershipResource", "OrganizationResource", "PersonResource"]
