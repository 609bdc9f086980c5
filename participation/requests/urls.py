from django.urls import path

from . import views

app_name = "information_requests"

urlpatterns = [
    path("deadline/", views.deadline_calculator, name="deadline"),
]
