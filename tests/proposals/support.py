"""What the tests of the proposals' pages share: small real images."""

from io import BytesIO

from PIL import Image


def jpeg(width: int = 40, height: int = 30) -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, "JPEG")
    return out.getvalue()
