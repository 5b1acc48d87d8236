"""The cells of the rentals' files: lists separated by ``;``, local dates and times, amounts
that may be empty, and choices written the way staff write them in their own spreadsheets."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext
from import_export import fields

from spreadsheets.files import parse_date, parse_decimal, parse_time
from spreadsheets.resources import (
    LabelChoiceWidget,
    TextWidget,
)
from spreadsheets.text import fold

from ..models import (
    BookingStatus,
    EquipmentCategory,
    UnitCondition,
)

_SEPARATORS = re.compile(r"[;\n]+")
_DATE_AND_TIME = re.compile(r"^(\S+?)(?:[T ]\s*(\S.*))?$")


def split_list(text: str) -> list[str]:
    """``"CAM-1; CAM-2"`` (or one per line) → ``["CAM-1", "CAM-2"]``, blanks dropped."""
    return [piece.strip() for piece in _SEPARATORS.split(text or "") if piece.strip()]


def parse_moment(value) -> dt.date | dt.datetime | None:
    """A local date (the desk's usual hour) or date and time: ``2027-03-12 14:00``,
    ``12/03/2027 14h``, ``2027-03-12T14:00``, a date or date-time cell; blank is ``None``."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None, microsecond=0)
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    match = _DATE_AND_TIME.match(text)
    day = parse_date(match.group(1))
    if not match.group(2):
        return day
    return dt.datetime.combine(day, parse_time(match.group(2)))


class OptionalAmountWidget(TextWidget):
    """An amount written the French or English way (``1 234,50``); empty is no amount."""

    def clean(self, value, row=None, **kwargs):
        return parse_decimal(value)

    def render(self, value, obj=None, **kwargs):
        return value

    def describe(self) -> str:
        return gettext("An amount: 1234,50 or 1 234,50 or 1234.50, or a number cell. Empty: none.")


class SynonymChoiceWidget(LabelChoiceWidget):
    """A choice by its code, its label in any of the installation's languages, or one of the
    words staff use for it in their own spreadsheets (``synonyms``, folded)."""

    def __init__(self, choices, *, synonyms: dict[str, str], default=None, **kwargs):
        super().__init__(choices, default=default, **kwargs)
        self.synonyms = synonyms

    def lookup(self) -> dict[str, str]:
        return {**{fold(word): code for word, code in self.synonyms.items()}, **super().lookup()}


CATEGORY_SYNONYMS = {
    "caméras": EquipmentCategory.CAMERA,
    "objectif": EquipmentCategory.LENS,
    "objectifs": EquipmentCategory.LENS,
    "optique": EquipmentCategory.LENS,
    "lenses": EquipmentCategory.LENS,
    "éclairage": EquipmentCategory.LIGHTING,
    "lumière": EquipmentCategory.LIGHTING,
    "lumières": EquipmentCategory.LIGHTING,
    "light": EquipmentCategory.LIGHTING,
    "son": EquipmentCategory.SOUND,
    "audio": EquipmentCategory.SOUND,
    "machinerie": EquipmentCategory.GRIP,
    "support": EquipmentCategory.GRIP,
    "grip": EquipmentCategory.GRIP,
    "moniteur": EquipmentCategory.MONITORING,
    "moniteurs": EquipmentCategory.MONITORING,
    "batteries": EquipmentCategory.POWER,
    "alimentation": EquipmentCategory.POWER,
    "power": EquipmentCategory.POWER,
    "montage": EquipmentCategory.EDITING,
    "salle de montage": EquipmentCategory.EDITING,
    "editing": EquipmentCategory.EDITING,
    "salle": EquipmentCategory.ROOM,
    "studio": EquipmentCategory.ROOM,
    "trousse": EquipmentCategory.KIT,
    "ensemble": EquipmentCategory.KIT,
    "autre": EquipmentCategory.OTHER,
    "divers": EquipmentCategory.OTHER,
}
CONDITION_SYNONYMS = {
    "neuf": UnitCondition.NEW,
    "neuve": UnitCondition.NEW,
    "bon": UnitCondition.GOOD,
    "bonne": UnitCondition.GOOD,
    "bon état": UnitCondition.GOOD,
    "très bon": UnitCondition.GOOD,
    "passable": UnitCondition.FAIR,
    "moyen": UnitCondition.FAIR,
    "correct": UnitCondition.FAIR,
    "usé": UnitCondition.WORN,
    "usée": UnitCondition.WORN,
    "usagé": UnitCondition.WORN,
}
STATUS_SYNONYMS = {
    "demandé": BookingStatus.REQUESTED,
    "demandée": BookingStatus.REQUESTED,
    "en attente": BookingStatus.REQUESTED,
    "confirmé": BookingStatus.CONFIRMED,
    "confirmée": BookingStatus.CONFIRMED,
    "réservé": BookingStatus.CONFIRMED,
    "réservée": BookingStatus.CONFIRMED,
    "sorti": BookingStatus.CHECKED_OUT,
    "sortie": BookingStatus.CHECKED_OUT,
    "prêté": BookingStatus.CHECKED_OUT,
    "en cours": BookingStatus.CHECKED_OUT,
    "retourné": BookingStatus.RETURNED,
    "rendu": BookingStatus.RETURNED,
    "rentré": BookingStatus.RETURNED,
    "annulé": BookingStatus.CANCELLED,
    "annulée": BookingStatus.CANCELLED,
    "refusé": BookingStatus.REFUSED,
    "refusée": BookingStatus.REFUSED,
}


def sheet_field(name: str, widget, attribute: str | None = None) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=name, widget=widget)


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class LocalMomentWidget(TextWidget):
    """A date or a date and time in the organization's time zone."""

    def clean(self, value, row=None, **kwargs):
        return parse_moment(value)

    def render(self, value, obj=None, **kwargs):
        return value

    def describe(self) -> str:
        return gettext(
            "A date, or a date and a time, in your organization's time zone: 2027-03-12 14:00 "
            "or 12/03/2027 14h. A date alone: the equipment desk's usual hour."
        )


class InventoryNumbersWidget(TextWidget):
    def clean(self, value, row=None, **kwargs):
        return split_list(super().clean(value, row))

    def describe(self) -> str:
        return gettext("Inventory numbers of the units, separated by “;”: CAM-01; TRP-03.")
