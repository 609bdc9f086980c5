"""Photos and documents of a proposal: photos re-encoded without their location tags, anything else refused with
a message that names the file."""

import io

import pytest
from PIL import Image

from participation.proposals import services
from participation.proposals.models import Attachment
from participation.proposals.services import ProposalRefused, Upload


def jpeg_with_location(width=800, height=600) -> bytes:
    image = Image.new("RGB", (width, height), (200, 120, 40))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (36.0, 25.0, 0.0), 3: "E", 4: (3.0, 1.0, 0.0)}  # GPS: where the author lives
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_loses_its_location_tags(proposal):
    data = jpeg_with_location()
    assert Image.open(io.BytesIO(data)).getexif().get(0x8825)
    attachment = services.attach(proposal, Upload("IMG_2041.JPG", data))
    assert attachment.kind == Attachment.Kind.PHOTO
    assert attachment.content_type == "image/jpeg"
    with attachment.file.open("rb") as stored:
        image = Image.open(io.BytesIO(stored.read()))
        assert image.size == (800, 600)
        assert not image.getexif().get(0x8825)
        assert not image.getexif().get(0x010F)


def test_a_large_photo_is_scaled_down(proposal):
    attachment = services.attach(proposal, Upload("wide.png", _png(4000, 1000)))
    with attachment.file.open("rb") as stored:
        assert Image.open(io.BytesIO(stored.read())).size == (2560, 640)


def _png(width, height) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (width, height), (0, 0, 0, 0)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.jpg", "ليست صورة، مجرد نص".encode()),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),  # the magic number, then nothing of an image
        ("setup.exe", b"MZ\x90\x00" + b"\x00" * 200),
        ("page.pdf.html", b"<html><script>alert(1)</script></html>"),
        ("table.csv", "الحي;الكلفة\nالنصر;1000\n".encode()),
    ],
)
def test_what_is_not_a_photo_or_a_document_is_refused(proposal, name, data):
    with pytest.raises(ProposalRefused) as refused:
        services.attach(proposal, Upload(name, data))
    assert name.split(".")[0] in str(refused.value)
    assert not proposal.attachments.exists()


def test_a_photo_over_the_limit_is_refused(proposal, settings):
    settings.PROPOSALS_MAX_PHOTO_SIZE = 50_000
    with pytest.raises(ProposalRefused, match="big.jpg"):
        services.attach(proposal, Upload("big.jpg", jpeg_with_location(3000, 3000) + b"\x00" * 60_000))


def test_a_decompression_bomb_is_refused(proposal, settings):
    settings.PROPOSALS_MAX_PHOTO_PIXELS = 1_000_000
    with pytest.raises(ProposalRefused, match="bomb.png") as refused:
        services.attach(proposal, Upload("bomb.png", _png(2000, 2000)))
    assert "pixels" in str(refused.value) or "البكسلات" in str(refused.value)


def test_a_pdf_is_kept_as_a_document(proposal):
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    attachment = services.attach(proposal, Upload("../../etc/دراسة<script>.pdf", pdf))
    assert attachment.kind == Attachment.Kind.DOCUMENT
    assert attachment.name == "دراسة<script>.pdf"  # the path is dropped; the page escapes the rest
    assert "/" not in attachment.file.name.removeprefix("proposals/").split("/", 2)[-1]


def test_a_proposal_has_at_most_the_configured_files(proposal, settings):
    settings.PROPOSALS_MAX_FILES = 1
    services.attach(proposal, Upload("a.png", _png(10, 10)))
    with pytest.raises(ProposalRefused):
        services.attach(proposal, Upload("b.png", _png(10, 10)))
