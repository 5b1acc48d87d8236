"""The event editor's form: the recurrence rule chosen with friendly fields.

Staff never type an RRULE: they choose how often, every how many, which weekdays, "the 2nd
Tuesday", until when or how many times; the form compiles that to the page's ``recurrence``
(RFC 5545) and reads it back when the page is edited, so that a rule imported from a
spreadsheet opens in the same fields.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from privacy.forms import PrivateTwinPageForm

from .recurrence import WEEKDAYS, RecurrenceRule

REPEAT_CHOICES = [
    ("", _("Does not repeat")),
    ("DAILY", _("Every day")),
    ("WEEKLY", _("Every week")),
    ("MONTHLY", _("Every month")),
    ("YEARLY", _("Every year")),
]
WEEKDAY_CHOICES = list(
    zip(
        WEEKDAYS,
        (
            _("Monday"),
            _("Tuesday"),
            _("Wednesday"),
            _("Thursday"),
            _("Friday"),
            _("Saturday"),
            _("Sunday"),
        ),
        strict=True,
    )
)
POSITION_CHOICES = [
    ("", _("On the same day of the month")),
    ("1", pgettext_lazy("weekday of the month", "On the first")),
    ("2", pgettext_lazy("weekday of the month", "On the second")),
    ("3", pgettext_lazy("weekday of the month", "On the third")),
    ("4", pgettext_lazy("weekday of the month", "On the fourth")),
    ("-1", pgettext_lazy("weekday of the month", "On the last")),
]


class EventPageForm(PrivateTwinPageForm):
    repeat = forms.ChoiceField(label=_("Repeats"), choices=REPEAT_CHOICES, required=False)
    repeat_interval = forms.IntegerField(
        label=_("Every"),
        min_value=1,
        max_value=999,
        required=False,
        help_text=_("1: every week (or day, month…); 2: every other week."),
    )
    repeat_weekdays = forms.MultipleChoiceField(
        label=_("On"),
        choices=WEEKDAY_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For a weekly event: its days (the start date's day if none is ticked)."),
    )
    repeat_position = forms.ChoiceField(
        label=_("Which week of the month"),
        choices=POSITION_CHOICES,
        required=False,
        help_text=_("For a monthly event: “On the second” + Tuesday is the 2nd Tuesday."),
    )
    repeat_until = forms.DateField(label=_("Until"), required=False)
    repeat_count = forms.IntegerField(
        label=_("Or number of times"), min_value=1, max_value=999, required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound or not self.instance.recurrence:
            return
        try:
            rule = RecurrenceRule.parse(self.instance.recurrence)
        except ValidationError:
            return
        positions = {day[:-2] for day in rule.weekdays}
        self.initial.update(
            repeat=rule.frequency,
            repeat_interval=rule.interval,
            repeat_weekdays=[day[-2:] for day in rule.weekdays],
            repeat_position=positions.pop() if len(positions) == 1 else "",
            repeat_until=rule.until,
            repeat_count=rule.count,
        )

    def clean(self):
        cleaned_data = super().clean()
        frequency = cleaned_data.get("repeat") or ""
        if not frequency:
            self.instance.recurrence = ""
            return cleaned_data
        position = cleaned_data.get("repeat_position") or ""
        weekdays = cleaned_data.get("repeat_weekdays") or []
        if position and frequency not in ("MONTHLY", "YEARLY"):
            self.add_error(
                "repeat_position", _("Choose a week of the month only for a monthly event.")
            )
            return cleaned_data
        if position and not weekdays:
            self.add_error("repeat_weekdays", _("Tick the weekday, for example Tuesday."))
            return cleaned_data
        rule = RecurrenceRule(
            frequency,
            interval=cleaned_data.get("repeat_interval") or 1,
            weekdays=[f"{position}{day}" for day in weekdays],
            until=cleaned_data.get("repeat_until"),
            count=cleaned_data.get("repeat_count"),
        )
        try:
            rule.validate()
        except ValidationError as error:
            self.add_error("repeat", error)
            return cleaned_data
        start = cleaned_data.get("start_date")
        if rule.until and start and rule.until < start:
            self.add_error("repeat_until", _("The repetition ends before the first date."))
        self.instance.recurrence = rule.as_rrule()
        return cleaned_data
