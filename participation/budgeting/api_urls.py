"""The REST API of participatory budgeting, /api/v1/budgeting/…"""

from rest_framework.routers import SimpleRouter

from .api import CycleViewSet, ProjectViewSet

router = SimpleRouter()
router.register("cycles", CycleViewSet, basename="budgeting-cycle")
router.register("projects", ProjectViewSet, basename="budgeting-project")
urlpatterns = router.urls
