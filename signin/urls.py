from django.urls import path

from . import views

urlpatterns = [
    path("two-factor/", views.manage, name="signin_manage"),
    path("two-factor/enrol/", views.enrol, name="signin_enrol"),
    path("two-factor/code/", views.verify, name="signin_verify"),
    path("two-factor/reset/<int:user_id>/", views.reset, name="signin_reset"),
]
