from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RequestsConfig(AppConfig):
    name = "participation.requests"
    label = "information_requests"
    verbose_name = _("Information requests and complaints")

    def ready(self):
        from . import body_section  # noqa: F401 (adds the figures to every body's page)
