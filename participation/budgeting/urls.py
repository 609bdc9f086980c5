"""The public pages of participatory budgeting, /<lang>/budgeting/…: the works of funded projects (works_urls,
first: "works" is not a cycle) and each cycle's pages (public_urls)."""

from django.urls import include, path

app_name = "budgeting"
urlpatterns = [
    path("", include("participation.budgeting.works_urls")),
    path("", include("participation.budgeting.public_urls")),
]
