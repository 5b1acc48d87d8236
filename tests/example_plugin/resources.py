from django.utils.translation import pgettext_lazy
from import_export import fields

from spreadsheets.pages import PageResource
from spreadsheets.resources import TextWidget, column

from .models import NoteIndexPage, NotePage


class NoteResource(PageResource):
    page_model = NotePage
    index_model = NoteIndexPage
    page_fields = {"external_id": "external_id", "title": "title", "summary": "summary"}
    sheet_columns = (
        column("external_id", pgettext_lazy("spreadsheet column", "external id"), "ref"),
        column("title", pgettext_lazy("spreadsheet column", "title"), "titre", required=True),
        column("summary", pgettext_lazy("spreadsheet column", "summary"), "résumé"),
    )
    external_id = fields.Field(
        attribute="external_id", column_name="external_id", widget=TextWidget()
    )
    title = fields.Field(attribute="title", column_name="title", widget=TextWidget())
    summary = fields.Field(attribute="summary", column_name="summary", widget=TextWidget())

    class Meta(PageResource.Meta):
        model = NotePage
        fields = ("external_id", "title", "summary")
