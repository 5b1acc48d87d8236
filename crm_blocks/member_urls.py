"""The member space's addresses, mounted by the site below ``/espace-membre/`` (French paths,
whatever the language prefix), before Wagtail's pages::

    path("espace-membre/", include("crm_blocks.member_urls")),

Plugins add theirs with the ``register_member_space_urls`` hook (``crm_blocks.member_space``):
their views are for members of the visited organization only."""

from django.urls import URLPattern, path

from . import member_views
from .member_space import member_required, member_space_urlpatterns


def _for_members(patterns):
    """The same patterns (included ones too), their views for members only."""
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = member_required(pattern.callback)
        else:
            list(_for_members(pattern.url_patterns))
        yield pattern


urlpatterns = [
    path("", member_views.member_space, name="member_space"),
    path("connexion/", member_views.MemberLoginView.as_view(), name="member_login"),
    path("deconnexion/", member_views.MemberLogoutView.as_view(), name="member_logout"),
    path(
        "mot-de-passe-oublie/",
        member_views.MemberPasswordResetView.as_view(),
        name="member_password_reset",
    ),
    path(
        "mot-de-passe-oublie/envoye/",
        member_views.MemberPasswordResetDoneView.as_view(),
        name="member_password_reset_done",
    ),
    path(
        "mot-de-passe/<uidb64>/<token>/",
        member_views.MemberPasswordSetView.as_view(),
        name="member_password_set",
    ),
    *_for_members(member_space_urlpatterns()),
]
