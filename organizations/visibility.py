"""What belongs to a user's organizations: the one rule every admin surface applies.

``visible(queryset, user)`` narrows any queryset to what the user may know of; ``object_visible``
asks it of one id. ``isolation.py`` applies them to every admin URL, ``wagtail_admin.py`` to the
lists Wagtail builds from whole tables.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from taggit.models import GenericTaggedItemBase, Tag, TagBase, TaggedItemBase
from wagtail.models import (
    Collection,
    Page,
    Revision,
    Site,
    Task,
    TaskState,
    Workflow,
    WorkflowState,
)
from wagtail.models.media import CollectionMember
from wagtail.permissions import policy_registry

from .permissions import SiteScopedPermissionPolicy
from .scoping import page_scope_for_user, sites_for_user

MEDIA_ACTIONS = ("add", "change", "delete", "choose")


# --- Which objects are the user's --------------------------------------------------------------


def page_visible(user, pk) -> bool:
    return visible(Page.objects.filter(pk=pk), user).exists()


def _media_policy(model):
    policy = policy_registry.get_by_type(model)
    return policy if hasattr(policy, "instances_user_has_any_permission_for") else None


def _related_object_visible(user, instance) -> bool:
    """Revisions, workflow states and task states belong to the object they are about."""
    if isinstance(instance, Revision):
        model = instance.base_content_type.model_class()
        return model is None or object_visible(user, model, instance.object_id)
    if isinstance(instance, TaskState):
        instance = instance.workflow_state
    model = instance.base_content_type.model_class()
    return model is None or object_visible(user, model, instance.object_id)


def visible(queryset: models.QuerySet, user) -> models.QuerySet:
    """``queryset`` narrowed to what belongs to ``user``'s organizations — pages of their
    sites, media of their collections, records of their organizations, the people who work
    there, their sites and groups, tags of what they see — or left whole for what belongs to
    no organization (locales, workflows, content types… which Wagtail's own permissions
    guard). Superusers see everything."""
    model = queryset.model
    if getattr(user, "is_superuser", False):
        return queryset
    if issubclass(model, Page):
        return queryset.filter(page_scope_for_user(user) | models.Q(depth=1))
    if issubclass(model, Collection):
        return queryset.filter(pk__in=_visible_collection_ids(user))
    if issubclass(model, CollectionMember):
        policy = _media_policy(model)
        if policy is None:
            return queryset
        return queryset.filter(
            pk__in=policy.instances_user_has_any_permission_for(user, MEDIA_ACTIONS).values("pk")
        )
    if issubclass(model, Site):
        return queryset.filter(pk__in=sites_for_user(user).values("pk"))
    if model is get_user_model():
        return queryset.filter(
            models.Q(pk=user.pk)
            | models.Q(groups__organization_role__site__in=sites_for_user(user).values("pk"))
        ).distinct()
    if issubclass(model, Group):
        return queryset.filter(organization_role__site__in=sites_for_user(user).values("pk"))
    if issubclass(model, TagBase):
        return queryset.filter(pk__in=visible_tag_ids(user, model))
    if issubclass(model, Workflow):
        return queryset.filter(pk__in=_visible_workflow_ids(user))
    if issubclass(model, Task):
        # A task is the organization's when its workflows are; a task in no workflow is no
        # organization's (Wagtail's own permissions guard it).
        return queryset.filter(
            models.Q(workflow_tasks__workflow_id__in=_visible_workflow_ids(user))
            | models.Q(workflow_tasks__isnull=True)
        ).distinct()
    policy = policy_registry.get_by_type(model)
    if isinstance(policy, SiteScopedPermissionPolicy):
        return queryset.filter(
            pk__in=policy.instances_user_has_any_permission_for(
                user, ("view", "change", "delete", "add")
            ).values("pk")
        )
    if hasattr(queryset, "for_user"):
        return queryset.for_user(user)
    site_field = next(
        (
            field
            for field in model._meta.get_fields()
            if field.name == "site" and getattr(field, "related_model", None) is Site
        ),
        None,
    )
    if site_field is not None:  # site settings, redirects…: their site's, or every site's
        condition = models.Q(site__in=sites_for_user(user).values("pk"))
        if site_field.null:
            condition |= models.Q(site__isnull=True)
        return queryset.filter(condition)
    return queryset


def _visible_workflow_ids(user) -> models.QuerySet:
    """Workflows given to pages of the user's sites, and those given to no page at all (the
    installation's own, like Wagtail's default): another organization's moderation workflow,
    assigned to its agenda, is not the user's to know of."""
    return Workflow.objects.filter(
        models.Q(workflow_pages__page__in=visible(Page.objects.all(), user).values("pk"))
        | models.Q(workflow_pages__isnull=True)
    ).values("pk")


def _visible_collection_ids(user) -> set[int]:
    """Collections where the user may do something with images or documents (their
    organization's collection and what lies below it)."""
    from wagtail.documents import get_document_model
    from wagtail.images import get_image_model

    ids: set[int] = set()
    for media in (get_image_model(), get_document_model()):
        policy = _media_policy(media)
        if policy is not None:
            ids |= set(
                policy.collections_user_has_any_permission_for(user, MEDIA_ACTIONS).values_list(
                    "pk", flat=True
                )
            )
    return ids


def object_visible(user, model: type[models.Model], pk) -> bool:
    """Whether ``pk`` names an object of ``model`` that ``user`` may know of (``visible``).
    An id that names nothing is not visible."""
    try:
        pk = model._meta.pk.to_python(pk)
    except (ValidationError, ValueError, TypeError):
        return False
    if model in (Revision, WorkflowState, TaskState):
        instance = model._default_manager.filter(pk=pk).first()
        return instance is not None and _related_object_visible(user, instance)
    if model._meta.label == "wagtailadmin.EditingSession":
        return model._default_manager.filter(pk=pk, user=user).exists()
    return visible(model._default_manager.filter(pk=pk), user).exists()


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
