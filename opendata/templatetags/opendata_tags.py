"""``{% cell field value %}``: one value of a dataset's record as the pages show it (numbers and
dates in the reader's language, addresses as links, yes/no for booleans)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..fields import FieldType

register = template.Library()


@register.simple_tag
def cell(field, value):
    if value is None or value == "":
        return ""
    kind = field.type
    if kind == FieldType.BOOLEAN:
        return _("yes") if value else _("no")
    if kind == FieldType.INTEGER:
        return number_format(value, force_grouping=True)
    if kind == FieldType.DECIMAL:
        return number_format(value, force_grouping=True)
    if kind == FieldType.DATE:
        try:
            return format_html(
                '<time datetime="{}">{}</time>',
                value,
                date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT"),
            )
        except ValueError:
            return value
    if kind == FieldType.DATETIME:
        try:
            moment = timezone.localtime(dt.datetime.fromisoformat(value))
        except ValueError:
            return value
        return format_html(
            '<time datetime="{}">{}</time>', value, date_format(moment, "SHORT_DATETIME_FORMAT")
        )
    if kind == FieldType.GEO_POINT:
        return f"{value['lat']}, {value['lon']}"
    if kind == FieldType.URL and str(value).startswith(("https://", "http://")):
        return format_html('<a href="{}" rel="nofollow noopener">{}</a>', value, value)
    return str(value)
