from django.urls import path

from .api import DeadlineView

urlpatterns = [
    path("information-requests/deadline/", DeadlineView.as_view(), name="information-requests-deadline"),
]
