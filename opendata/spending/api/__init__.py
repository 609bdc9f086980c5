"""The spending REST API (/api/v1/): budget lines and their sums, payments, subsidies, suppliers (figures.py),
public contracts and their OCDS packages (contracts.py). One router for all of them."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .contracts import ContractingProcessViewSet, RecordPackageView, ReleasePackageView
from .figures import BudgetLineViewSet, PaymentViewSet, SubsidyViewSet, SupplierViewSet

router = SimpleRouter()
router.register("budget-lines", BudgetLineViewSet, basename="budget-line")
router.register("payments", PaymentViewSet, basename="payment")
router.register("subsidies", SubsidyViewSet, basename="subsidy")
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("contracts", ContractingProcessViewSet, basename="contract")

app_name = "spending_api"
urlpatterns = [
    # Before the router's routes, whose `contracts/<uuid>/` would otherwise try these names as ids.
    path("contracts/release-package.json", ReleasePackageView.as_view(), name="contract-release-package"),
    path("contracts/record-package.json", RecordPackageView.as_view(), name="contract-record-package"),
    *router.urls,
]
