from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BodiesConfig(AppConfig):
    name = "portal.bodies"
    label = "bodies"
    verbose_name = _("Public bodies")

    def ready(self):
        from . import signals  # noqa: F401 (connects the receivers)
