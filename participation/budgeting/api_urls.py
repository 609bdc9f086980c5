"""The REST API of participatory budgeting, /api/v1/budgeting/…"""

urlpatterns: list = []
