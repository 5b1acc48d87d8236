"""Wagtail's admin lists and views that read whole tables, narrowed to the user's organizations.

``isolation.py`` closes every admin URL to other organizations' ids. What remains are lists a
view builds without asking whose they are: the choices of its filters (people who edited a
page, sites, collections, the ten most popular tags), the tags a tag field suggests, the image
chooser's popular tags, the "Page types usage" report's counts and last edited pages. Each is
narrowed here with ``isolation.visible``:

- every Wagtail filter set (``WagtailFilterSet``: listings, reports, histories) gets its model
  choices and tag choices narrowed once built (``scope_filterset``), which covers filter sets
  that Wagtail or a plugin adds later;
- the views that are not filter sets are replaced by narrowed ones (``REPLACED_VIEWS``, by URL
  name, applied by ``isolation.isolated_urlpatterns``), and the admin API's endpoints list only
  what ``visible`` keeps (``scoped_api_view``).

Wagtail offers no hook for these, so ``install()`` (called once from the app's ``ready()``)
wraps ``WagtailFilterSet.get_form_class`` and the image chooser's context: the two places where
Wagtail's own code is patched, both covered by the admin-URL walk
(``tests/organizations/test_admin_walk.py``), which fails if a Wagtail upgrade moves them.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404, JsonResponse
from taggit.models import GenericTaggedItemBase, Tag, TagBase, TaggedItemBase

from .isolation import visible
from .scoping import sites_for_user

TAGS_AUTOCOMPLETE_LIMIT = 10


# --- Tags --------------------------------------------------------------------------------------


def _through_models(tag_model):
    from django.apps import apps

    for model in apps.get_models():
        if not issubclass(model, GenericTaggedItemBase | TaggedItemBase):
            continue
        field = model._meta.get_field("tag")
        if field.related_model is tag_model:
            yield model


def _tagged_visible(through, user) -> models.QuerySet:
    """Rows of ``through`` (a tag-to-object table) whose object the user may see."""
    if issubclass(through, GenericTaggedItemBase):
        condition = models.Q(pk__in=[])
        for content_type_id in through.objects.values_list("content_type", flat=True).distinct():
            model = ContentType.objects.get_for_id(content_type_id).model_class()
            if model is None:
                continue
            condition |= models.Q(
                content_type_id=content_type_id,
                object_id__in=visible(model._default_manager.all(), user).values("pk"),
            )
        return through.objects.filter(condition)
    model = through._meta.get_field("content_object").related_model
    return through.objects.filter(
        content_object__in=visible(model._default_manager.all(), user).values("pk")
    )


def visible_tag_ids(user, tag_model=Tag) -> models.QuerySet:
    """Ids of the tags given to something the user may see."""
    condition = models.Q(pk__in=[])
    for through in _through_models(tag_model):
        condition |= models.Q(pk__in=_tagged_visible(through, user).values("tag_id"))
    return tag_model.objects.filter(condition).values("pk")


def popular_tags(user, model, count=10):
    """The ``count`` tags most given to ``model``'s objects that the user may see."""
    content_type = ContentType.objects.get_for_model(model)
    objects = visible(model._default_manager.all(), user).values("pk")
    return (
        Tag.objects.filter(
            taggit_taggeditem_items__content_type=content_type,
            taggit_taggeditem_items__object_id__in=objects,
        )
        .annotate(item_count=models.Count("taggit_taggeditem_items"))
        .order_by("-item_count", "name")[:count]
    )


def tag_autocomplete(request, app_name=None, model_name=None):
    """Wagtail's tag autocomplete, suggesting only tags the user's organizations use."""
    tag_model = Tag
    if app_name and model_name:
        try:
            content_type = ContentType.objects.get_by_natural_key(app_name, model_name)
        except ContentType.DoesNotExist as error:
            raise Http404 from error
        tag_model = content_type.model_class()
        if tag_model is None or not issubclass(tag_model, TagBase):
            raise Http404
    term = request.GET.get("term", "")
    if not term:
        return JsonResponse([], safe=False)
    tags = visible(tag_model.objects.filter(name__istartswith=term), request.user)
    names = tags.order_by("name").values_list("name", flat=True)[:TAGS_AUTOCOMPLETE_LIMIT]
    return JsonResponse(list(names), safe=False)


# --- Filter sets -------------------------------------------------------------------------------


def _narrowed(source, user):
    def queryset(request=None):
        found = source(request) if callable(source) else source
        return visible(found, user) if isinstance(found, models.QuerySet) else found

    return queryset


def scope_filterset(filterset) -> None:
    """Narrow a built filter set's choices to what its user may see."""
    from wagtail.admin.filters import PopularTagsFilter

    request = getattr(filterset, "request", None)
    user = getattr(request, "user", None)
    if user is None or getattr(user, "is_superuser", False):
        return
    for filter_ in filterset.filters.values():
        if getattr(filter_, "queryset", None) is not None:
            filter_.queryset = _narrowed(filter_.queryset, user)
        elif filter_.extra.get("queryset") is not None:
            filter_.extra["queryset"] = _narrowed(filter_.extra["queryset"], user)(request)
        if isinstance(filter_, PopularTagsFilter):
            model = filterset._meta.model
            filter_.extra["choices"] = [(tag.name, tag.name) for tag in popular_tags(user, model)]


# --- The "Page types usage" report --------------------------------------------------------------


def _root_paths(user) -> list[str]:
    return [site.root_page.path for site in sites_for_user(user).select_related("root_page")]


def page_types_usage_view(results_only=False):
    """Wagtail's report counts every page of the installation and names the last edited one
    of each type; this one counts and names only pages of the user's organizations."""
    from django.db.models import Count, F, OuterRef, Q, Subquery
    from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
    from wagtail.models import Page

    class ScopedPageTypesUsageReportView(PageTypesUsageReportView):
        def get_queryset(self):
            queryset = super().get_queryset()
            user = self.request.user
            if user.is_superuser:
                return queryset
            roots = _root_paths(user)
            chosen = self.filters.form.cleaned_data.get("site")
            if chosen:
                roots = [root for root in roots if chosen.startswith(root)] or ["-"]
            language = self.filters.form.cleaned_data.get("page_locale")
            pages = Q(pages__path__startswith="-")
            latest = Q(path__startswith="-")
            for root in roots:
                pages |= Q(pages__path__startswith=root)
                latest |= Q(path__startswith=root)
            if language:
                pages &= Q(pages__locale__language_code=language)
                latest &= Q(locale__language_code=language)
            last_edited = (
                Page.objects.filter(latest, content_type=OuterRef("pk"))
                .order_by(F("latest_revision_created_at").desc(nulls_last=True), "title", "-pk")
                .values("pk")[:1]
            )
            return queryset.annotate(
                count=Count("pages", filter=pages, distinct=True),
                last_edited_page_id=Subquery(last_edited),
            ).order_by("-count", "app_label", "model")

    class ScopedFilterSet(ScopedPageTypesUsageReportView.filterset_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            user = self.request.user
            if "site" in self.filters and not user.is_superuser:
                own = set(_root_paths(user))
                choices = self.filters["site"].extra["choices"]
                listed = choices() if callable(choices) else choices
                self.filters["site"].extra["choices"] = [c for c in listed if c[0] in own]

    ScopedPageTypesUsageReportView.filterset_class = ScopedFilterSet
    return ScopedPageTypesUsageReportView.as_view(results_only=results_only)


# --- The admin API ---------------------------------------------------------------------------


def scoped_api_view(callback):
    """An admin API endpoint (a Django REST framework view) whose objects are narrowed by
    ``visible``: Wagtail's lists every image and document of the installation."""
    endpoint = callback.cls

    class ScopedEndpoint(endpoint):
        def get_queryset(self):
            return visible(super().get_queryset(), self.request.user)

    from wagtail.admin.api.urls import admin_api

    ScopedEndpoint.__name__ = f"Scoped{endpoint.__name__}"
    return admin_api.wrap_view(ScopedEndpoint.as_view(callback.actions, **callback.initkwargs))


# --- Pasted links ------------------------------------------------------------------------------


def external_link_view():
    """Wagtail's "external link" chooser step, which answers a POST without its URL field with
    a server error (the field's cleaning reads ``None``): here it is a form error."""
    from wagtail.admin.forms.choosers import ExternalLinkChooserForm, URLOrAbsolutePathField
    from wagtail.admin.views.chooser import ExternalLinkView

    class URLField(URLOrAbsolutePathField):
        def to_python(self, value):
            return super().to_python(value or "")

    class Form(ExternalLinkChooserForm):
        url = URLField(required=True, label=ExternalLinkChooserForm.base_fields["url"].label)

    class View(ExternalLinkView):
        form_class = Form

    return View.as_view()


#: Admin views replaced by narrowed ones, by URL name (``namespace:name``).
REPLACED_VIEWS = {
    "wagtailadmin_choose_page_external_link": external_link_view,
    "wagtailadmin_tag_autocomplete": lambda: tag_autocomplete,
    "wagtailadmin_tag_model_autocomplete": lambda: tag_autocomplete,
    "wagtailadmin_reports:page_types_usage": lambda: page_types_usage_view(),
    "wagtailadmin_reports:page_types_usage_results": lambda: page_types_usage_view(True),
}


# --- Installing the two patches --------------------------------------------------------------


def install() -> None:
    from wagtail.admin.filters import WagtailFilterSet
    from wagtail.images.views.chooser import ImageChooseViewMixin

    if getattr(WagtailFilterSet, "_liens_scoped", False):
        return
    original_form_class = WagtailFilterSet.get_form_class

    def get_form_class(self):
        # The form is built from the filters once the filter set's own __init__ (and its
        # subclasses') set their choices: the last moment to narrow them.
        scope_filterset(self)
        return original_form_class(self)

    WagtailFilterSet.get_form_class = get_form_class
    WagtailFilterSet._liens_scoped = True

    original_context = ImageChooseViewMixin.get_context_data

    def get_context_data(self, **kwargs):
        context = original_context(self, **kwargs)
        if "popular_tags" in context and not self.request.user.is_superuser:
            context["popular_tags"] = popular_tags(self.request.user, self.model)
        return context

    ImageChooseViewMixin.get_context_data = get_context_data
