"""Registrations only: the sign-in pages under the admin, the account's link to them, the
"reset the second factor" action of the users listing, and the history's wording."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.widgets import Button

from . import urls
from .policy import has_device
from .views import can_reset


@hooks.register("register_admin_urls")
def sign_in_urls():
    return [path("", include(urls))]


@hooks.register("register_account_menu_item")
def two_factor_account_item(request):
    return {
        "url": reverse("signin_manage"),
        "label": _("Two-step sign-in"),
        "help_text": _(
            "A code from an app on your phone after your password, so that a stolen password "
            "is not enough to sign in as you."
        ),
    }


@hooks.register("register_user_listing_buttons")
def reset_two_factor_button(user, request_user):
    if can_reset(request_user, user) and has_device(user):
        yield Button(
            _("Reset two-step sign-in"),
            url=reverse("signin_reset", args=[user.pk]),
            icon_name="key",
            priority=90,
        )


@hooks.register("register_log_actions")
def sign_in_log_actions(actions):
    actions.register_action(
        "signin.enrol", _("Enrol a device for two-step sign-in"), _("Two-step sign-in enrolled")
    )
    actions.register_action(
        "signin.reset", _("Reset two-step sign-in"), _("Two-step sign-in reset")
    )
