"""The member space's pages (``/espace-membre/``): Django's own login, logout and password
views with our templates and forms, and the member's home page, where plugins show their
sections (``crm_blocks.member_space``). Only members of the visited organization get past the
login; nothing here is cached (Django's views say ``never_cache``, and so does
``member_required``)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy

from .member_forms import MemberLoginForm, MemberPasswordResetForm
from .member_space import member_account, member_required, member_space_sections, request_site
from .models import MemberAccount


class MemberPageMixin:
    """What every page of the member space knows: the visitor's account here, if any (its
    links to the member's home page and to log out)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["account"] = member_account(self.request)
        return context


class MemberLoginView(MemberPageMixin, auth_views.LoginView):
    template_name = "crm_blocks/member/login.html"
    authentication_form = MemberLoginForm

    def dispatch(self, request, *args, **kwargs):
        if request.method == "GET" and member_account(request) is not None:
            return redirect(self.get_success_url())
        return super().dispatch(request, *args, **kwargs)

    def get_default_redirect_url(self):
        return reverse("member_space")

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error("__all__", "throttled"):
            response.status_code = 429
        return response


class MemberLogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("member_login")


class MemberPasswordResetView(MemberPageMixin, auth_views.PasswordResetView):
    """The "I forgot my password" (and "my invitation expired") page: a new link by e-mail."""

    template_name = "crm_blocks/member/password_reset.html"
    form_class = MemberPasswordResetForm
    success_url = reverse_lazy("member_password_reset_done")


class MemberPasswordResetDoneView(MemberPageMixin, auth_views.PasswordResetDoneView):
    template_name = "crm_blocks/member/password_reset_done.html"


class MemberPasswordSetView(MemberPageMixin, auth_views.PasswordResetConfirmView):
    """The link of the invitation or of "I forgot my password": the member chooses a password,
    is logged in and lands in their space. A link for someone who is not a member of the
    visited organization does not work here."""

    template_name = "crm_blocks/member/password_set.html"
    success_url = reverse_lazy("member_space")
    post_reset_login = True
    post_reset_login_backend = "django.contrib.auth.backends.ModelBackend"

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        if (
            user is not None
            and not MemberAccount.objects.of_user(user, request_site(self.request)).exists()
        ):
            return None
        return user


@member_required
def member_space(request):
    """The member's home page: each plugin's section for them, in this organization."""
    account = request.member_account
    return TemplateResponse(
        request,
        "crm_blocks/member/space.html",
        {
            "account": account,
            "member_name": str(account.contact),
            "sections": member_space_sections(request, account),
        },
    )
