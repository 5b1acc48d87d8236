"""The import screens' forms: the upload (with its size limit, enforced while the file
arrives) and the column matching."""

from __future__ import annotations

from django import forms
from django.core.files.uploadhandler import FileUploadHandler
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.models import Site

from .pipeline import (
    check_one_file_column_each,
    max_upload_bytes,
    resource_class_for,
)
from .registry import get_kind, kind_label


class UploadLimitHandler(FileUploadHandler):
    """Stops keeping an uploaded file once it passes ``limit`` bytes, but counts the rest, so
    that the form can say how large the file was. Nothing past the limit reaches memory or the
    disk; the part before it is a temporary upload that Django deletes with the request."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        #: Field name → size in bytes of the files that were too large.
        self.oversized: dict[str, int] = {}

    def receive_data_chunk(self, raw_data, start):
        end = start + len(raw_data)
        if end <= self.limit:
            return raw_data
        self.oversized[self.field_name] = end
        return None  # the handlers after this one never see it

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) gives the file


def too_large_message(size: int) -> str:
    return _("The file is too large (%(size)s). The limit is %(limit)s.") % {
        "size": filesizeformat(size),
        "limit": filesizeformat(max_upload_bytes()),
    }


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Records in the file"), widget=forms.RadioSelect)
    site = forms.ModelChoiceField(
        label=pgettext_lazy("tenant", "Organization"),
        queryset=Site.objects.none(),
        help_text=_("The organization whose records the file completes."),
    )
    file = forms.FileField(label=_("File"))
    publish = forms.BooleanField(
        label=_("Publish new records"),
        required=False,
        help_text=_(
            "New rows become pages published on the website. Otherwise they are created as "
            "drafts, which only staff see."
        ),
    )

    def __init__(self, *args, kinds, sites, user=None, oversized=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.oversized = oversized or {}
        # A choice of one is no choice: the field goes, and ``clean`` fills in the answer.
        self.only_kind = kinds[0] if len(kinds) == 1 else None
        self.only_site = sites[0] if len(sites) == 1 else None
        if self.only_kind:
            del self.fields["kind"]
        else:
            self.fields["kind"].choices = [(kind, kind_label(kind)) for kind in kinds]
        if self.only_site:
            del self.fields["site"]
        else:
            self.fields["site"].queryset = Site.objects.filter(pk__in=[s.pk for s in sites])
        if not any(publishes_pages(kind) for kind in kinds):
            del self.fields["publish"]
        self.fields["file"].help_text = _(
            "CSV, XLSX or ODS, up to %(limit)s. The first row holds the column headers, in "
            "French or English."
        ) % {"limit": filesizeformat(max_upload_bytes())}
        self.fields["file"].widget.attrs["accept"] = ".csv,.txt,.tsv,.xlsx,.ods"

    def clean_file(self):
        # Checked before anything reads the file.
        upload = self.cleaned_data.get("file")
        if getattr(upload, "size", 0) > max_upload_bytes():
            raise forms.ValidationError(too_large_message(upload.size), code="too_large")
        return upload

    def clean(self):
        cleaned = super().clean()
        if "file" in self.oversized:
            # The upload handler stopped keeping the file at the limit: what is left of it is
            # truncated or empty, and the only thing to say is why.
            self.errors.pop("file", None)
            cleaned.pop("file", None)
            self.add_error("file", too_large_message(self.oversized["file"]))
        if self.only_kind:
            cleaned["kind"] = self.only_kind
        if self.only_site:
            cleaned["site"] = self.only_site
        kind, site = cleaned.get("kind"), cleaned.get("site")
        if self.user is not None and kind and site and not get_kind(kind).user_can_import(
            self.user, site
        ):
            self.add_error(
                "site" if "site" in self.fields else None,
                _("You may not import %(kind)s into this organization.")
                % {"kind": kind_label(kind).lower()},
            )
        return cleaned


def publishes_pages(kind: str) -> bool:
    """Whether rows of ``kind`` are pages (so "publish" means something)."""
    return getattr(resource_class_for(kind), "creates_pages", False)


class ColumnMappingForm(forms.Form):
    """One choice per file header: the column it feeds, or nothing."""

    def __init__(self, *args, headers: list[str], columns, mapping: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        choices = [("", _("Ignore this column"))] + [
            (column.name, f"{column.label} *" if column.required else column.label)
            for column in columns
        ]
        for index, header in enumerate(headers):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=header or _("(no header)"),
                choices=choices,
                required=False,
                initial=mapping.get(header, ""),
            )

    def header_fields(self):
        return [(header, self[f"column_{i}"]) for i, header in enumerate(self.headers)]

    def clean(self):
        cleaned = super().clean()
        try:
            check_one_file_column_each(cleaned.get(f"column_{i}") for i in range(len(self.headers)))
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None
        return cleaned

    def mapping(self) -> dict[str, str]:
        return {
            header: self.cleaned_data.get(f"column_{i}") or ""
            for i, header in enumerate(self.headers)
        }


