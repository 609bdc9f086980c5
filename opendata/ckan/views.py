"""The one view of the CKAN-compatible Action API: read the call, run the action, answer in CKAN's envelope.

As in CKAN's `ckan/views/api.py`: `{"help", "success", "result"}` on success; on failure `success` false and
`error` with CKAN's `__type` and HTTP code (409 validation, 404, 403, 400 for a search CKAN refuses); an
unknown action name or unreadable data is a 400 whose body is a JSON string. The API is exempt from CSRF
(clients such as ckanapi POST JSON without a cookie) and never redirects (ckanapi follows no redirects).
JSONP (`callback`) is not offered: the parameter is ignored.
The writing actions take a POST only (CKAN's 400 for a GET), are counted against the `ckan.write` rate too,
and read a multipart body (ckanapi's `upload`) through the admin's size limit, which skips a file past
OPENDATA_MAX_UPLOAD_SIZE as it arrives.
"""

import json
import logging
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portal.ratelimits import seconds_left
from portal.searching import SearchUnavailable

from ..uploads import install_size_limit, refused_upload_fields
from .actions import Context
from .auth import get_caller
from .registry import ACTIONS
from .schema import ActionError
from .write_actions import WRITE_ACTIONS

logger = logging.getLogger(__name__)
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


class BadRequest(ValueError):
    pass


def _json_response(data, status: int = 200) -> HttpResponse:
    try:
        body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate echoed back: escape everything instead
        body = json.dumps(data).encode("ascii")
    return HttpResponse(body, status=status, content_type="application/json;charset=utf-8")


def _bad_request(message: str) -> HttpResponse:
    return _json_response(f"Bad request - {message}", status=400)


def _mixed(querydict) -> dict:
    """A value per key, a list where the key is repeated (CKAN's `mixed`)."""
    return {key: values[0] if len(values) == 1 else values for key, values in querydict.lists()}


def _request_data(request) -> dict:
    """The call's parameters: the query string of a GET, the JSON (or form) body of a POST."""
    if request.method != "POST":
        return _mixed(request.GET)
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = _mixed(request.POST)
        # Old clients send the JSON as the one key of a form, with "1" or "" as its value.
        legacy_json = len(form) == 1 and next(iter(form.values())) in ("1", "")
        data = _decode(next(iter(form))) if legacy_json else form
    else:
        data = _decode(request.body) if request.body.strip() else {}
    if not isinstance(data, dict):
        raise BadRequest(f"Bad request data: Request data JSON decoded to {data!r} but it needs to be a dictionary.")
    return data


def _decode(body: bytes | str):
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as error:
        raise BadRequest(f"JSON Error: Error decoding JSON data. Error: {error}") from None


def _language(request, data: dict) -> str:
    asked = request.GET.get("lang") or data.get("lang")
    if isinstance(asked, str) and asked.split("-")[0] in LANGUAGE_CODES:
        return asked.split("-")[0]
    return translation.get_language() or settings.LANGUAGE_CODE


@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def action(request, name: str):
    """Run the action `name` with the call's parameters."""
    function = ACTIONS.get(name)
    if function is None:
        return _bad_request(f"Action name not known: {name}")
    envelope = {"help": request.build_absolute_uri(reverse("ckan:action", args=["help_show"])) + f"?name={quote(name)}"}

    writes = name in WRITE_ACTIONS
    if writes and request.method != "POST":
        return _bad_request("JSON Error: Invalid request. Please use POST method for your request")
    if writes:
        install_size_limit(request)  # before anything reads the body

    retry_after = seconds_left(request, "api", group="opendata.ckan")
    if retry_after is None and writes:
        retry_after = seconds_left(request, "ckan.write", group="opendata.ckan.write")
    if retry_after is not None:
        envelope.update(
            success=False,
            error={"__type": "Rate Limit Error", "message": f"Too many requests: try again in {retry_after}s"},
        )
        response = _json_response(envelope, status=429)
        response["Retry-After"] = str(retry_after)
        return response

    try:
        data = _request_data(request)
    except BadRequest as error:
        return _bad_request(str(error))
    data.pop("callback", None)

    try:
        user = get_caller(request)
        with translation.override(_language(request, data)):
            context = Context(
                user=user,
                absolute=request.build_absolute_uri,
                files={key: request.FILES[key] for key in request.FILES} if writes else {},
                refused_uploads=refused_upload_fields(request),
            )
            result = function(context, data)
            response = _json_response({**envelope, "success": True, "result": result})
    except ActionError as error:
        envelope.update(success=False, error=error.error_dict())
        response = _json_response(envelope, status=error.status)
    except SearchUnavailable:
        logger.exception("CKAN action %s: the search backend did not answer", name)
        envelope.update(success=False, error={"__type": "Search Error", "message": "Search is unavailable"})
        response = _json_response(envelope, status=503)
        response["Retry-After"] = "60"
    except Exception:
        # As CKAN: a bug still answers in the envelope (and is logged with its traceback).
        logger.exception("CKAN action %s failed", name)
        envelope.update(success=False, error={"__type": "Internal Server Error", "message": "Internal Server Error"})
        response = _json_response(envelope, status=500)
    response["Vary"] = "Accept-Language, Authorization"
    return response
