"""Spreadsheet rows <-> CRM records, with django-import-export.

A record is two things: a private ``Contact`` and its public page. The resources below are
``Contact`` resources whose page fields travel on the instance, so that django-import-export's
machinery (natural keys, dry run, row results with field errors, skip-unchanged) works for
records that are pages. Every resource is bound to one organization (``site``): it only finds,
updates and creates that organization's records.
"""

from __future__ import annotations

import html as html_module
import json
import re

from django.core.exceptions import ValidationError
from django.utils.html import escape, strip_tags
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from .models import Contact, OrganizationPage, PersonPage
from .models.records import OrganizationKind


def paragraphs_to_stream(text: str) -> str:
    """Plain text (paragraphs separated by blank lines) as a StreamField of one text block."""
    parts = [p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip()]
    if not parts:
        return "[]"
    html = "".join(
        "<p>" + "<br/>".join(escape(line) for line in p.split("\n")) + "</p>" for p in parts
    )
    return json.dumps([{"type": "text", "value": {"text": html}}])


def stream_to_paragraphs(stream) -> str:
    """The text blocks of a StreamField as plain paragraphs (the inverse of the above)."""
    paragraphs = []
    for child in stream or ():
        if child.block_type == "text":
            html = child.value["text"].source
            for chunk in html.split("</p>"):
                lines = re.split(r"<br\s*/?>", chunk)
                text = "\n".join(html_module.unescape(strip_tags(line)).strip() for line in lines)
                if text.strip():
                    paragraphs.append(text.strip())
    return "\n\n".join(paragraphs)


class RecordResource(resources.ModelResource):
    """Rows of one organization's records of one kind (people or organizations).

    ``page_fields`` maps a column to a page attribute; those values are carried on the Contact
    instance as ``_page_<column>`` while a row is imported.
    """

    kind: str = ""
    page_model = None
    page_fields: dict[str, str] = {}
    header_aliases: dict[str, list[str]] = {}

    def __init__(self, *, site, index_page=None, publish: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.site = site
        self.index_page = index_page
        self.publish = publish

    class Meta:
        model = Contact
        import_id_fields = ("email",)
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True

    def get_queryset(self):
        return Contact.objects.filter(site=self.site, kind=self.kind).order_by("pk")

    def init_instance(self, row=None):
        return Contact(site=self.site, kind=self.kind)

    def get_instance(self, instance_loader, row):
        email = (row.get("email") or "").strip()
        if not email:
            return None
        return self.get_queryset().filter(email__iexact=email).first()

    def export(self, queryset=None, **kwargs):
        return super().export(queryset if queryset is not None else self.get_queryset(), **kwargs)

    def before_export(self, queryset, **kwargs):
        """Fetch every exported record's page in one query (not one per row)."""
        if queryset is None:
            queryset = self.get_queryset()
        keys = queryset.values("translation_key")
        self._pages = {}
        for page in self.page_model.objects.filter(translation_key__in=keys).order_by("-pk"):
            self._pages[page.translation_key] = page  # the first (original) page wins

    def export_resource(self, instance, selected_fields=None, **kwargs):
        instance._record_page = getattr(self, "_pages", {}).get(instance.translation_key)
        self.after_init_instance(instance, False, None)
        return super().export_resource(instance, selected_fields, **kwargs)

    def page_for(self, contact):
        if not contact.pk:
            return None
        if not hasattr(contact, "_record_page"):
            pages = self.page_model.objects.filter(translation_key=contact.translation_key)
            contact._record_page = pages.order_by("pk").first()
        return contact._record_page

    def after_init_instance(self, instance, new, row, **kwargs):
        page = self.page_for(instance)
        for column in self.page_fields:
            setattr(instance, f"_page_{column}", self.read_page_value(page, column) if page else "")

    def read_page_value(self, page, column) -> str:
        return getattr(page, self.page_fields[column]) or ""

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if not instance.pk and not self.record_title(instance):
            raise ValidationError({self.title_column: _("A name is needed to create a record.")})

    title_column = "name"

    def record_title(self, instance) -> str:  # pragma: no cover - subclasses define it
        raise NotImplementedError

    def new_page(self, instance):  # pragma: no cover - subclasses define it
        raise NotImplementedError

    def update_page(self, page, instance) -> bool:
        """Copy the row's page values onto ``page``; whether anything changed."""
        changed = False
        for column in self.page_fields:
            value = getattr(instance, f"_page_{column}")
            if self.read_page_value(page, column) != value:
                self.write_page_value(page, column, value)
                changed = True
        title = self.record_title(instance)
        if title and page.title != title:
            page.title = title
            changed = True
        return changed

    def write_page_value(self, page, column, value):
        setattr(page, self.page_fields[column], value)

    def do_instance_save(self, instance, is_create):
        if is_create:
            page = self.new_page(instance)
            self.update_page(page, instance)
            page.live = False
            instance.translation_key = page.translation_key
            instance.save()
            self.index_page.add_child(instance=page)
            revision = page.save_revision(log_action=True)
            if self.publish:
                revision.publish()
            return
        instance.save()
        page = self.page_for(instance)
        if page is not None and self.update_page(page, instance):
            revision = page.save_revision(log_action=True)
            if page.live or self.publish:
                revision.publish()

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if original is None or import_validation_errors:
            return False
        for column in self.page_fields:
            if getattr(instance, f"_page_{column}") != getattr(original, f"_page_{column}"):
                return False
        return super().skip_row(instance, original, row, import_validation_errors)


class PageValueField(fields.Field):
    """A column stored on the record's page rather than on its Contact."""

    def __init__(self, column: str, **kwargs):
        super().__init__(attribute=f"_page_{column}", column_name=column, **kwargs)


class PersonResource(RecordResource):
    """People: ``email, first_name, last_name, phone, notes, bio``."""

    kind = Contact.Kind.PERSON
    page_model = PersonPage
    page_fields = {"first_name": "given_name", "last_name": "family_name", "bio": "bio"}
    title_column = "last_name"
    #: Accepted spellings of each column (case, accents and punctuation are ignored).
    header_aliases = {
        "email": ["e-mail", "courriel", "adresse courriel", "mail"],
        "first_name": ["first name", "given name", "prénom"],
        "last_name": ["last name", "family name", "surname", "nom", "nom de famille"],
        "phone": ["telephone", "téléphone", "tel", "tél"],
        "notes": ["note", "remarques"],
        "bio": ["biography", "biographie"],
    }

    email = fields.Field(attribute="email", column_name="email", widget=widgets.CharWidget())
    first_name = PageValueField("first_name", widget=widgets.CharWidget())
    last_name = PageValueField("last_name", widget=widgets.CharWidget())
    phone = fields.Field(attribute="phone", column_name="phone", widget=widgets.CharWidget())
    notes = fields.Field(attribute="notes", column_name="notes", widget=widgets.CharWidget())
    bio = PageValueField("bio", widget=widgets.CharWidget())

    class Meta(RecordResource.Meta):
        fields = ("email", "first_name", "last_name", "phone", "notes", "bio")
        export_order = fields

    def read_page_value(self, page, column):
        if column == "bio":
            return stream_to_paragraphs(page.bio)
        if column in ("first_name", "last_name") and not (page.given_name or page.family_name):
            # Entered in the editor as a full name only: the last word is taken as the family
            # name, so that the row can create the record again elsewhere.
            first, _space, last = page.title.strip().rpartition(" ")
            return first if column == "first_name" else last
        return super().read_page_value(page, column)

    def write_page_value(self, page, column, value):
        if column == "bio":
            page.bio = paragraphs_to_stream(value)
        else:
            super().write_page_value(page, column, value)

    def record_title(self, instance) -> str:
        return " ".join(
            part for part in (instance._page_first_name, instance._page_last_name) if part
        ).strip()

    def new_page(self, instance):
        return PersonPage(
            title=self.record_title(instance),
            given_name=instance._page_first_name,
            family_name=instance._page_last_name,
        )


class OrganizationResource(RecordResource):
    """Organizations: ``email, name, kind, website, street_address, postal_code, city, phone,
    notes``; an organization is found by its e-mail, or by name and postal code."""

    kind = Contact.Kind.ORGANIZATION
    page_model = OrganizationPage
    header_aliases = {
        "email": ["e-mail", "courriel", "mail"],
        "name": ["nom", "organization", "organisme", "organisation"],
        "kind": ["type", "genre"],
        "website": ["site web", "site", "web"],
        "street_address": ["address", "adresse"],
        "postal_code": ["postcode", "zip", "code postal"],
        "city": ["locality", "ville", "municipalité"],
        "phone": ["telephone", "téléphone", "tel", "tél"],
        "notes": ["note", "remarques"],
    }
    page_fields = {
        "kind": "kind",
        "website": "website",
        "street_address": "street_address",
        "postal_code": "postal_code",
        "city": "locality",
    }

    email = fields.Field(attribute="email", column_name="email", widget=widgets.CharWidget())
    name = PageValueField("name", widget=widgets.CharWidget())
    kind_column = PageValueField("kind", widget=widgets.CharWidget())
    website = PageValueField("website", widget=widgets.CharWidget())
    street_address = PageValueField("street_address", widget=widgets.CharWidget())
    postal_code = PageValueField("postal_code", widget=widgets.CharWidget())
    city = PageValueField("city", widget=widgets.CharWidget())
    phone = fields.Field(attribute="phone", column_name="phone", widget=widgets.CharWidget())
    notes = fields.Field(attribute="notes", column_name="notes", widget=widgets.CharWidget())

    class Meta(RecordResource.Meta):
        fields = (
            "email",
            "name",
            "kind_column",
            "website",
            "street_address",
            "postal_code",
            "city",
            "phone",
            "notes",
        )
        export_order = fields

    def after_init_instance(self, instance, new, row, **kwargs):
        super().after_init_instance(instance, new, row, **kwargs)
        page = self.page_for(instance)
        instance._page_name = page.title if page else ""

    def get_instance(self, instance_loader, row):
        found = super().get_instance(instance_loader, row)
        if found is not None:
            return found
        name, postal_code = (row.get("name") or "").strip(), (row.get("postal_code") or "").strip()
        if not name:
            return None
        pages = OrganizationPage.objects.filter(
            title__iexact=name, postal_code__iexact=postal_code
        ).values("translation_key")
        return self.get_queryset().filter(translation_key__in=pages).first()

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        kind = instance._page_kind
        if kind and kind not in OrganizationKind.values:
            raise ValidationError(
                {
                    "kind": _("Unknown kind “%(kind)s”; use one of: %(choices)s.")
                    % {"kind": kind, "choices": ", ".join(OrganizationKind.values)}
                }
            )

    def record_title(self, instance) -> str:
        return (instance._page_name or "").strip()

    def new_page(self, instance):
        return OrganizationPage(
            title=self.record_title(instance), kind=instance._page_kind or OrganizationKind.OTHER
        )


#: The record kinds that spreadsheets can import and export, by the name commands use.
RECORD_RESOURCES = {"people": PersonResource, "organizations": OrganizationResource}
