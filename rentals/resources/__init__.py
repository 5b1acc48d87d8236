"""Equipment and bookings as spreadsheet rows (kinds ``equipment`` and ``bookings``).

**Equipment** (``EquipmentResource``): one row per unit. Rows with the same ``name`` (case,
accents and spacing aside) are one item: one ``EquipmentPage`` below the organization's
catalogue, each row one of its ``EquipmentUnit``\\ s, found again by its inventory number (unique
within the organization), so that re-importing a file updates instead of duplicating.

- The item's columns (category, brand, model, rates, deposit, training) may be repeated on every
  row of the item or written once: the rows of one item must agree, an empty cell takes what the
  other rows say. When the file has such a column, what its rows say wins (all empty: empty).
- A row without an inventory number is the item alone: a kit (which has no units of its own:
  its rates and deposit), or an item whose units the file does not list.
- ``requires_training`` names one of the organization's trainings; a name it does not know
  becomes a new training (staff then fill its description and validity). Decided so because
  the move from an old spreadsheet names the trainings there, and refusing every row until
  someone typed them in the admin would only add a step.
- ``kit`` names the kits a unit belongs to (separated by ``;``). A kit's components are then
  counted from the units that name it, per item: three units of « Trépied Sachtler » naming
  « Kit documentaire » make the kit take three tripods. Units the file does not list keep the
  kits they had (so a filtered export imports back unchanged). A kit it does not know is made
  (a page of category kit, without rates unless a row of its own gives them).
- A unit found under another item moves to the item its row names, unless it was ever booked:
  its bookings' lines name the item it had.

New items are drafts, or published with "Publish" (``--publish``) by someone who may publish;
an update of a published item goes live unless an editor's draft is pending
(``spreadsheets.pages``).
Units are private records: always written.

**Bookings** (``BookingResource``): one row per booking, for the move from an old spreadsheet
and for the accountant. Every row goes through the booking desk's rules (``rentals.services``):
the borrower is a record of the organization (by e-mail or name), ``items`` are inventory
numbers, and a row whose units are taken — by an existing booking or by another row of the file
— is refused with the desk's conflict message; the whole file is then refused. A row that
matches an existing booking (same borrower, dates and units, nothing else changed) is unchanged,
so an export imports back without duplicating anything. Exports end with a totals row per
currency.
"""

from .bookings import (
    BookingPeriodExportMixin,
    BookingResource,
    bookings_in_period,
    period_from_query,
)
from .equipment import EquipmentResource

__all__ = [
    "BookingPeriodExportMixin",
    "BookingResource",
    "EquipmentResource",
    "bookings_in_period",
    "period_from_query",
]
