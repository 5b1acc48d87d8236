"""The admin's login form, with every field named in the user's language."""

from django.contrib.auth.forms import AuthenticationForm
from wagtail.admin.forms.auth import LoginForm


class AdminLoginForm(LoginForm):
    """Wagtail's login form redeclares the password field without a label, so Django names it
    after the field, "Password", in English whatever the language: it gets Django's own
    translated label back (« Mot de passe »). Set as ``WAGTAILADMIN_USER_LOGIN_FORM``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = AuthenticationForm.base_fields["password"].label
