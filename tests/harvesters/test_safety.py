"""XML and archives from sources: bombs, outside references, escaping paths and links are refused."""

import io
import stat
import struct
import tarfile
import time
import zipfile
import zlib

import pytest

from harvesters.kinds.base import SourceFailure
from harvesters.safety import ArchiveMember, check_archive, check_xml, extract_archive, parse_xml

GB = 1024 * 1024 * 1024

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>"""

RDF = """<?xml version="1.0" encoding="utf-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dct="http://purl.org/dc/terms/">
  <rdf:Description rdf:about="https://data.example.org/dataset/budget">
    <dct:title xml:lang="ar">الميزانية</dct:title>
  </rdf:Description>
</rdf:RDF>""".encode()


@pytest.fixture
def secret(tmp_path):
    path = tmp_path / "secret.txt"
    path.write_text("DATABASE_PASSWORD=hunter2")
    return path


def xxe(secret) -> bytes:
    return (f'<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY leak SYSTEM "file://{secret}">]>\n<r>&leak;</r>').encode()


class ParseXMLTestCase:
    def test_it_parses_plain_xml(self):
        root = parse_xml(RDF)
        assert root.tag == "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}RDF"
        assert root[0][0].text == "الميزانية"

    def test_it_refuses_a_billion_laughs(self):
        started = time.monotonic()
        with pytest.raises(SourceFailure, match=r"the XML document is refused: it declares a document type"):
            parse_xml(BILLION_LAUGHS)
        assert time.monotonic() - started < 1

    def test_it_refuses_an_outside_entity_without_reading_it(self, secret):
        with pytest.raises(SourceFailure) as caught:
            parse_xml(xxe(secret))
        assert "hunter2" not in str(caught.value)
        assert "document type" in str(caught.value)

    @pytest.mark.parametrize(
        "document",
        [
            b'<!DOCTYPE r SYSTEM "http://169.254.169.254/latest/meta-data/"><r/>',
            b'<!DOCTYPE r [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><r/>',
            b'<!DOCTYPE r [<!ENTITY a "b">]><r>&a;</r>',
        ],
    )
    def test_it_refuses_every_document_type(self, document):
        with pytest.raises(SourceFailure, match="refused"):
            parse_xml(document)

    def test_it_reports_malformed_xml_with_its_place(self):
        with pytest.raises(SourceFailure, match=r"not well-formed \(line 2, column 6\)"):
            parse_xml(b"<a>\n<b></a>")


class CheckXMLTestCase:
    def test_it_lets_plain_xml_through_to_rdflib(self):
        import rdflib

        check_xml(RDF)
        graph = rdflib.Graph().parse(data=RDF, format="xml")
        assert len(graph) == 1

    def test_it_refuses_a_billion_laughs_and_outside_entities(self, secret):
        with pytest.raises(SourceFailure, match="document type"):
            check_xml(BILLION_LAUGHS)
        with pytest.raises(SourceFailure) as caught:
            check_xml(xxe(secret))
        assert "hunter2" not in str(caught.value)

    def test_it_leaves_malformed_xml_to_the_parser(self):
        assert check_xml(b"<rss><channel><title>News & more</channel>") is None

    def test_it_refuses_malformed_xml_that_declares_entities(self):
        with pytest.raises(SourceFailure, match="document type"):
            check_xml(b"<rss>&</rss>\n<!doctype r [<!ENTITY a 'b'>]>")


def write_zip_bomb(path, size=GB):
    """Write a real zip whose one member unpacks to `size` zero bytes, from a repeated deflate block (fast).

    A block compressed with a full flush restarts the dictionary, so the same compressed bytes can be
    repeated: the archive is about a thousandth of its unpacked size, as a zip bomb is.
    """
    megabyte = bytes(1024 * 1024)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(megabyte) + compressor.flush(zlib.Z_FULL_FLUSH)
    end = compressor.flush()
    crc = 0
    for _ in range(size // len(megabyte)):
        crc = zlib.crc32(megabyte, crc)
    compressed = len(block) * (size // len(megabyte)) + len(end)
    name = b"zeros.csv"
    with open(path, "wb") as out:
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, compressed, size, len(name), 0))
        out.write(name)
        for _ in range(size // len(megabyte)):
            out.write(block)
        out.write(end)
        directory_at = out.tell()
        out.write(
            struct.pack(
                "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, compressed, size, len(name), 0, 0, 0, 0, 0, 0
            )
        )
        out.write(name)
        directory_size = out.tell() - directory_at
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 1, 1, directory_size, directory_at, 0))
    return path


def make_zip(path, members: dict[str, bytes], links: dict[str, str] | None = None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return path


def make_tar(path, members: dict[str, bytes], mode="w:gz", links: dict[str, str] | None = None, hard=False):
    with tarfile.open(path, mode) as archive:
        for name, content in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.LNKTYPE if hard else tarfile.SYMTYPE
            info.linkname = target
            archive.addfile(info)
    return path


class ArchiveTestCase:
    def test_it_lists_and_unpacks_a_plain_zip(self, tmp_path):
        path = make_zip(tmp_path / "data.zip", {"budget/2025.csv": b"a,b\n1,2\n", "./readme.txt": b"hello"})
        assert check_archive(path) == [ArchiveMember("budget/2025.csv", 8), ArchiveMember("readme.txt", 5)]
        written = extract_archive(path, tmp_path / "out")
        assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in written) == ["budget/2025.csv", "readme.txt"]
        assert (tmp_path / "out" / "budget" / "2025.csv").read_bytes() == b"a,b\n1,2\n"

    def test_it_refuses_a_zip_bomb_without_unpacking_it(self, tmp_path):
        path = write_zip_bomb(tmp_path / "bomb.zip")
        assert path.stat().st_size < GB / 500
        with zipfile.ZipFile(path) as archive:  # a real archive: its member starts with real zeros
            assert archive.getinfo("zeros.csv").file_size == GB
            with archive.open("zeros.csv") as member:
                assert member.read(1024 * 1024) == bytes(1024 * 1024)
        started = time.monotonic()
        with pytest.raises(SourceFailure, match="as a zip bomb does"):
            check_archive(path, max_total=2 * GB)
        with pytest.raises(SourceFailure, match=r"the archive bomb.zip is refused: it unpacks to more than 200.0 MB"):
            extract_archive(path, tmp_path / "out")
        assert time.monotonic() - started < 1
        assert not (tmp_path / "out").exists()

    def test_it_refuses_too_many_files(self, tmp_path):
        path = make_zip(tmp_path / "many.zip", {f"{number}.csv": b"" for number in range(11)})
        assert len(check_archive(path, max_members=11)) == 11
        with pytest.raises(SourceFailure, match="more than 10 files"):
            check_archive(path, max_members=10)

    @pytest.mark.parametrize(
        "name", ["../evil.csv", "/etc/cron.d/evil", "budget/../../evil.csv", "..\\..\\evil.csv", "C:/evil.csv"]
    )
    def test_it_refuses_paths_that_escape(self, tmp_path, name):
        path = make_zip(tmp_path / "escape.zip", {"fine.csv": b"x", name: b"evil"})
        with pytest.raises(SourceFailure, match="would be written outside its folder"):
            extract_archive(path, tmp_path / "out" / "here")
        assert not list(tmp_path.rglob("evil*"))
        assert not (tmp_path / "out").exists()

    def test_it_refuses_links(self, tmp_path, secret):
        path = make_zip(tmp_path / "link.zip", {"fine.csv": b"x"}, links={"data.csv": str(secret)})
        with pytest.raises(SourceFailure, match="“data.csv” is a link"):
            extract_archive(path, tmp_path / "out")

    def test_it_refuses_what_is_no_archive(self, tmp_path):
        text = tmp_path / "data.zip"
        text.write_text("a,b\n1,2\n")
        with pytest.raises(SourceFailure, match="not a zip or tar file"):
            check_archive(text)
        damaged = make_zip(tmp_path / "damaged.zip", {"a.csv": b"a,b\n" * 1000})
        damaged.write_bytes(damaged.read_bytes()[:-30])
        with pytest.raises(SourceFailure, match="refused"):
            check_archive(damaged)


class TarTestCase:
    def test_it_unpacks_a_plain_tar(self, tmp_path):
        path = make_tar(tmp_path / "data.tar.gz", {"spending/2025.csv": b"amount\n12\n"})
        assert check_archive(path) == [ArchiveMember("spending/2025.csv", 10)]
        extract_archive(path, tmp_path / "out")
        assert (tmp_path / "out" / "spending" / "2025.csv").read_bytes() == b"amount\n12\n"

    def test_it_refuses_a_compressed_tar_bomb(self, tmp_path):
        path = make_tar(tmp_path / "bomb.tar.gz", {"zeros.csv": bytes(20 * 1024 * 1024)})
        with pytest.raises(SourceFailure, match="as a zip bomb does"):
            check_archive(path)

    @pytest.mark.parametrize("hard", [False, True])
    def test_it_refuses_links(self, tmp_path, secret, hard):
        path = make_tar(tmp_path / "link.tar", {}, mode="w", links={"data.csv": str(secret)}, hard=hard)
        with pytest.raises(SourceFailure, match="is a link"):
            extract_archive(path, tmp_path / "out")
        assert not (tmp_path / "out" / "data.csv").exists()

    def test_it_refuses_paths_that_escape(self, tmp_path):
        path = make_tar(tmp_path / "escape.tar", {"../evil.csv": b"evil"}, mode="w")
        with pytest.raises(SourceFailure, match="outside its folder"):
            extract_archive(path, tmp_path / "out")
        assert not (tmp_path / "evil.csv").exists()
