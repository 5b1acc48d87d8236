"""The admin dashboard's panel of the organization's drafts submitted for review.

Wagtail's own panels show the drafts *the user* may review ("Awaiting your review") and the ones
*they* submitted or own. This one completes them with the rest of the team's: every draft of the
user's organizations' pages (every language) in moderation, minus what those two panels already
list, so that nothing appears twice. Another organization's drafts never show.
"""

from __future__ import annotations

from django.db.models import CharField, Exists, IntegerField, OuterRef
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from wagtail.admin.ui.components import Component
from wagtail.models import Page, TaskState, WorkflowState, get_default_page_content_type

from .scoping import page_scope_for_user


class DraftsInReviewPanel(Component):
    name = "organization_drafts_in_review"
    template_name = "organizations/dashboard/drafts_in_review.html"
    order = 215  # after Wagtail's "your pages in a workflow", before "awaiting your review"
    limit = 10

    def __init__(self, user):
        self.user = user

    def states(self):
        scope = page_scope_for_user(self.user)
        pages = Page.objects.all() if scope is None else Page.objects.filter(scope)
        page_ids = pages.annotate(text_pk=Cast("pk", CharField())).values("text_pk")
        owned = Page.objects.filter(
            owner=self.user, pk=Cast(OuterRef("object_id"), output_field=IntegerField())
        )
        return (
            WorkflowState.objects.filter(
                status=WorkflowState.STATUS_IN_PROGRESS,
                base_content_type=get_default_page_content_type(),
                object_id__in=page_ids,
            )
            .exclude(requested_by=self.user)
            .exclude(Exists(owned))
            .exclude(current_task_state__in=self.reviewable_task_states())
        )

    def reviewable_task_states(self):
        """What the user reviews themselves (Wagtail's own panel lists those), in one
        subquery: Wagtail's ``TaskState.objects.reviewable_by`` asks every task of the
        installation in turn — two per organization with the agenda's and the film database's
        moderation —, a query each."""
        in_progress = TaskState.objects.filter(status=TaskState.STATUS_IN_PROGRESS)
        if self.user.is_superuser:
            return in_progress
        return in_progress.filter(
            task__groupapprovaltask__groups__in=self.user.groups.values("pk")
        )

    def get_context_data(self, parent_context=None):
        states = self.states()
        listed = list(
            states.select_related("requested_by", "current_task_state__task").order_by(
                "-current_task_state__started_at", "-pk"
            )[: self.limit]
        )
        pages = Page.objects.in_bulk([int(state.object_id) for state in listed])
        rows = [
            {"state": state, "page": pages[int(state.object_id)]}
            for state in listed
            if int(state.object_id) in pages
        ]
        count = states.count()
        return {"rows": rows, "count": count, "more": count - len(listed)}

    def render_html(self, parent_context=None):
        context = self.get_context_data(parent_context)
        if not context["rows"]:
            return ""  # nothing to act on: no panel
        return render_to_string(self.template_name, context)


def drafts_in_review_panel(request, panels):
    """``construct_homepage_panels`` hook."""
    panels.append(DraftsInReviewPanel(request.user))
