"""Each cycle's public pages: the cycle, its projects, the ballot, receipts and results."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.cycle_detail, name="cycle"),
    path("<slug:slug>/projects/", views.project_list, name="projects"),
    path("<slug:slug>/projects/<int:pk>/", views.project_detail, name="project"),
    path("<slug:slug>/projects/<int:pk>/follow/", views.project_follow, name="follow"),
    path("<slug:slug>/submit/", views.submit, name="submit"),
    path("<slug:slug>/ballot/", views.ballot, name="ballot"),
    path("<slug:slug>/ballot/receipt/", views.voted, name="voted"),
    path("<slug:slug>/receipt/", views.receipt, name="receipt"),
    path("<slug:slug>/results/", views.results, name="results"),
    path("<slug:slug>/results/<slug:budget>.pb", views.ballots_file, name="ballots_file"),
]
