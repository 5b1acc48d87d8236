"""The admin's table upload screens (``opendata.upload_views``), mounted by ``wagtail_hooks``."""

from django.urls import path

from . import upload_views

app_name = "opendata_upload"
urlpatterns = [
    path("<int:page_id>/", upload_views.DatasetUploadView.as_view(), name="upload"),
    path(
        "<int:page_id>/<int:job_id>/",
        upload_views.DatasetUploadPreviewView.as_view(),
        name="preview",
    ),
]
