"""The "Spending" menu of the Wagtail admin: contracting processes typed by staff (with their awards and
contracts), budget lines, payments and subsidies, suppliers, classification codes and each body's spending policy.

Every screen is scoped by the policies of `auth.py` (portal.bodies.viewsets): staff see and change the records of
their bodies only. Wagtail's generic create, edit and delete views write the audit trail (ModelLogEntry).
"""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSetGroup

from portal.bodies.viewsets import BodyScopedModelViewSet, ScopedChooserMixin, scoped_view

from . import admin_views, auth
from .admin_forms import (
    BudgetLineForm,
    ClassificationCodeForm,
    ContractingProcessForm,
    PaymentForm,
    SupplierFilterForm,
    SupplierForm,
)
from .models import BudgetLine, ClassificationCode, ContractingProcess, Payment, SpendingPolicy, Supplier

# Spending viewsets ---------------------------------------------------------------------------------


class SupplierChooserViewSet(ChooserViewSet):
    """The supplier chooser of award and payment forms: the suppliers the person may see (auth.supplier_policy)."""

    model = Supplier
    icon = "group"
    choose_one_text = _("Choose a supplier")
    choose_another_text = _("Choose another supplier")
    edit_item_text = _("Edit this supplier")
    form_fields = ["name", "identifier", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for attribute in ("choose_view_class", "choose_results_view_class"):
            view = scoped_view(getattr(self, attribute), (ScopedChooserMixin,))
            setattr(self, attribute, type(view.__name__, (view,), {"filter_form_class": SupplierFilterForm}))


supplier_chooser = SupplierChooserViewSet("spending_supplier_chooser")


def money_row(amount: str = "value") -> FieldRowPanel:
    return FieldRowPanel([FieldPanel(amount), FieldPanel("currency")])


class ContractingProcessViewSet(BodyScopedModelViewSet):
    model = ContractingProcess
    policy = auth.contracting_process_policy
    icon = "doc-full-inverse"
    menu_label = _("Contracts")
    list_related = ("body",)
    list_display = ["title", "ocid", "body", "status", "fiscal_year", "updated_at"]
    list_filter = ["status", "fiscal_year"]
    search_fields = ["title", "ocid"]
    edit_handler = ObjectList(
        [
            FieldPanel("body"),
            FieldPanel("ocid"),
            FieldPanel("title"),
            FieldPanel("description"),
            FieldRowPanel([FieldPanel("status"), FieldPanel("method")]),
            money_row(),
            FieldRowPanel([FieldPanel("tender_start"), FieldPanel("tender_end")]),
            FieldRowPanel([FieldPanel("fiscal_year"), FieldPanel("decision_reference")]),
            InlinePanel(
                "awards",
                heading=_("Awards"),
                label=_("Award"),
                panels=[
                    FieldRowPanel([FieldPanel("award_id"), FieldPanel("status"), FieldPanel("date")]),
                    FieldPanel("supplier"),
                    FieldPanel("title"),
                    money_row(),
                ],
            ),
            InlinePanel(
                "contracts",
                heading=_("Contracts"),
                label=_("Contract"),
                panels=[
                    FieldRowPanel([FieldPanel("contract_id"), FieldPanel("award_id"), FieldPanel("status")]),
                    FieldPanel("title"),
                    FieldRowPanel([FieldPanel("date_signed"), FieldPanel("start_date"), FieldPanel("end_date")]),
                    money_row(),
                    MultiFieldPanel(
                        [FieldPanel("amendments"), FieldPanel("implementation")],
                        heading=_("Amendments and implementation (OCDS JSON)"),
                    ),
                ],
            ),
        ],
        base_form_class=ContractingProcessForm,
    )


class BudgetLineViewSet(BodyScopedModelViewSet):
    model = BudgetLine
    policy = auth.budget_line_policy
    icon = "list-ul"
    menu_label = _("Budget lines")
    list_related = ("body",)
    list_display = ["__str__", "body", "fiscal_year", "stage", "direction", "amount", "currency"]
    list_filter = ["fiscal_year", "stage", "direction", "section"]
    search_fields = ["label", "function_code", "economic_code"]
    edit_handler = ObjectList(
        [
            FieldPanel("body"),
            FieldRowPanel([FieldPanel("fiscal_year"), FieldPanel("stage")]),
            FieldRowPanel([FieldPanel("direction"), FieldPanel("section")]),
            FieldRowPanel([FieldPanel("function_code"), FieldPanel("economic_code")]),
            FieldPanel("label"),
            money_row("amount"),
            FieldPanel("decision_reference"),
        ],
        base_form_class=BudgetLineForm,
    )


class PaymentViewSet(BodyScopedModelViewSet):
    model = Payment
    policy = auth.payment_policy
    icon = "form"
    menu_label = _("Payments and subsidies")
    list_related = ("body", "supplier")
    list_display = ["supplier", "body", "kind", "date", "amount", "currency"]
    list_filter = ["kind", "fiscal_year"]
    search_fields = ["reference", "purpose", "supplier__name"]
    edit_handler = ObjectList(
        [
            FieldPanel("body"),
            FieldRowPanel([FieldPanel("kind"), FieldPanel("fiscal_year"), FieldPanel("date")]),
            FieldPanel("supplier"),
            money_row("amount"),
            FieldPanel("purpose"),
            FieldRowPanel([FieldPanel("function_code"), FieldPanel("economic_code")]),
            FieldRowPanel([FieldPanel("reference"), FieldPanel("decision_reference")]),
        ],
        base_form_class=PaymentForm,
    )


class SupplierViewSet(BodyScopedModelViewSet):
    """Suppliers are shared by every body: auth.SupplierPermissionPolicy says who sees, changes, deletes them."""

    model = Supplier
    policy = auth.supplier_policy  # type: ignore[assignment]  # not body-scoped: shared across bodies
    icon = "group"
    menu_label = _("Suppliers and beneficiaries")
    list_display = ["name", "identifier", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "identifier"]
    edit_handler = ObjectList(
        [FieldPanel("name"), FieldPanel("identifier"), FieldPanel("kind")], base_form_class=SupplierForm
    )


class ClassificationCodeViewSet(BodyScopedModelViewSet):
    model = ClassificationCode
    policy = auth.classification_code_policy
    icon = "tag"
    menu_label = _("Classification codes")
    list_related = ("body",)
    list_display = ["__str__", "scheme", "level", "body"]
    list_filter = ["scheme", "level"]
    search_fields = ["code", "label_ar", "label_fr", "label_en"]
    edit_handler = ObjectList(
        [
            FieldPanel("body"),
            FieldRowPanel([FieldPanel("scheme"), FieldPanel("code"), FieldPanel("parent_code"), FieldPanel("level")]),
            FieldPanel("label_ar"),
            FieldPanel("label_fr"),
            FieldPanel("label_en"),
        ],
        base_form_class=ClassificationCodeForm,
    )


class SpendingPolicyViewSet(BodyScopedModelViewSet):
    model = SpendingPolicy
    policy = auth.spending_policy_policy
    icon = "cog"
    menu_label = _("Spending policies")
    list_related = ("body",)
    list_display = ["__str__", "currency", "individuals"]
    form_fields = ["body", "currency", "individuals"]


class SpendingViewSetGroup(ModelViewSetGroup):
    menu_label = _("Spending")
    menu_icon = "doc-full-inverse"
    menu_order = 270
    items = (
        ContractingProcessViewSet("spending_contracts"),
        BudgetLineViewSet("spending_budget_lines"),
        PaymentViewSet("spending_payments"),
        SupplierViewSet("spending_suppliers"),
        ClassificationCodeViewSet("spending_classification_codes"),
        SpendingPolicyViewSet("spending_policies"),
    )


@hooks.register("register_admin_viewset")
def register_viewsets():
    return [supplier_chooser, SpendingViewSetGroup()]


# End of the spending viewsets ---------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------------
# The spending import: upload, map, preview, import (opendata.spending.admin_views)


class ImportSpendingMenuItem(MenuItem):
    def is_shown(self, request):
        return auth.get_spending_bodies(request.user).exists()


@hooks.register("register_admin_urls")
def register_spending_import_urls():
    return [path("spending/import/", admin_views.import_spending_view, name="spending_import")]


@hooks.register("register_admin_menu_item")
def register_spending_import_menu_item():
    return ImportSpendingMenuItem(_("Import spending"), reverse("spending_import"), icon_name="upload", order=260)


@hooks.register("register_log_actions")
def register_spending_import_log_action(actions):
    actions.register_action(
        admin_views.IMPORT_LOG_ACTION, _("Import spending"), _("Budget lines, subsidies or payments imported")
    )


# End of the spending import
# ---------------------------------------------------------------------------------------------------------------
