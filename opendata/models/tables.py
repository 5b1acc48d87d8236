"""Uploaded tables: the rows of a CSV/XLSX/ODS file, stored so that they can be filtered,
sorted and paged by the database.

Each row is one JSON object (``opendata.fields`` says the form of each type), so a filter on a
column is a key lookup on SQLite and PostgreSQL alike; ``search_text`` holds the row's words,
lowered and without accents, for full-text ``q`` and ``search()``. A new upload replaces the
columns and rows in one transaction (``opendata.uploads``): readers see the old table or the new
one, never half of each, and the dataset keeps its identifiers.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from organizations.scoping import SiteScopedQuerySet

from ..fields import Field, FieldType


class DatasetTableQuerySet(SiteScopedQuerySet):
    pass


class DatasetTable(models.Model):
    dataset = models.OneToOneField(
        "opendata.DatasetPage",
        on_delete=models.CASCADE,
        related_name="table",
        verbose_name=_("dataset"),
    )
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("file"), max_length=255, blank=True)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    uploaded_at = models.DateTimeField(_("uploaded on"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = DatasetTableQuerySet.as_manager()

    class Meta:
        verbose_name = _("uploaded table")
        verbose_name_plural = _("uploaded tables")

    def __str__(self):
        return self.filename or str(self.dataset)

    def fields(self) -> tuple[Field, ...]:
        members = self.dataset.members_field_names()
        return tuple(
            Field(
                column.name,
                column.label or column.name,
                column.type,
                members_only=column.members_only or column.name in members,
                facet=column.facet,
            )
            for column in self.columns.all()
        )


class DatasetColumn(models.Model):
    table = models.ForeignKey(DatasetTable, on_delete=models.CASCADE, related_name="columns")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.SlugField(_("name"), max_length=64)
    label = models.CharField(_("label"), max_length=255, blank=True)
    type = models.CharField(
        _("type"), max_length=20, choices=FieldType.choices, default=FieldType.TEXT
    )
    members_only = models.BooleanField(_("members only"), default=False)
    facet = models.BooleanField(_("offered as a filter"), default=False)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["table", "name"], name="opendata_column_name_unique")
        ]
        verbose_name = _("column")
        verbose_name_plural = _("columns")

    def __str__(self):
        return self.name


class DatasetRow(models.Model):
    table = models.ForeignKey(DatasetTable, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()
    data = models.JSONField(default=dict)
    search_text = models.TextField(default="", blank=True)

    class Meta:
        ordering = ["number"]
        indexes = [models.Index(fields=["table", "number"], name="opendata_row_number")]

    def __str__(self):
        return f"{self.table_id}:{self.number}"
