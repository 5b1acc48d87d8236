"""Pages as rows: what every page-backed resource shares, and ``PageResource`` for kinds whose
row *is* a page (events, films, equipment…).

The rules, the same for every kind:

- rows compare against each page's latest draft, never an older published version;
- new rows become pages below the organization's section page for the kind (made by
  ``create_organization``), as drafts unless "Publish" is asked by a user who may publish;
- an update is published only where the page is live without a pending draft and the user may
  publish: a private draft, or an editor's unfinished work, is never published by a spreadsheet;
  otherwise the update becomes a new draft;
- pages are written through the bulk page path (``bulk.py``), which keeps Wagtail's invariants.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q
from django.utils.translation import gettext
from wagtail.models import Page, Revision

from public_cache.generations import invalidate_sites

from .bulk import pages_bulk_create, pages_bulk_update
from .resources import SpreadsheetResource, chunked, distinct_cells


class PageRowsMixin:
    """For a resource whose rows live in pages of ``page_model`` below the organization's page
    of ``index_model``; ``page_fields`` maps a column to a page attribute."""

    #: Rows become pages: "Publish" means something for them.
    creates_pages = True
    page_model: type[Page]
    index_model: type[Page]
    page_fields: dict[str, str] = {}

    @classmethod
    def column_model_field(cls, name: str):
        """A column of ``page_fields`` fills that field of the page."""
        if name in cls.page_fields and getattr(cls, "page_model", None) is not None:
            try:
                return cls.page_model._meta.get_field(cls.page_fields[name])
            except FieldDoesNotExist:
                return None
        return super().column_model_field(name)

    def index_page(self) -> Page:
        """Where new rows of this kind go: the organization's section page for them."""
        roots = Page.objects.filter(translation_key=self.site.root_page.translation_key)
        for root in roots.order_by("pk"):
            index = self.index_model.objects.descendant_of(root).order_by("path").first()
            if index is not None:
                return index
        raise ValidationError(
            gettext(
                "This organization has no page to hold these records yet: add a “%(model)s” page."
            )
            % {"model": self.index_model._meta.verbose_name}
        )

    def check_page_permissions(self) -> None:
        """Set ``can_add`` and ``can_publish`` (a command, without a user, may both); refuse a
        "Publish" import by a user who may not publish."""
        permissions = self.index_page().permissions_for_user(self.user) if self.user else None
        self.can_add = permissions is None or bool(permissions.can_add_subpage())
        self.can_publish = permissions is None or bool(permissions.can_publish())
        if self.publish and not self.can_publish:
            raise ValidationError(
                gettext(
                    "You may not publish pages of this organization: import without "
                    "publishing, or ask an editor to publish. Nothing was written."
                )
            )

    def load_pages(self, keys, *, key_field: str = "translation_key", pages=None) -> dict:
        """``key_field`` value → the original page with that value (among ``pages``, by default
        every page of ``page_model``), as its latest draft."""
        pages_by_key: dict = {}
        candidates = self.page_model.objects.all() if pages is None else pages
        for chunk in chunked(sorted(keys, key=str)):
            for page in candidates.filter(**{f"{key_field}__in": chunk}).order_by("-pk"):
                pages_by_key[getattr(page, key_field)] = page  # the lowest pk (the original) wins
        self.apply_drafts(list(pages_by_key.values()))
        return pages_by_key

    def apply_drafts(self, pages: list) -> list:
        """``pages``, each given the values of its latest draft where it has one."""
        drafts = [p for p in pages if p.has_unpublished_changes and p.latest_revision_id]
        for chunk in chunked(drafts):
            contents = dict(
                Revision.objects.filter(pk__in=[p.latest_revision_id for p in chunk]).values_list(
                    "pk", "content"
                )
            )
            for page in chunk:
                content = contents.get(page.latest_revision_id)
                if content is not None:
                    self.apply_draft_values(page, content)
        return pages

    def apply_draft_values(self, page, content: dict) -> None:
        """Give ``page`` the title and column values of its latest draft (``content``, a
        revision's JSON), without the queries of ``with_content_json``; the whole draft is
        loaded only for the pages an import changes (``draft_of``)."""
        page._draft_content = content
        for attribute in ["title", *self.page_fields.values()]:
            if attribute in content:
                field = self.page_model._meta.get_field(attribute)
                setattr(page, attribute, field.to_python(content[attribute]))

    def draft_of(self, page):
        """The page as its latest draft, every field included, ready for a new revision."""
        content = getattr(page, "_draft_content", None)
        return page if content is None else page.with_content_json(content)

    def cannot_add_message(self) -> str:
        return gettext(
            "You may not create pages here: ask an editor to give you that right, or import "
            "only rows that update existing records."
        )

    def publishes_update(self, page) -> bool:
        """Whether an update of ``page`` goes live (see the module's rules)."""
        return self.can_publish and page.live and not page.has_unpublished_changes


class PageResource(PageRowsMixin, SpreadsheetResource):
    """Rows that are pages themselves. A kind declares ``page_model``, ``index_model``,
    ``page_fields`` (with ``title`` among them, or ``title_column``), ``key_column`` — the
    column of a page field unique within the organization (an external id) that tells which
    page a row updates — and, as usual, ``sheet_columns`` and import-export ``fields`` whose
    ``attribute`` is the page attribute."""

    key_column = "external_id"
    title_column = "title"

    class Meta(SpreadsheetResource.Meta):
        model = Page
        import_id_fields = ()

    @property
    def key_field(self) -> str:
        return self.page_fields[self.key_column]

    def site_pages(self):
        """The pages of this kind in the organization, in every language."""
        return self.scope_queryset(self.page_model.objects.all(), [self.site])

    @classmethod
    def scope_queryset(cls, queryset, sites):
        """``queryset``'s pages within the trees of ``sites``, in every language."""
        roots = Page.objects.filter(
            translation_key__in=[site.root_page.translation_key for site in sites]
        )
        scope = Q(pk__in=[])
        for path in roots.values_list("path", flat=True):
            scope |= Q(path__startswith=path)
        return queryset.filter(scope)

    def get_queryset(self):
        return self.site_pages()

    # Phase 1 ---------------------------------------------------------------------------------

    def prepare(self, dataset) -> None:
        self._columns = list(dataset.headers or [])
        self.check_page_permissions()
        self.pages_by_key = self.load_pages(
            distinct_cells(dataset, self.key_column),
            key_field=self.key_field,
            pages=self.site_pages(),
        )
        self.seen_keys: dict[str, int] = {}

    def init_instance(self, row=None):
        return self.page_model()

    def get_instance(self, instance_loader, row):
        key = str(row.get(self.key_column) or "").strip()
        return self.pages_by_key.get(key) if key else None

    def check_row(self, instance, row) -> None:
        errors = {}
        key = str(getattr(instance, self.key_field) or "").strip()
        if key:
            first = self.seen_keys.setdefault(key, self._current_row)
            if first != self._current_row:
                errors[self.key_column] = gettext(
                    "This record is already on row %(row)s of the file."
                ) % {"row": first}
        if instance.pk is None and not (instance.title or "").strip():
            errors[self.title_column] = gettext("A name is needed to create a record.")
        elif instance.pk is None and not self.can_add:
            errors[self.title_column] = self.cannot_add_message()
        if errors:
            raise ValidationError(errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Each column's page field, as its model field cleans it; the tree, the slug and the
        rest are the bulk path's business when writing."""
        errors = dict(import_validation_errors or {})
        for name, attribute in self.page_fields.items():
            if name in errors or name not in self._columns:
                continue
            try:
                self.page_model._meta.get_field(attribute).clean(
                    getattr(instance, attribute), instance
                )
            except ValidationError as error:
                errors[name] = error.messages
        if errors:
            raise ValidationError(errors)

    # Phase 2 ---------------------------------------------------------------------------------

    def row_values(self, page) -> dict:
        """The values the file gave ``page``: copied onto its latest draft when writing."""
        columns = set(self._columns)
        return {
            attribute: getattr(page, attribute)
            for name, attribute in self.page_fields.items()
            if name in columns
        }

    def save_instance(self, instance, is_create, row, **kwargs):
        instance._row_values = self.row_values(instance)
        super().save_instance(instance, is_create, row, **kwargs)

    def parent_for(self, page, index):
        """Where a new row's page goes: the index page (a kind may file some elsewhere below
        it, as films go into their distributor's folder)."""
        return index

    def prepare_new(self, page) -> None:
        """A new row's page just before it is written (a kind may attach its inline rows)."""

    def apply_row(self, page, draft) -> None:
        """The row's values onto the latest revision of an existing page (``draft``)."""
        for attribute, value in page._row_values.items():
            setattr(draft, attribute, value)

    def write(self) -> None:
        index = self.index_page()
        Page.objects.select_for_update().filter(pk=index.pk).first()
        by_parent: dict[int, list] = {}
        parents = {index.pk: index}
        for page in self.pending_new:
            parent = self.parent_for(page, index)
            parents[parent.pk] = parent
            self.prepare_new(page)
            by_parent.setdefault(parent.pk, []).append(page)
        for parent_pk, pages in by_parent.items():
            parent = parents[parent_pk]
            for start in range(0, len(pages), self.write_batch_size):
                batch = pages[start : start + self.write_batch_size]
                for page in batch:
                    page.locale_id = parent.locale_id
                pages_bulk_create(
                    parent=parent, pages=batch, user=self.user, publish=self.publish
                )
                self.tick(len(batch))
        for start in range(0, len(self.pending_updates), self.write_batch_size):
            changed, flags = [], []
            for page in self.pending_updates[start : start + self.write_batch_size]:
                draft = self.draft_of(page)
                self.apply_row(page, draft)
                changed.append(draft)
                flags.append(self.publishes_update(page))
            if changed:
                pages_bulk_update(pages=changed, user=self.user, publish=flags)
            self.tick(len(changed))
        invalidate_sites(url_paths=[index.url_path])

    # Export ------------------------------------------------------------------------------------

    def iter_export_rows(self, queryset=None, chunk_size: int = 500) -> Iterator[list]:
        """The organization's pages of this kind (or those of ``queryset``), oldest first, each
        as its latest draft: what staff last saved. A few queries per chunk."""
        pages = self.site_pages() if queryset is None else queryset
        ids = list(pages.order_by("pk").values_list("pk", flat=True))
        for chunk in chunked(ids, chunk_size):
            batch = self.page_model.objects.filter(pk__in=chunk).order_by("pk")
            for page in self.apply_drafts(list(batch)):
                yield [self.export_cell(page, c.name) for c in self.sheet_columns]

    def export_cell(self, page, column: str):
        field = self.fields.get(column)
        return field.export(page) if field is not None else ""
