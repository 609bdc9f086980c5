from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BudgetingConfig(AppConfig):
    name = "participation.budgeting"
    label = "budgeting"
    verbose_name = _("Participatory budgeting")

    def ready(self):
        from . import log_actions  # noqa: F401 (the audit's actions)
