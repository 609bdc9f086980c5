"""The budgeting staff screens' addresses, /admin/budgeting/… (namespace `budgeting_admin`, see wagtail_hooks)."""

from django.urls import path

from . import admin_views

urlpatterns = [
    path("", admin_views.index_view, name="index"),
    path("add/", admin_views.add_view, name="add"),
    path("<int:pk>/", admin_views.cycle_view, name="cycle"),
    path("<int:pk>/edit/", admin_views.edit_view, name="edit"),
    path("<int:pk>/budgets/", admin_views.budgets_view, name="budgets"),
    path("<int:pk>/move/", admin_views.move_view, name="move"),
    path("<int:pk>/history/", admin_views.history_view, name="history"),
    path("<int:pk>/publish/", admin_views.publish_view, name="publish"),
    path("<int:pk>/projects/", admin_views.projects_view, name="projects"),
    path("<int:pk>/projects/add/", admin_views.add_project_view, name="add_project"),
    path("<int:pk>/projects/from-proposal/", admin_views.from_proposal_view, name="from_proposal"),
    path("projects/<int:pk>/", admin_views.project_view, name="project"),
    path("projects/<int:pk>/review/", admin_views.review_view, name="review"),
    path("projects/<int:pk>/works/", admin_views.works_view, name="works"),
    path("projects/<int:pk>/works/progress/", admin_views.progress_view, name="progress"),
    path("projects/<int:pk>/works/payment/", admin_views.payment_view, name="payment"),
    path("projects/<int:pk>/works/decision/", admin_views.decision_view, name="decision"),
    path("paper/", admin_views.paper_index_view, name="paper"),
    path("<int:pk>/paper/", admin_views.paper_entry_view, name="paper_entry"),
    path("<int:pk>/paper/check/", admin_views.paper_check_list_view, name="paper_check"),
    path("paper/<int:pk>/check/", admin_views.paper_check_view, name="check_paper"),
]
