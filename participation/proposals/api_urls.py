from rest_framework.routers import SimpleRouter

from .api import ProposalViewSet

router = SimpleRouter()
router.register("proposals", ProposalViewSet, basename="proposal")
urlpatterns = router.urls
