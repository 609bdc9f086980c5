"""Uploads of resource files, refused while they stream in once they pass OPENDATA_MAX_UPLOAD_SIZE.

Django's own handlers write a large upload to a temporary file whatever its size, and a form can only refuse
it once it is all there. `SizeLimitUploadHandler` runs before them: it skips a file as soon as its bytes pass the
limit (the temporary file, at most the limit long, is deleted with it), and refuses outright, before a byte is
written, a request whose declared length cannot hold a file within the limit. The rest of the body is read and
thrown away, so that the browser gets the form back with the reason rather than a reset connection; a reverse
proxy's body limit (nginx `client_max_body_size`) is what cuts a hostile client off earlier.
"""

from functools import wraps

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect

# Room in a request for the form's other fields and the multipart headers around them; the fields themselves
# are capped by DATA_UPLOAD_MAX_MEMORY_SIZE.
FORM_OVERHEAD = 256 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    """Skip every uploaded file larger than `limit` bytes, and remember which fields lost their file."""

    def __init__(self, request=None, *, limit: int):
        super().__init__(request)
        self.limit = limit
        self.refused: set[str] = set()
        self.request_too_large = False

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        other_fields = (settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0) + FORM_OVERHEAD
        self.request_too_large = content_length > self.limit + other_fields
        # None: the other handlers and Django's parser go on with the body.
        return None

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        if self.request_too_large or (content_length is not None and content_length > self.limit):
            self.refused.add(field_name)
            # Raised before the later handlers open their temporary file: nothing is written.
            raise SkipFile

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.refused.add(self.field_name)
            # Django closes (and so deletes) the temporary file of the handlers after this one.
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        # The next handler (memory or temporary file) builds the uploaded file.
        return None


def limit_text(limit: int | None = None) -> str:
    return filesizeformat(settings.OPENDATA_MAX_UPLOAD_SIZE if limit is None else limit)


def too_large_message(limit: int | None = None) -> str:
    return _("The file is larger than %(limit)s: it was not stored.") % {"limit": limit_text(limit)}


def refused_upload_fields(request) -> set[str]:
    """Return the names of the file fields whose upload the size limit refused in this request."""
    handler = getattr(request, "_opendata_size_limit", None)
    return set(handler.refused) if handler else set()


def install_size_limit(request) -> None:
    """Put SizeLimitUploadHandler first on `request`, which must not have read its body yet."""
    handler = SizeLimitUploadHandler(request, limit=settings.OPENDATA_MAX_UPLOAD_SIZE)
    request.upload_handlers.insert(0, handler)
    request._opendata_size_limit = handler


def limit_upload_size(view):
    """Install SizeLimitUploadHandler on `view`'s requests before their body is read.

    The CSRF middleware reads the body to find the token, so the handler must go in first: the view is exempt
    from the middleware and protected again inside, as Django's documentation on upload handlers shows.
    """

    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        install_size_limit(request)
        return protected(request, *args, **kwargs)

    return csrf_exempt(wrapper)
