from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "participation.proposals"
    label = "proposals"
    verbose_name = _("Proposals")

    def ready(self):
        from . import log_actions  # noqa: F401 (registers the audit trail's actions with Wagtail)
