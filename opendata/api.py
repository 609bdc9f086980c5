"""REST API of the catalogue (DRF) under /api/v1/."""

urlpatterns = []
