from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "participation.proposals"
    label = "proposals"
    verbose_name = _("Proposals")

    def ready(self):
        from . import body_section, log_actions  # noqa: F401 (a section of every body's page; the audit's actions)
