from django.urls import path

from . import views

app_name = "cms"
urlpatterns = [
    path("decisions/", views.decision_list, name="decisions"),
]
