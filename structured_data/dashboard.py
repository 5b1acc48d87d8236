"""The admin dashboard's panel of published pages whose structured data has errors.

It reads the checks kept in ``PageCheck`` (a count and a short list: three queries whatever the
number of pages), never builds a graph, and only shows pages the user may edit: page permissions
stop at each organization's part of the tree, so staff never see another organization's pages.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from wagtail.admin.ui.components import Component
from wagtail.permission_policies.pages import PagePermissionPolicy

from .models import PageCheck


class StructuredDataErrorsPanel(Component):
    name = "structured_data_errors"
    template_name = "structured_data/dashboard/errors.html"
    order = 240
    #: Pages listed; the heading counts them all.
    limit = 10

    def __init__(self, user):
        self.user = user

    def checks(self):
        """Current checks with errors, of published pages the user may edit or publish."""
        pages = PagePermissionPolicy().instances_user_has_any_permission_for(
            self.user, ["change", "publish"]
        )
        return PageCheck.objects.current().with_errors().filter(page__in=pages.values("pk"))

    def get_context_data(self, parent_context=None):
        checks = self.checks()
        listed = list(checks.select_related("page").order_by("-errors", "page__path")[: self.limit])
        count = checks.count()
        return {"checks": listed, "count": count, "more": count - len(listed)}

    def render_html(self, parent_context=None):
        context = self.get_context_data(parent_context)
        if not context["checks"]:
            return ""  # nothing to act on: no panel
        return render_to_string(self.template_name, context)


def errors_panel(request, panels):
    """``construct_homepage_panels`` hook."""
    panels.append(StructuredDataErrorsPanel(request.user))
