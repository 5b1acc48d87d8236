"""Wagtail's own admin URLs, closed to other organizations.

Wagtail's admin views look objects up by id across the whole installation and check
permissions afterwards, and some show what they found first: a bulk-action confirmation lists
the titles of the items one may not act on, a move confirmation names both pages, the page
chooser shows the page it browses. Rather than hunting views one by one (and missing the next
one mounted), every admin URL is wrapped once, by ``isolated_urlpatterns`` in the site's
URLconf. Before the view runs, every id it was given must name something of the user's
organizations:

- ids in the path: ``page_id``, ``parent_page_id``… (pages), ``image_id``, ``document_id``…
  (media, through their collection), ``revision_id``, ``workflow_state_id``, ``task_state_id``
  (through the object they belong to), ``session_id``, ``uploaded_file_id`` (the user's own),
  and ``pk``/``object_id``/``<model name>_id`` of the view's model (``OBJECT_KWARGS``);
- ids in the query string (``?id=``: bulk actions, "chosen" views of choosers), for views whose
  model is known.

Otherwise the answer is "not found", exactly as for an id that does not exist: a second
organization learns neither names nor existence. Superusers are not limited. Which objects
count as the user's is ``visibility.py``'s rule; lists that Wagtail builds without a request
(filter choices, popular tags) are narrowed by the same rule in ``wagtail_admin.py``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import apps
from django.db import models
from django.http import Http404
from django.urls import URLPattern, URLResolver
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.defaults import page_not_found
from wagtail.contrib.settings.models import BaseSiteSetting
from wagtail.models import Page, Site

from .visibility import object_visible, page_visible

#: Path parameters that always name a page.
PAGE_KWARGS = frozenset(
    {"page_id", "parent_page_id", "page_to_move_id", "destination_id", "page_pk"}
)
#: Path parameters naming an object whose model the parameter's name says.
MODEL_KWARGS = {
    "image_id": "wagtailimages.Image",
    "document_id": "wagtaildocs.Document",
    "doc_id": "wagtaildocs.Document",
    "collection_id": "wagtailcore.Collection",
    "revision_id": "wagtailcore.Revision",
    "workflow_state_id": "wagtailcore.WorkflowState",
    "task_state_id": "wagtailcore.TaskState",
    "task_id": "wagtailcore.Task",
    "session_id": "wagtailadmin.EditingSession",
}
#: Path parameters naming an object of the view's own model.
OBJECT_KWARGS = frozenset({"pk", "object_id"})
APP_KWARGS = ("app_label", "app_name", "content_type_app_name")
MODEL_NAME_KWARGS = ("model_name", "content_type_model_name")
MEDIA_ACTIONS = ("add", "change", "delete", "choose")


def _uploaded_file_visible(user, pk) -> bool:
    from wagtail.models import UploadedFile

    try:
        return UploadedFile.objects.filter(pk=int(pk), uploaded_by_user=user).exists()
    except (TypeError, ValueError):
        return False


# --- Which model a URL addresses ---------------------------------------------------------------


def _named_model(kwargs) -> type[models.Model] | None:
    app = next((kwargs[name] for name in APP_KWARGS if name in kwargs), None)
    name = next((kwargs[name] for name in MODEL_NAME_KWARGS if name in kwargs), None)
    if app and name:
        try:
            return apps.get_model(app, name)
        except (LookupError, ValueError):
            raise Http404 from None
    return None


def view_model(callback, route: str, kwargs) -> type[models.Model] | None:
    """The model a URL's ``pk``/``object_id``/``?id=`` name: given by the URL (app label and
    model name), by the view (a viewset's ``model``), or by where it is mounted (``pages/``,
    ``choose-page/``)."""
    named = _named_model(kwargs)
    if named is not None:
        return named
    initkwargs = getattr(callback, "view_initkwargs", None) or {}
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    model = initkwargs.get("model") or getattr(view_class, "model", None)
    if isinstance(model, type) and issubclass(model, models.Model):
        return model
    if route.startswith(("pages/", "choose-page/")):
        return Page
    if route.startswith("workflows/tasks/"):
        from wagtail.models import Task

        return Task
    if route.startswith("documents/chooser/"):
        from wagtail.documents import get_document_model

        return get_document_model()
    if route.startswith("images/chooser/"):
        from wagtail.images import get_image_model

        return get_image_model()
    return None


# --- The wrapper -------------------------------------------------------------------------------


def _ensure_visible(request, callback, route, kwargs) -> None:
    user = request.user
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return  # signed-out visitors are sent to the login page by the view itself
    if not user.has_perm("wagtailadmin.access_admin"):
        return  # nor does the admin let in those who may not use it
    for name, value in kwargs.items():
        if name in PAGE_KWARGS:
            known = page_visible(user, value) if str(value).isdigit() else False
        elif name in MODEL_KWARGS:
            known = object_visible(user, apps.get_model(MODEL_KWARGS[name]), value)
        elif name == "uploaded_file_id":
            known = _uploaded_file_visible(user, value)
        else:
            continue
        if not known:
            raise Http404
    model = view_model(callback, route, kwargs)
    if model is None:
        return
    if issubclass(model, BaseSiteSetting):  # its edit URL names the site, not the row
        model = Site
    own_id = f"{model._meta.model_name}_id"  # ``redirect_id`` of a redirect's view
    for name in (OBJECT_KWARGS | {own_id}) & kwargs.keys():
        if not object_visible(user, model, kwargs[name]):
            raise Http404
    for value in request.GET.getlist("id"):
        if value != "all" and not object_visible(user, model, value):
            raise Http404


def _not_found(request):
    """The admin's own "not found" page, as for an id that does not exist."""
    response = page_not_found(request, Http404(), template_name="wagtailadmin/404.html")
    add_never_cache_headers(response)
    return response


def isolate_view(callback: Callable, route: str) -> Callable:
    """``callback`` answering "not found" for any id that is not of the user's organizations."""

    def view(request, *args, **kwargs):
        try:
            _ensure_visible(request, callback, route, kwargs)
        except Http404:
            return _not_found(request)
        return callback(request, *args, **kwargs)

    for attribute in (
        "csrf_exempt",
        "view_class",
        "view_initkwargs",
        "cls",
        "initkwargs",
        "__name__",
        "__doc__",
    ):
        if hasattr(callback, attribute):
            setattr(view, attribute, getattr(callback, attribute))
    view.__wrapped__ = callback
    return view


def _as_admin_view(view: Callable) -> Callable:
    """A replacement view, decorated as Wagtail decorates its own admin views."""
    from wagtail.admin.auth import require_admin_access
    from wagtail.admin.urls import display_custom_404

    return never_cache(display_custom_404(require_admin_access(view)))


def isolated_urlpatterns(patterns, prefix: str = "", namespace: str = "") -> list:
    """A copy of ``patterns`` (the admin's), every view wrapped by ``isolate_view`` and those
    of ``wagtail_admin.REPLACED_VIEWS`` replaced; names and namespaces are kept, so that every
    ``reverse()`` still finds them."""
    from .wagtail_admin import REPLACED_VIEWS, scoped_api_view

    isolated = []
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace or ""]))
            isolated.append(
                URLResolver(
                    pattern.pattern,
                    isolated_urlpatterns(pattern.url_patterns, route, inner),
                    pattern.default_kwargs,
                    pattern.app_name,
                    pattern.namespace,
                )
            )
        elif isinstance(pattern, URLPattern):
            name = ":".join(filter(None, [namespace, pattern.name or ""]))
            callback = pattern.callback
            if pattern.name and name in REPLACED_VIEWS:
                callback = _as_admin_view(REPLACED_VIEWS[name]())
            elif hasattr(callback, "cls") and hasattr(callback, "actions"):  # the admin API
                callback = _as_admin_view(scoped_api_view(callback))
            isolated.append(
                URLPattern(
                    pattern.pattern,
                    isolate_view(callback, route),
                    pattern.default_args,
                    pattern.name,
                )
            )
        else:
            isolated.append(pattern)
    return isolated


__all__ = ["isolated_urlpatterns"]
