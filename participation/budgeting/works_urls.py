"""The works of funded projects: their map, their timeline and their feed."""

urlpatterns: list = []
