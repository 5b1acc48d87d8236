"""Requests about personal information in the admin: the listing (late ones flagged), the form,
and the screens that handle one (``privacy.request_views``)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, TitleColumn
from wagtail.admin.views import generic

from organizations.viewsets import ScopedModelViewSet, scoped_form

from . import request_views
from .models import PrivacyRequest, PrivacyRequestEvent


class PrivacyRequestFilterSet(WagtailFilterSet):
    class Meta:
        model = PrivacyRequest
        fields = ["status", "kind"]


class PrivacyRequestCreateView(generic.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        PrivacyRequestEvent.objects.create(
            request=instance, action=PrivacyRequestEvent.Action.RECORDED, user=self.request.user
        )
        return instance

    def get_success_url(self):
        return request_views.request_url("handle", self.object)


class PrivacyRequestViewSet(ScopedModelViewSet):
    model = PrivacyRequest
    icon = "lock"
    menu_label = _("Requests about personal information")
    add_item_label = _("Record a request")
    add_view_class = PrivacyRequestCreateView
    filterset_class = PrivacyRequestFilterSet
    inspect_view_enabled = False
    list_per_page = 50
    list_display = [
        TitleColumn(
            "kind",
            label=_("Request"),
            accessor="get_kind_display",
            url_name=f"{request_views.URL_NAMESPACE}:handle",
            sort_key="kind",
        ),
        DateColumn("received_on", label=_("Received on"), sort_key="received_on"),
        DateColumn("due_on", label=_("Answer due on"), sort_key="due_on"),
        StatusTagColumn(
            "status",
            label=_("Status"),
            accessor="get_status_display",
            primary=lambda request: request.is_open,
            sort_key="status",
        ),
        Column("late", label=_("Late"), accessor="late_label"),
    ]
    edit_handler = scoped_form(
        "site",
        "kind",
        "email",
        "name",
        "language",
        "channel",
        "received_on",
        "details",
        "answer",
    )

    def get_urlpatterns(self):
        views = request_views
        return [
            *super().get_urlpatterns(),
            path("handle/<int:pk>/", views.RequestHandleView.as_view(), name="handle"),
            path("identity/<int:pk>/", views.IdentityView.as_view(), name="identity"),
            path("copy/<int:pk>/", views.CopyView.as_view(), name="copy"),
            path("download/<int:pk>/", views.DownloadView.as_view(), name="download"),
            path("erase/<int:pk>/", views.EraseView.as_view(), name="erase"),
            path("stop/<int:pk>/", views.StopView.as_view(), name="stop"),
            path("close/<int:pk>/", views.CloseView.as_view(), name="close"),
        ]
