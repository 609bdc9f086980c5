"""Each cycle's public pages: the cycle, its projects, the ballot, receipts and results."""

urlpatterns: list = []
