"""What a reader library says about a file reaches staff without the server's paths."""

import pytest

from portal.files import describe_error


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        (
            "[Errno 2] No such file or directory: '/tmp/ingest-x1/sheet.csv'",
            "[Errno 2] No such file or directory: 'sheet.csv'",
        ),
        ("cannot open /work/portal/var/media/documents/pv.pdf: damaged", "cannot open pv.pdf: damaged"),
        ("C:\\inetpub\\media\\pv.pdf is locked", "pv.pdf is locked"),
        ("1 234/5 678 is not a date", "1 234/5 678 is not a date"),
    ],
)
def test_it_keeps_file_names_and_drops_paths(message, shown):
    assert describe_error(OSError(message)) == shown
