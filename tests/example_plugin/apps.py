from django.apps import AppConfig


class ExamplePluginConfig(AppConfig):
    """A throwaway plugin, installed by the test settings only: it plugs into the foundations'
    registries exactly as a real plugin does (section, grants, spreadsheet kind), so that the
    tests see that a new plugin needs nothing more."""

    name = "tests.example_plugin"
    label = "example_plugin"
    default_auto_field = "django.db.models.BigAutoField"
