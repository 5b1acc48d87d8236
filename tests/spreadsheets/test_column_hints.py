"""What the import page says to write in a column, made from the column's widget or the model
field it fills: a plugin's kind gets it without writing it.

What a user would see: for a yes/no column, that "oui", "non" and a ticked "x" work; for a date,
that the day comes first; for a choice, the choices in their language, and what an empty cell
means; for text, how long it may be.
"""

import pytest
from django.db import models
from django.utils import translation
from wagtail.fields import StreamField

from spreadsheets.files import CellValueError
from spreadsheets.resources import (
    AmountWidget,
    DateWidget,
    LabelChoiceWidget,
    TextWidget,
    YesNoWidget,
    model_field_hint,
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


class Colour(models.TextChoices):
    RED = "red", "Red"
    BLUE = "blue", "Blue"


@pytest.mark.parametrize(
    ("field", "hint"),
    [
        (models.BooleanField(), "Yes or no: oui/non, yes/no, vrai/faux, 1/0, or x for yes."),
        (models.DateField(), "A date, day first: 31/12/2026, or 2026-12-31, or a date cell."),
        (models.DateTimeField(), "A date and time: 2026-12-31 18:30, or a date cell."),
        (models.DecimalField(), "An amount: 1234,50 or 1 234,50 or 1234.50, or a number cell."),
        (models.PositiveIntegerField(), "A whole number."),
        (models.EmailField(), "An e-mail address."),
        (models.URLField(), "A web address, like https://example.org/."),
        (models.TextField(), "Text; line breaks are kept."),
        (StreamField([]), "Text; separate paragraphs with an empty line."),
        (models.CharField(max_length=40), "Text, at most 40 characters."),
        (models.CharField(max_length=10, choices=Colour.choices), "One of: Red, Blue."),
    ],
)
def test_a_model_field_says_what_its_column_takes(field, hint):
    assert model_field_hint(field).startswith(hint)


def test_widgets_say_what_they_read_and_what_an_empty_cell_means():
    assert TextWidget().describe() is None  # its model field says more
    assert DateWidget().describe().startswith("A date, day first")
    assert AmountWidget().describe().endswith("Empty is 0.")
    status = LabelChoiceWidget(Colour.choices, default=Colour.BLUE)
    assert status.describe() == "One of: Red, Blue. Empty: Blue."
    assert YesNoWidget().describe().endswith("Empty: unknown.")


def test_hints_are_in_the_language_of_whoever_reads_them():
    with translation.override("fr"):
        assert DateWidget().describe().startswith("Une date, le jour en premier")
        assert YesNoWidget().describe().startswith("Oui ou non")


@pytest.mark.parametrize(
    ("cell", "value"),
    [("oui", True), ("Non", False), ("x", True), ("VRAI", True), ("0", False), ("", None)],
)
def test_the_yes_no_widget_reads_what_its_hint_promises(cell, value):
    assert YesNoWidget().clean(cell) is value


def test_the_yes_no_widget_refuses_anything_else_with_a_message():
    with pytest.raises(CellValueError, match="is not a yes/no answer"):
        YesNoWidget().clean("peut-être")
