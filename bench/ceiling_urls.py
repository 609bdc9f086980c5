"""The portal's URLs plus, for the benchmarks of citizens' writes (bench/proposals.py, bench/budgeting_ballots.py)
only, `/bench/whoami/`: the cheapest request a person authenticated by token can make (the REST API's authentication
and throttle, one query for the token and its user, a 12-byte JSON answer), the ceiling that supports and ballots are
measured against. Served only with bench/ceiling_settings.py.
"""

from django.urls import path
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.ratelimits import RateThrottle
from portal.urls import urlpatterns as portal_urlpatterns


class WhoAmI(APIView):
    authentication_classes = (SessionAuthentication, TokenAuthentication)
    permission_classes = (IsAuthenticated,)
    throttle_classes = (RateThrottle,)

    def get(self, request):
        return Response({"id": request.user.pk})

    def post(self, request):
        return Response({"id": request.user.pk})

    def put(self, request):
        return Response({"id": request.user.pk})


urlpatterns = [path("bench/whoami/", WhoAmI.as_view()), *portal_urlpatterns]
