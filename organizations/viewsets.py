"""A Wagtail ``ModelViewSet`` for site-scoped models: lookups through the user's organizations,
choice lists limited to them (see ``views``)."""

from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet

from . import views


def scoped_form(*panels, form_class=views.SiteScopedAdminForm):
    """An edit handler whose form limits every choice list to the user's organizations."""
    return ObjectList(
        [FieldPanel(p) if isinstance(p, str) else p for p in panels],
        base_form_class=form_class,
    )


class ScopedModelViewSet(ModelViewSet):
    index_view_class = views.ScopedIndexView
    #: Nothing to look up when creating; the form's choices are scoped (``scoped_form``).
    add_view_class = generic.CreateView
    edit_view_class = views.ScopedEditView
    delete_view_class = views.ScopedDeleteView
    inspect_view_class = views.ScopedInspectView
    history_view_class = views.ScopedHistoryView
    usage_view_class = views.ScopedUsageView
    copy_view_enabled = False
    add_to_admin_menu = False
    #: The listing's "add" button, written whole (« Ajouter une adhésion »): Wagtail's own
    #: "Add %(model_name)s" cannot agree in gender with the model's name in French.
    add_item_label = None

    def get_index_view_kwargs(self, **kwargs):
        if self.add_item_label:
            kwargs.setdefault("add_item_label", self.add_item_label)
        return super().get_index_view_kwargs(**kwargs)
