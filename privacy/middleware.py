"""The access log's middleware: who opened which record's private details in the admin.

For every request it opens an ``AccessContext`` (``privacy.access``), so that changes made
while it runs are logged under the signed-in user and written at its end. The user is not read
unless something is to be logged: a public page costs nothing more.

It also recognises, before the view runs (``process_view``), a GET of an admin view that shows
one record's private details:

- the edit or inspect view of a Wagtail viewset whose model has registered private fields
  (``privacy.registry``), the record being the one the view answered with;
- the page editor (``wagtailadmin_pages:edit``) of a page with a private twin, when the form
  shows the user its private fields (an editor who may not see them is not logged);
- any other view whose class names, in ``access_log_object``, the key of its template context
  that holds the record it shows (a loan slip: ``access_log_object = "booking"``).

Once the view answered 200 to a signed-in user, it writes one row (one INSERT). Listings,
choosers, other answers (403, 404, redirects) and anonymous requests write nothing.
"""

from functools import cache

from django.urls import reverse
from wagtail.admin.views import generic

from .access import access_context, is_watched, log_view
from .pages import twin_model_of

PAGE_EDITOR = "wagtailadmin_pages:edit"
#: Wagtail's generic views showing one object's fields.
DETAIL_VIEWS = (generic.EditView, generic.InspectView)


@cache
def admin_prefix() -> str:
    """Where the admin is mounted (``/admin/``): only its views are logged."""
    return reverse("wagtailadmin_home")


class AccessLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with access_context(request=request):
            response = self.get_response(request)
            shown = getattr(request, "_privacy_shown", None)
            if shown is not None and response.status_code == 200:
                self.log_shown(request, response, shown)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "GET" or not request.path_info.startswith(admin_prefix()):
            return None
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name == PAGE_EDITOR:
            request._privacy_shown = PAGE_EDITOR
            return None
        view_class = getattr(view_func, "view_class", None)
        if view_class is None:
            return None
        declared = getattr(view_class, "access_log_object", None)
        if declared:
            request._privacy_shown = declared
            return None
        if not issubclass(view_class, DETAIL_VIEWS):
            return None
        initkwargs = getattr(view_func, "view_initkwargs", {}) or {}
        model = initkwargs.get("model") or getattr(view_class, "model", None)
        if model is not None and is_watched(model):
            request._privacy_shown = "object"
        return None

    def log_shown(self, request, response, shown: str) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        context = getattr(response, "context_data", None) or {}
        if shown == PAGE_EDITOR:
            page = context.get("page")
            form = context.get("form")
            if page is None or twin_model_of(page) is None:
                return
            if not getattr(form, "can_see_private", False):
                return
            site = getattr(form, "record_site", None)
            log_view(user=user, instance=page, site_id=site.pk if site else None)
            return
        instance = context.get(shown)
        if instance is not None and is_watched(type(instance)):
            log_view(user=user, instance=instance)
