"""The media folder under `make run`: images only, whatever the path's spelling, and never as active content."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "opendata" / "resources").mkdir(parents=True)
    (tmp_path / "opendata" / "resources" / "draft.csv").write_text("secret;1\n")
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "annexe.pdf").write_bytes(b"%PDF-1.4\n")
    (tmp_path / "original_images").mkdir()
    (tmp_path / "original_images" / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16)
    (tmp_path / "original_images" / "page.html").write_text("<script>alert(document.cookie)</script>")
    (tmp_path / "original_images" / "drawing.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>")
    return tmp_path


class MediaServingTestCase:
    @pytest.mark.parametrize(
        "path",
        [
            "/media/opendata/resources/draft.csv",
            "/media//opendata/resources/draft.csv",
            "/media/%2fopendata/resources/draft.csv",
            "/media/%2Fopendata%2Fresources%2Fdraft.csv",
            "/media/./opendata/resources/draft.csv",
            "/media/original_images/../opendata/resources/draft.csv",
            "/media/original_images/%2e%2e/opendata/resources/draft.csv",
            "/media/original_images\\..\\opendata\\resources\\draft.csv",
            "/media/documents/annexe.pdf",
            "/media/../manage.py",
        ],
    )
    def test_it_serves_nothing_that_is_not_public(self, client, media, path):
        response = client.get(path)
        assert response.status_code == 404
        assert b"secret" not in b"".join(getattr(response, "streaming_content", [response.content]))

    def test_it_serves_images(self, client, media):
        response = client.get("/media/original_images/logo.png")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]

    @pytest.mark.parametrize("name", ["page.html", "drawing.svg"])
    def test_it_serves_active_content_as_a_download(self, client, media, name):
        response = client.get(f"/media/original_images/{name}")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert response["Content-Disposition"] == "attachment"
        assert "sandbox" in response["Content-Security-Policy"]

    def test_it_serves_nothing_without_debug(self, client, media, settings):
        settings.DEBUG = False
        assert client.get("/media/original_images/logo.png").status_code == 404
