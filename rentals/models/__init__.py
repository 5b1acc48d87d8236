from .bookings import (
    INACTIVE_STATUSES,
    Booking,
    BookingLine,
    BookingStatus,
    Condition,
)
from .calendars import CalendarToken, CalendarTokenKind
from .catalogue import (
    EquipmentCategory,
    EquipmentIndexPage,
    EquipmentPage,
    EquipmentPhoto,
    KitComponent,
)
from .desk import BookingLinePhoto, PhotoMoment
from .inventory import (
    Closure,
    Equipment,
    EquipmentUnit,
    MembershipRate,
    Qualification,
    RateColumn,
    RentalSettings,
    Training,
    UnitCondition,
    UnitStatus,
)

__all__ = [
    "INACTIVE_STATUSES",
    "Booking",
    "BookingLine",
    "BookingLinePhoto",
    "BookingStatus",
    "CalendarToken",
    "CalendarTokenKind",
    "Closure",
    "Condition",
    "Equipment",
    "EquipmentCategory",
    "EquipmentIndexPage",
    "EquipmentPage",
    "EquipmentPhoto",
    "EquipmentUnit",
    "KitComponent",
    "MembershipRate",
    "PhotoMoment",
    "Qualification",
    "RateColumn",
    "RentalSettings",
    "Training",
    "UnitCondition",
    "UnitStatus",
]
