from django.urls import path
from rest_framework.routers import SimpleRouter

from .api import CaseViewSet, DeadlineView

router = SimpleRouter()
router.register("information-requests", CaseViewSet, basename="information-request")
# Before the router's: "deadline" is no case's id.
urlpatterns = [
    path("information-requests/deadline/", DeadlineView.as_view(), name="information-requests-deadline"),
    *router.urls,
]
