from django.shortcuts import render

# Seconds a client should wait after a rate limit; matches the shortest window we use.
RETRY_AFTER_SECONDS = 60


def rate_limited(request, exception):
    response = render(request, "429.html", status=429)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
