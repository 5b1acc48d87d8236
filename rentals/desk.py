"""The equipment desk: handing a booking's units over and taking them back.

Staff scan or type inventory numbers (``scanned_numbers``: a barcode scanner types a number and
Enter, so numbers come one per line or separated by spaces), then say how each unit leaves and
comes back (OK, a note, damaged with a description and photos). ``check_out`` hands over every
unit of a confirmed booking at once; ``check_in`` takes back the units scanned, and the booking
is returned once all of them are back. A unit damaged on return goes to repair, so that nobody
books it until staff put it back. Statuses change through ``rentals.services.change_status``;
nothing is written unless everything scanned and described is right.

Photos are Wagtail documents in the organization's private collection (served to its signed-in
staff only), tied to the unit's line by ``BookingLinePhoto``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, UnidentifiedImageError
from wagtail.documents import get_document_model

from organizations.services import organization_private_collection

from .models import (
    Booking,
    BookingLine,
    BookingLinePhoto,
    BookingStatus,
    Condition,
    EquipmentUnit,
    PhotoMoment,
    UnitStatus,
)
from .services import availability_changed, change_status

#: What separates the numbers a scanner or a person types: spaces, line breaks, commas.
SEPARATORS = re.compile(r"[\s,;]+")
#: Photo formats the desk keeps (what phones and cameras save, and browsers show).
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
PHOTO_EXTENSIONS = {"jpg", "jpeg", "png", "webp", "gif"}
#: The most photos one unit's condition may carry at a time.
MAX_PHOTOS_PER_UNIT = 10


def max_photo_size() -> int:
    """Bytes a photo may weigh (``RENTALS_DAMAGE_PHOTO_MAX_SIZE``, 10 MB by default)."""
    return getattr(settings, "RENTALS_DAMAGE_PHOTO_MAX_SIZE", 10 * 1024 * 1024)


class DeskError(ValidationError):
    """Why the desk cannot hand over or take back what was scanned; ``messages`` say it to
    staff, one problem each."""


def scanned_numbers(text: str) -> list[str]:
    """The inventory numbers in ``text``, in the order typed, each once (whatever its case)."""
    seen, numbers = set(), []
    for number in SEPARATORS.split(text or ""):
        key = number.casefold()
        if number and key not in seen:
            seen.add(key)
            numbers.append(number)
    return numbers


@dataclass
class Scan:
    """The booking's lines whose units were scanned, and what staff must be told about the
    other numbers."""

    lines: list[BookingLine]
    problems: list[str]


def match_scan(booking: Booking, text: str, *, returning: bool) -> Scan:
    """Match the numbers typed in ``text`` with the units of ``booking``. An unknown number, a
    unit of another booking, or one already out (on check-out) or back (on check-in) is named
    in ``problems``."""
    numbers = scanned_numbers(text)
    lines = list(booking.lines.select_related("unit").order_by("pk"))
    by_number = {line.unit.inventory_number.casefold(): line for line in lines}
    others = [number for number in numbers if number.casefold() not in by_number]
    elsewhere: dict[str, EquipmentUnit] = {}
    if others:
        query = models.Q()
        for number in others:
            query |= models.Q(inventory_number__iexact=number)
        for unit in EquipmentUnit.objects.filter(query, site_id=booking.site_id):
            elsewhere[unit.inventory_number.casefold()] = unit
    found, problems = [], []
    for number in numbers:
        line = by_number.get(number.casefold())
        if line is None:
            unit = elsewhere.get(number.casefold())
            if unit is None:
                problems.append(
                    _("No unit has the inventory number “%(number)s”.") % {"number": number}
                )
            else:
                problems.append(
                    _("Unit %(number)s (%(item)s) is not part of this booking.")
                    % {"number": unit.inventory_number, "item": unit.equipment}
                )
            continue
        if returning and line.returned_at:
            problems.append(
                _("Unit %(number)s is already back.") % {"number": line.unit.inventory_number}
            )
        elif returning and not line.checked_out_at:
            problems.append(
                _("Unit %(number)s never went out.") % {"number": line.unit.inventory_number}
            )
        elif not returning and line.checked_out_at:
            problems.append(
                _("Unit %(number)s is already checked out.")
                % {"number": line.unit.inventory_number}
            )
        else:
            found.append(line)
    return Scan(found, problems)


@dataclass
class UnitReport:
    """How one unit leaves or comes back: a ``Condition``, a description (needed for a note or
    damage) and photos (uploaded files)."""

    condition: str = Condition.OK
    note: str = ""
    photos: list = field(default_factory=list)


def check_photo(upload) -> str:
    """The extension a photo is kept with, or a ``ValidationError`` saying why it is refused:
    too heavy, not an image the desk keeps, or unreadable. The content decides, not the name."""
    name = os.path.basename(getattr(upload, "name", "") or "")
    if upload.size > max_photo_size():
        raise ValidationError(
            _("“%(name)s” is too large: a photo may weigh %(size)s MB at most.")
            % {"name": name, "size": max_photo_size() // (1024 * 1024)},
            code="photo_size",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        kind = None
    finally:
        upload.seek(0)
    if kind not in PHOTO_FORMATS:
        raise ValidationError(
            _("“%(name)s” is not a photo (JPEG, PNG, WebP or GIF).") % {"name": name},
            code="photo_format",
        )
    return PHOTO_FORMATS[kind]


def check_reports(lines: Iterable[BookingLine], reports: dict[int, UnitReport]) -> None:
    """Every problem with what staff said of the units, at once: a note or damage needs a
    description, photos must be photos, and there must be a private place to keep them."""
    problems = []
    has_photos = False
    for line in lines:
        report = reports[line.pk]
        number = line.unit.inventory_number
        if report.condition not in Condition.values:
            problems.append(_("Unit %(number)s: choose its condition.") % {"number": number})
        elif report.condition != Condition.OK and not report.note.strip():
            problems.append(_("Unit %(number)s: describe what you noticed.") % {"number": number})
        if len(report.photos) > MAX_PHOTOS_PER_UNIT:
            problems.append(
                ngettext(
                    "Unit %(number)s: at most %(count)s photo.",
                    "Unit %(number)s: at most %(count)s photos.",
                    MAX_PHOTOS_PER_UNIT,
                )
                % {"number": number, "count": MAX_PHOTOS_PER_UNIT}
            )
        for upload in report.photos:
            has_photos = True
            try:
                check_photo(upload)
            except ValidationError as error:
                problems.append(
                    _("Unit %(number)s: %(problem)s")
                    % {"number": number, "problem": error.messages[0]}
                )
    if has_photos and lines:
        site = next(iter(lines)).booking.site
        if organization_private_collection(site) is None:
            problems.append(
                _(
                    "The organization has no private collection any more: photos cannot be "
                    "kept away from the public. Describe the damage without them."
                )
            )
    if problems:
        raise DeskError(problems)


def store_photos(line: BookingLine, uploads, moment: str, *, user) -> list[BookingLinePhoto]:
    """Keep ``uploads`` as documents of the organization's private collection, tied to
    ``line``. Call after ``check_reports``."""
    if not uploads:
        return []
    Document = get_document_model()
    collection = organization_private_collection(line.booking.site)
    stored = []
    for index, upload in enumerate(uploads, start=1):
        extension = check_photo(upload)
        upload.name = f"{line.unit.inventory_number}-{moment}-{index}.{extension}"
        title = (
            _("Booking %(number)s — %(unit)s — on departure")
            if moment == PhotoMoment.DEPARTURE
            else _("Booking %(number)s — %(unit)s — on return")
        ) % {"number": line.booking.number, "unit": line.unit.inventory_number}
        document = Document(
            title=title[:255], file=upload, collection=collection, uploaded_by_user=user
        )
        document.file_size = upload.size
        document._set_file_hash()
        document.save()
        stored.append(BookingLinePhoto.objects.create(line=line, document=document, moment=moment))
    return stored


def _status_problem(booking: Booking, expected: str, message: str) -> None:
    if booking.status != expected:
        raise DeskError(
            [message % {"status": BookingStatus(booking.status).label, "number": booking.number}]
        )


def check_out(booking: Booking, reports: dict[int, UnitReport], *, user) -> Booking:
    """Hand over every unit of a confirmed ``booking``, each with its condition on departure
    (``reports``: line id → ``UnitReport``); the booking is then checked out. All units go
    out together: a unit not scanned is named, and nothing is written."""
    _status_problem(
        booking,
        BookingStatus.CONFIRMED,
        _("Booking %(number)s is “%(status)s”: only a confirmed booking can be checked out."),
    )
    lines = list(booking.lines.select_related("unit", "booking__site").order_by("pk"))
    missing = [line.unit.inventory_number for line in lines if line.pk not in reports]
    if missing:
        raise DeskError(
            [
                _(
                    "Still to scan: %(units)s. Every unit of the booking goes out together; "
                    "if one cannot, give the booking another unit on its screen."
                )
                % {"units": ", ".join(missing)}
            ]
        )
    unavailable = [
        line.unit.inventory_number for line in lines if line.unit.status != UnitStatus.AVAILABLE
    ]
    if unavailable:
        raise DeskError(
            [
                _(
                    "Not available (in repair or retired): %(units)s. Give the booking another "
                    "unit on its screen."
                )
                % {"units": ", ".join(unavailable)}
            ]
        )
    check_reports(lines, reports)
    now = timezone.now()
    with transaction.atomic():
        _record_conditions(lines, reports, PhotoMoment.DEPARTURE, now=now, user=user)
        change_status(booking, BookingStatus.CHECKED_OUT, user=user)
    return booking


def _record_conditions(lines, reports: dict, moment, *, now, user) -> None:
    """Write each unit's condition, description and photos on departure or on return."""
    out = moment == PhotoMoment.DEPARTURE
    condition, note, when = (
        ("condition_out", "condition_out_note", "checked_out_at")
        if out
        else ("condition_in", "condition_in_note", "returned_at")
    )
    for line in lines:
        report = reports[line.pk]
        setattr(line, condition, report.condition)
        setattr(line, note, report.note.strip())
        setattr(line, when, now)
    BookingLine.objects.bulk_update(lines, [condition, note, when])
    for line in lines:
        store_photos(line, reports[line.pk].photos, moment, user=user)


@dataclass
class CheckIn:
    """What a check-in did: the units back now, those sent to repair, and those still out."""

    booking: Booking
    returned: list[BookingLine]
    to_repair: list[EquipmentUnit]
    still_out: list[BookingLine]


def check_in(booking: Booking, reports: dict[int, UnitReport], *, user) -> CheckIn:
    """Take back the units of ``reports`` (line id → ``UnitReport``), each with its condition
    on return. A damaged unit goes to repair (and the public availability is forgotten); once
    every unit is back, the booking is returned."""
    _status_problem(
        booking,
        BookingStatus.CHECKED_OUT,
        _("Booking %(number)s is “%(status)s”: only a checked-out booking can be checked in."),
    )
    lines = list(booking.lines.select_related("unit", "booking__site").order_by("pk"))
    returning = [line for line in lines if line.pk in reports]
    if not returning:
        raise DeskError([_("Scan or type the inventory numbers of the units brought back.")])
    foreign = set(reports) - {line.pk for line in lines}
    if foreign or any(line.returned_at or not line.checked_out_at for line in returning):
        raise DeskError([_("Only units of this booking that went out can come back.")])
    check_reports(returning, reports)
    now = timezone.now()
    damaged = [line.unit for line in returning if reports[line.pk].condition == Condition.DAMAGED]
    with transaction.atomic():
        _record_conditions(returning, reports, PhotoMoment.RETURN, now=now, user=user)
        if damaged:
            EquipmentUnit.objects.filter(pk__in=[unit.pk for unit in damaged]).update(
                status=UnitStatus.REPAIR
            )
            for unit in damaged:
                unit.status = UnitStatus.REPAIR
            availability_changed(booking.site)
        still_out = [line for line in lines if not line.returned_at]
        if not still_out:
            change_status(booking, BookingStatus.RETURNED, user=user)
    return CheckIn(booking, returning, damaged, still_out)
