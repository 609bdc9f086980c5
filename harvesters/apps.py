from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HarvestersConfig(AppConfig):
    name = "harvesters"
    verbose_name = _("Harvesting")

    def ready(self):
        from . import signals  # noqa: F401
