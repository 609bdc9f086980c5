"""Resource uploads past OPENDATA_MAX_UPLOAD_SIZE are refused while they stream in: nothing kept, memory flat."""

import io
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.core.handlers.wsgi import WSGIRequest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from opendata.models import Resource, ResourceVersion
from opendata.uploads import SizeLimitUploadHandler, too_large_message
from tests.factories import RoleGrantFactory
from tests.opendata.factories import DatasetFactory
from tests.staff import login_with_second_factor

BOUNDARY = "----BaladiyaBoundary"
MB = 1024 * 1024


class GeneratedUpload(io.RawIOBase):
    """A multipart body holding one file of `size` bytes, made as it is read: never whole in memory."""

    def __init__(self, size: int, *, fields_after: dict[str, str] | None = None):
        self.head = (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        tail = "".join(
            f'\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}'
            for name, value in (fields_after or {}).items()
        )
        self.tail = f"{tail}\r\n--{BOUNDARY}--\r\n".encode()
        self.size = size
        self.length = len(self.head) + size + len(self.tail)
        self.position = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        start, wanted = self.position, len(buffer)
        chunk = bytearray()
        if start < len(self.head):
            chunk += self.head[start : start + wanted]
        body_start = max(start, len(self.head)) - len(self.head)
        if len(chunk) < wanted and body_start < self.size:
            chunk += b"a" * min(wanted - len(chunk), self.size - body_start)
        tail_start = max(start + len(chunk), len(self.head) + self.size) - len(self.head) - self.size
        if len(chunk) < wanted and tail_start < len(self.tail):
            chunk += self.tail[tail_start : tail_start + wanted - len(chunk)]
        buffer[: len(chunk)] = chunk
        self.position += len(chunk)
        return len(chunk)


class RecordingHandler(FileUploadHandler):
    """Stands for the handlers after ours: records whether any byte of the file reached them."""

    def __init__(self, request=None):
        super().__init__(request)
        self.opened = False
        self.received = 0

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.opened = True

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        return raw_data

    def file_complete(self, file_size):
        return None


def streamed_request(upload: GeneratedUpload, handlers) -> WSGIRequest:
    request = WSGIRequest(
        {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/admin/opendata/",
            "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
            "CONTENT_LENGTH": str(upload.length),
            "wsgi.input": io.BufferedReader(upload),
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
        }
    )
    request.upload_handlers = handlers
    return request


class SizeLimitUploadHandlerTestCase:
    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=MB)
    def test_it_refuses_a_declared_oversized_request_before_a_byte_is_kept(self, settings):
        upload = GeneratedUpload(200 * MB)
        limit = SizeLimitUploadHandler(limit=10 * MB)
        after = RecordingHandler()
        request = streamed_request(upload, [limit, after])
        tracemalloc.start()
        try:
            files = request.FILES
            _size, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert not files
        assert limit.refused == {"file"}
        assert not after.opened
        assert after.received == 0
        # The body is read to its end (so that the browser gets the answer), a chunk at a time.
        assert upload.position == upload.length
        assert peak < 5 * MB

    def test_it_stops_a_file_once_its_bytes_pass_the_limit_and_deletes_the_temporary_file(self, settings, tmp_path):
        settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
        settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
        # The request's length leaves room for other fields: only counting the bytes finds the file too large.
        upload = GeneratedUpload(3 * MB, fields_after={"name_fr": "Budget"})
        limit = SizeLimitUploadHandler(limit=1 * MB)
        after = RecordingHandler()
        request = streamed_request(upload, [limit, after, MemoryFileUploadHandler(), TemporaryFileUploadHandler()])
        tracemalloc.start()
        try:
            files, post = request.FILES, request.POST
            _size, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert not files
        assert limit.refused == {"file"}
        assert after.received <= 1 * MB
        # The fields after the file are still read.
        assert post["name_fr"] == "Budget"
        assert list(tmp_path.iterdir()) == []
        assert peak < 3 * MB

    def test_it_lets_a_file_within_the_limit_through(self, settings):
        upload = GeneratedUpload(300 * 1024)
        limit = SizeLimitUploadHandler(limit=1 * MB)
        request = streamed_request(upload, [limit, MemoryFileUploadHandler(), TemporaryFileUploadHandler()])
        assert request.FILES["file"].size == 300 * 1024
        assert limit.refused == set()
        request.FILES["file"].close()

    def test_it_trusts_no_declared_part_length(self):
        handler = SizeLimitUploadHandler(limit=100)
        handler.handle_raw_input(None, {}, 1000, BOUNDARY)
        handler.new_file("file", "a.csv", "text/csv", 10)
        handler.receive_data_chunk(b"x" * 64, 0)
        from django.core.files.uploadhandler import SkipFile

        with pytest.raises(SkipFile):
            handler.receive_data_chunk(b"x" * 64, 64)


@pytest.fixture
def editor(commune):
    return RoleGrantFactory(body=commune, role="editor").user


@pytest.fixture
def dataset(commune):
    return DatasetFactory(body=commune, name="budget-2025")


def resource_form(dataset, **overrides):
    return {
        "dataset": dataset.pk,
        "position": 0,
        "name_ar": "الميزانية",
        "name_fr": "Budget",
        "name_en": "",
        "description_ar": "",
        "description_fr": "",
        "description_en": "",
        "url": "",
        "format": "CSV",
        "declared_schema": "",
        **overrides,
    }


class ResourceUploadLimitTestCase:
    def test_it_refuses_a_file_over_the_limit_says_why_and_stores_nothing(
        self, client, editor, dataset, settings, tmp_path
    ):
        settings.OPENDATA_MAX_UPLOAD_SIZE = 1024
        settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "tmp")
        settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 512
        settings.MEDIA_ROOT = str(tmp_path / "media")
        (tmp_path / "tmp").mkdir()
        login_with_second_factor(client, editor)
        big = SimpleUploadedFile("budget.csv", b"annee;montant\n" + b"2025;1000\n" * 1000, content_type="text/csv")
        # The file first: the form's other fields, sent after it, still arrive.
        response = client.post(reverse("opendata_resources:add"), {"file": big, **resource_form(dataset)})
        assert response.status_code == 200
        form = response.context["form"]
        assert [error.code for error in form.errors.as_data()["file"]] == ["file_too_large"]
        with translation.override("ar"):
            message = too_large_message(1024)
        assert form.errors["file"] == [message]
        assert message in response.content.decode()
        assert form["name_fr"].value() == "Budget"
        assert not Resource.objects.exists()
        assert not ResourceVersion.objects.exists()
        assert list((tmp_path / "tmp").iterdir()) == []
        assert not (tmp_path / "media").exists() or not any((tmp_path / "media").rglob("*.csv"))

    def test_it_refuses_a_new_version_over_the_limit(self, client, editor, dataset, settings):
        settings.OPENDATA_MAX_UPLOAD_SIZE = 100
        resource = Resource.objects.create(dataset=dataset, name_fr="Lien", url="https://example.org/a.csv")
        login_with_second_factor(client, editor)
        big = SimpleUploadedFile("budget.csv", b"x" * 101, content_type="text/csv")
        response = client.post(
            reverse("opendata_resources:edit", args=[resource.pk]),
            {"file": big, **resource_form(dataset, url="")},
        )
        assert response.status_code == 200
        assert "file" in response.context["form"].errors
        assert not ResourceVersion.objects.exists()

    def test_it_keeps_the_csrf_check_on_the_upload_view(self, editor, dataset, settings):
        settings.OPENDATA_MAX_UPLOAD_SIZE = 100
        client = Client(enforce_csrf_checks=True)
        login_with_second_factor(client, editor)
        big = SimpleUploadedFile("budget.csv", b"x" * 101, content_type="text/csv")
        response = client.post(reverse("opendata_resources:add"), {"file": big, **resource_form(dataset)})
        assert response.status_code == 403
        assert not Resource.objects.exists()
