"""« Cinema profiles » in the admin: the network's staff record each member cinema's Art et
Essai classification, labels, screens and seats (``CinemaProfile``). Site-scoped: the staff of
one organization see and choose only its cinemas."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.admin.ui.tables import Column

from crm_blocks.models import OrganizationPage
from organizations.models import OrganizationKind
from organizations.registry import OrganizationRole
from organizations.scoping import site_root_pages, sites_for_user
from organizations.views import ScopedIndexView, SiteScopedAdminForm
from organizations.viewsets import ScopedModelViewSet, scoped_form

from .models import CinemaProfile


def cinema_choices(user, roles=None):
    """Organization records of kind cinema in the CRM of the user's organizations."""
    pages = OrganizationPage.objects.filter(kind=OrganizationKind.CINEMA)
    if getattr(user, "is_superuser", False):
        return pages.order_by("title")
    condition = Q(pk__in=[])
    for site in sites_for_user(user, roles):
        for root in site_root_pages(site):
            condition |= Q(path__startswith=root.path)
    return pages.filter(condition).order_by("title")


class CinemaProfileForm(SiteScopedAdminForm):
    scope_roles = (OrganizationRole.CRM_STAFF, OrganizationRole.EDITORS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self, "for_user", None)
        if "cinema" in self.fields and user is not None:
            self.fields["cinema"].queryset = cinema_choices(user, self.scope_roles)

    def clean(self):
        cleaned = super().clean()
        site, cinema = cleaned.get("site"), cleaned.get("cinema")
        if (
            site is not None
            and cinema is not None
            and not any(cinema.path.startswith(root.path) for root in site_root_pages(site))
        ):
            self.add_error("cinema", _("Choose a cinema of this organization."))
        return cleaned


class CinemaProfileIndexView(ScopedIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("cinema")


class CinemaProfileViewSet(ScopedModelViewSet):
    model = CinemaProfile
    icon = "site"
    menu_label = _("Cinema profiles")
    menu_order = 216
    add_to_admin_menu = True
    add_item_label = _("Add a cinema profile")
    index_view_class = CinemaProfileIndexView
    list_display = [
        Column("cinema", label=_("Cinema")),
        "classification",
        "screens",
        "seats",
    ]
    edit_handler = scoped_form(
        "site",
        "cinema",
        "classification",
        MultiFieldPanel(
            [
                FieldPanel("label_young_audience"),
                FieldPanel("label_heritage"),
                FieldPanel("label_research"),
                FieldPanel("label_short_films"),
            ],
            heading=_("Labels"),
        ),
        FieldRowPanel([FieldPanel("screens"), FieldPanel("seats")]),
        form_class=CinemaProfileForm,
    )


def register_cinema_profile_viewset():
    return CinemaProfileViewSet("films_cinemaprofile")
