from django.urls import path

from . import feeds, views

app_name = "information_requests"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("mine/", views.my_cases, name="mine"),
    path("deadline/", views.deadline_calculator, name="deadline"),
    path("feed/", feeds.CasesFeed(), name="feed"),
    path("feed/<slug:slug>/", feeds.CasesFeed(), name="body_feed"),
    path("<str:reference>/", views.case_detail, name="detail"),
    path("<str:reference>/reply/", views.case_reply, name="reply"),
    path("<str:reference>/appeal/", views.case_appeal, name="appeal"),
    path("<str:reference>/withdraw/", views.case_withdraw, name="withdraw"),
    path("<str:reference>/attachments/<int:pk>/", views.attachment, name="attachment"),
]
