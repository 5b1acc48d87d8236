from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmBlocksConfig(AppConfig):
    name = "crm_blocks"
    verbose_name = _("CRM")
    default_auto_field = "django.db.models.BigAutoField"
