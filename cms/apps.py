from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    name = "cms"
    verbose_name = _("Pages and council decisions")

    def ready(self):
        from . import signals  # noqa: F401 (connects the receivers)
