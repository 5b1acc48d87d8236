"""« Conservation des données » in the admin: each rule's period for the organization (blank
switches a rule off), what the next run would destroy or anonymize, item by item, and the
reports of the last runs; the person in charge may run it at once."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import View
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.models import Site

from organizations.permissions import site_ids_with_permissions

from .models import RetentionPolicy, RetentionRun
from .retention import UNIT_LABELS, periods_of, retention_apply, retention_preview, rules

MANAGE = "privacy.manage_privacy"


class RetentionForm(forms.Form):
    def __init__(self, *args, periods: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for rule in rules():
            self.fields[rule.key] = forms.IntegerField(
                label=rule.label,
                required=False,
                min_value=rule.minimum,
                max_value=100 if rule.unit != "days" else 36500,
                initial=periods.get(rule.key),
                help_text=_("In %(unit)s; leave empty to switch the rule off.")
                % {"unit": UNIT_LABELS[rule.unit]},
            )


class RetentionView(WagtailAdminTemplateMixin, View):
    template_name = "privacy/admin/retention.html"
    page_title = gettext_lazy("Data retention")
    header_icon = "history"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        user = request.user
        if not user.is_authenticated:
            raise PermissionDenied
        sites = Site.objects.order_by("site_name", "pk")
        if not user.is_superuser:
            sites = sites.filter(pk__in=site_ids_with_permissions(user, [MANAGE]))
        self.sites = list(sites)
        if not self.sites:
            raise PermissionDenied
        if request.method == "POST":
            # A change names its organization: nothing is written for a guessed one.
            wanted = request.POST.get("site")
            self.site = next((site for site in self.sites if str(site.pk) == wanted), None)
        else:
            wanted = request.GET.get("site")
            self.site = next((site for site in self.sites if str(site.pk) == wanted), self.sites[0])

    def render(self, form):
        context = self.get_context_data(
            form=form,
            site=self.site,
            sites=self.sites,
            previews=retention_preview(self.site),
            runs=RetentionRun.objects.filter(site=self.site)[:10],
            action_url=reverse("privacy_retention:index"),
        )
        return self.render_to_response(context)

    def get(self, request, *args, **kwargs):
        return self.render(RetentionForm(periods=periods_of(self.site)))

    def post(self, request, *args, **kwargs):
        if self.site is None:
            messages.error(request, _("Choose one of your organizations."))
            return redirect("privacy_retention:index")
        if request.POST.get("action") == "run":
            run = retention_apply(self.site, trigger=RetentionRun.Trigger.MANUAL)
            messages.success(
                request,
                _("Retention applied: %(count)d item(s) destroyed or anonymized.")
                % {"count": run.total_done},
            )
            return redirect(f"{reverse('privacy_retention:index')}?site={self.site.pk}")
        form = RetentionForm(request.POST, periods=periods_of(self.site))
        if not form.is_valid():
            messages.error(request, _("The periods could not be saved: correct the errors below."))
            return self.render(form)
        RetentionPolicy.objects.update_or_create(
            site=self.site, defaults={"periods": dict(form.cleaned_data)}
        )
        messages.success(request, _("The retention periods are saved."))
        return redirect(f"{reverse('privacy_retention:index')}?site={self.site.pk}")


class RetentionMenuItem(MenuItem):
    """Shown to the people in charge of privacy only."""

    def is_shown(self, request):
        user = request.user
        return user.is_superuser or bool(site_ids_with_permissions(user, [MANAGE]))


class RetentionViewSet(ViewSet):
    icon = "history"
    menu_label = gettext_lazy("Data retention")
    url_prefix = "privacy/retention"
    menu_item_class = RetentionMenuItem

    def get_urlpatterns(self):
        return [path("", RetentionView.as_view(), name="index")]
