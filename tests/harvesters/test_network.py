"""The guarded network client: what harvests may reach, how much they read, and how failures are reported."""

import datetime
import gzip
import socket
import ssl
import time
import zlib

import ckanapi
import pytest
import requests

from harvesters import network
from harvesters.kinds.base import NetworkFailure, SourceFailure
from harvesters.network import AddressRefused

from .servers import DROP, FixtureServer, Reply, files

MB = 1024 * 1024


@pytest.fixture
def nothing_allowed(settings):
    settings.HARVEST_ALLOWED_HOSTS = []
    return settings


def port_of(server) -> int:
    return server.httpd.server_address[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class GetTestCase:
    def test_it_reads_an_answer_after_redirects(self, serve):
        server = serve(
            {
                "/old": Reply(status=301, headers={"Location": "/older"}),
                "/older": Reply(status=307, headers={"Location": "/data.json"}),
                "/data.json": Reply.json({"name": "بلدية"}),
            }
        )
        response = network.get(server.url + "/old", accept="application/json")
        assert response.url == server.url + "/data.json"
        assert response.status == 200
        assert response.headers["content-type"] == "application/json"
        assert response.json() == {"name": "بلدية"}
        assert response.text == '{"name": "بلدية"}'

    def test_it_names_the_portal_and_what_it_accepts(self, serve):
        seen = {}

        def app(request):
            seen.update(request.headers)
            return Reply("ok", content_type="text/plain")

        server = serve(app)
        network.get(server.url + "/", accept="text/csv")
        assert seen["User-Agent"].startswith("Baladiya portal harvester")
        assert seen["Accept"] == "text/csv"

    def test_it_reports_a_client_error_in_plain_words(self, serve):
        server = serve({})
        with pytest.raises(SourceFailure) as caught:
            network.get(server.url + "/missing.csv")
        assert not isinstance(caught.value, NetworkFailure)
        assert str(caught.value) == f"the server answered 404 Not Found for {server.url}/missing.csv"

    @pytest.mark.parametrize("status", [429, 500, 502, 503])
    def test_it_reports_server_errors_as_worth_retrying(self, serve, status):
        server = serve({"/": Reply("busy", status=status, content_type="text/plain")})
        with pytest.raises(NetworkFailure, match=f"answered {status} "):
            network.get(server.url + "/")

    def test_it_reports_a_refused_connection_as_worth_retrying(self, local_hosts_allowed):
        with pytest.raises(NetworkFailure, match="could not connect to the server 127.0.0.1"):
            network.get(f"http://127.0.0.1:{free_port()}/")

    def test_it_reports_a_server_dying_half_way(self, serve):
        server = serve(lambda request: DROP)
        with pytest.raises(NetworkFailure):
            network.get(server.url + "/")

    def test_it_gives_up_on_a_server_that_does_not_answer(self, serve, settings):
        settings.HARVEST_TIMEOUT = 0.3
        server = serve({"/": Reply("late", delay=2)})
        started = time.monotonic()
        with pytest.raises(NetworkFailure, match="did not answer within 0.3 seconds"):
            network.get(server.url + "/")
        assert time.monotonic() - started < 1.5

    def test_it_gives_up_on_an_answer_that_drips(self, serve, settings):
        settings.HARVEST_RESPONSE_DEADLINE = 0.5

        def drip():
            for _ in range(100):
                time.sleep(0.05)
                yield b"x"

        server = serve({"/": Reply(drip())})
        started = time.monotonic()
        with pytest.raises(NetworkFailure, match="took too long"):
            network.get(server.url + "/")
        assert time.monotonic() - started < 2

    def test_it_keeps_the_deadline_while_a_read_waits(self, serve, settings):
        settings.HARVEST_RESPONSE_DEADLINE = 0.4

        def stall():
            yield b"x"
            time.sleep(3)
            yield b"y"

        server = serve({"/": Reply(stall())})
        started = time.monotonic()
        with pytest.raises(NetworkFailure, match="took too long"):
            network.get(server.url + "/")
        assert time.monotonic() - started < 1.5

    def test_it_refuses_endless_redirects(self, serve):
        server = serve(lambda request: Reply(status=302, headers={"Location": f"/{int(request.path[1:] or 0) + 1}"}))
        with pytest.raises(SourceFailure, match="redirects more than 5 times"):
            network.get(server.url + "/0")
        assert sum(server.hits.values()) == 6

    def test_it_says_when_json_is_a_web_page(self, serve):
        server = serve(
            {
                "/page": Reply("<html><body>Maintenance</body></html>", content_type="text/html"),
                "/bad": Reply('{"success": tru'),
            }
        )
        with pytest.raises(SourceFailure, match="answered with a web page where JSON was expected"):
            network.get(server.url + "/page").json()
        with pytest.raises(SourceFailure, match="did not answer with valid JSON"):
            network.get(server.url + "/bad").json()

    def test_it_reads_the_charset_the_server_names(self, serve):
        server = serve({"/": Reply("Médéa".encode("latin-1"), content_type="text/plain; charset=ISO-8859-1")})
        assert network.get(server.url + "/").text == "Médéa"


class SchemeTestCase:
    @pytest.mark.parametrize(
        "url", ["ftp://example.org/data.csv", "file:///etc/passwd", "gopher://example.org/", "data:,x", "example.org"]
    )
    def test_it_reads_only_http_and_https(self, url, settings):
        with pytest.raises(SourceFailure, match="does not start with http:// or https://"):
            network.get(url)

    def test_it_refuses_a_redirect_to_another_scheme(self, serve):
        server = serve({"/": Reply(status=302, headers={"Location": "file:///etc/passwd"})})
        with pytest.raises(SourceFailure, match="does not start with http"):
            network.get(server.url + "/")


class PrivateAddressTestCase:
    @pytest.mark.parametrize(
        "url",
        [
            "http://localhost/",
            "http://169.254.169.254/latest/meta-data/",
            "http://[fd00:ec2::254]/",
            "http://[::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://10.0.0.1/",
            "http://172.16.5.4/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://224.0.0.1/",
            "http://[fe80::1]/",
            "http://2130706433/",  # 127.0.0.1 written as a number
            "https://localhost/",
        ],
    )
    def test_it_refuses_addresses_off_the_public_internet(self, nothing_allowed, url):
        with pytest.raises(AddressRefused, match="not on the public internet|is a cloud metadata service"):
            network.get(url)

    def test_it_refuses_this_machine_unless_allowed(self, serve, settings):
        server = serve({"/": Reply("secret", content_type="text/plain")})
        settings.HARVEST_ALLOWED_HOSTS = []
        with pytest.raises(AddressRefused, match="the address 127.0.0.1 is not on the public internet"):
            network.get(server.url + "/")
        with pytest.raises(AddressRefused, match="the server localhost is at 127.0.0.1"):
            network.get(f"http://localhost:{port_of(server)}/")
        assert server.hits["/"] == 0

    def test_it_refuses_a_redirect_to_a_refused_address(self, serve):
        server = serve(
            {
                "/to-metadata": Reply(status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}),
                "/to-localhost": Reply(status=303, headers={"Location": "/secret"}),
                "/secret": Reply("secret", content_type="text/plain"),
            }
        )
        with pytest.raises(AddressRefused):
            network.get(server.url + "/to-metadata")
        # localhost is not an allowed host, even though it is the same machine as the allowed 127.0.0.1.
        server.app = lambda request: (
            Reply(status=302, headers={"Location": f"http://localhost:{port_of(server)}/secret"})
            if request.path == "/to-localhost"
            else Reply("secret", content_type="text/plain")
        )
        with pytest.raises(AddressRefused, match="localhost"):
            network.get(server.url + "/to-localhost")
        assert server.hits["/secret"] == 0

    def test_it_refuses_a_name_that_resolves_inward(self, serve, settings):
        server = serve({"/": Reply("secret", content_type="text/plain")})
        for addresses in (["93.184.215.14", "127.0.0.1"], ["127.0.0.1"]):
            inward = pytest.raises(AddressRefused, match="the server data.example.org is at 127.0.0.1")
            with network.use_resolver(lambda host, port, addresses=addresses: addresses), inward:
                network.get(f"http://data.example.org:{port_of(server)}/")
        assert server.hits["/"] == 0

    def test_it_connects_to_the_address_it_checked(self, serve, settings):
        """DNS rebinding: a second look-up answering 127.0.0.1 is never made; the checked address is used."""
        server = serve({"/": Reply("secret", content_type="text/plain")})
        settings.HARVEST_ALLOWED_HOSTS = []
        answers = iter([["93.184.215.14"]] + [["127.0.0.1"]] * 5)
        lookups = []

        def rebinding(host, port):
            lookups.append(host)
            return next(answers)

        with network.use_resolver(rebinding), pytest.raises(NetworkFailure):
            network.get(f"http://rebind.example.org:{port_of(server)}/", timeout=0.3)
        assert lookups == ["rebind.example.org"]
        assert server.hits["/"] == 0

    def test_it_reads_an_allowed_intranet_host_by_name(self, serve, settings):
        seen = {}

        def app(request):
            seen.update(request.headers)
            return Reply("rows", content_type="text/csv")

        server = serve(app)
        settings.HARVEST_ALLOWED_HOSTS = ["Intranet.Commune.Local"]
        with network.use_resolver(lambda host, port: ["127.0.0.1"]):
            response = network.get(f"http://intranet.commune.local:{port_of(server)}/")
        assert response.content == b"rows"
        assert seen["Host"] == f"intranet.commune.local:{port_of(server)}"

    def test_it_reads_an_allowed_network(self, serve, settings):
        server = serve({"/": Reply("rows", content_type="text/csv")})
        settings.HARVEST_ALLOWED_HOSTS = ["127.0.0.0/8"]
        assert network.get(server.url + "/").content == b"rows"

    def test_it_refuses_cloud_metadata_even_when_allowed(self, settings):
        settings.HARVEST_ALLOWED_HOSTS = ["169.254.169.254", "metadata.google.internal"]
        with pytest.raises(AddressRefused, match="is a cloud metadata service"):
            network.get("http://169.254.169.254/")
        with network.use_resolver(lambda host, port: ["169.254.169.254"]), pytest.raises(AddressRefused):
            network.get("http://metadata.google.internal/")

    @pytest.mark.parametrize(
        "address",
        ["64:ff9b::a00:1", "2002:7f00:1::", "fec0::1", "ff02::1", "::", "198.18.0.1", "192.0.0.192", "240.0.0.1"],
    )
    def test_it_knows_the_hidden_inward_addresses(self, address):
        import ipaddress

        assert network.is_refused_address(ipaddress.ip_address(address))

    @pytest.mark.parametrize("address", ["1.1.1.1", "2a00:1450:4007:80e::200e", "64:ff9b::808:808"])
    def test_it_lets_public_addresses_through(self, address):
        import ipaddress

        assert not network.is_refused_address(ipaddress.ip_address(address))


class SizeTestCase:
    def test_it_refuses_a_large_answer_by_its_length(self, serve, settings):
        settings.HARVEST_MAX_BYTES = MB
        server = serve({"/": Reply(b"x" * (MB + 1), content_type="text/csv")})
        with pytest.raises(SourceFailure, match="larger than 1.0 MB"):
            network.get(server.url + "/")
        assert network.get(server.url + "/", max_bytes=2 * MB).content == b"x" * (MB + 1)

    def test_it_refuses_a_declared_length_before_reading(self, serve, settings):
        settings.HARVEST_MAX_BYTES = MB
        sent = []

        def slow_two_gigabytes():
            for _ in range(2048):
                sent.append(1)
                yield bytes(MB)
                time.sleep(1)

        server = serve({"/": Reply(slow_two_gigabytes(), headers={"Content-Length": str(2 * 1024 * MB)})})
        started = time.monotonic()
        with pytest.raises(SourceFailure, match="larger than 1.0 MB"):
            network.get(server.url + "/")
        assert time.monotonic() - started < 0.5
        assert len(sent) <= 1

    def test_it_stops_reading_an_endless_answer(self, serve, settings):
        """A 2 GB answer without a length: reading stops just past the cap, not at the end."""
        settings.HARVEST_MAX_BYTES = MB
        sent = []

        def two_gigabytes():
            chunk = b"x" * MB
            for _ in range(2048):
                sent.append(len(chunk))
                yield chunk

        server = serve({"/": Reply(two_gigabytes(), content_type="text/csv")})
        with pytest.raises(SourceFailure, match="larger than 1.0 MB"):
            network.get(server.url + "/")
        time.sleep(0.1)
        assert len(sent) < 64

    def test_it_caps_the_decoded_size_of_a_compressed_answer(self, serve, settings):
        settings.HARVEST_MAX_BYTES = MB
        compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip
        zeros = bytes(MB)
        bomb = b"".join(compressor.compress(zeros) for _ in range(64)) + compressor.flush()
        assert len(bomb) < MB / 10
        server = serve({"/": Reply(bomb, content_type="text/csv", headers={"Content-Encoding": "gzip"})})
        with pytest.raises(SourceFailure, match="larger than 1.0 MB"):
            network.get(server.url + "/")

    def test_it_decodes_a_compressed_answer(self, serve):
        server = serve(
            {"/": Reply(gzip.compress(b"a,b\n1,2\n"), content_type="text/csv", headers={"Content-Encoding": "gzip"})}
        )
        assert network.get(server.url + "/").content == b"a,b\n1,2\n"

    def test_it_reports_garbage_sent_as_compressed(self, serve):
        server = serve({"/": Reply(b"not gzip at all", content_type="text/csv", headers={"Content-Encoding": "gzip"})})
        with pytest.raises(SourceFailure, match="wrongly compressed"):
            network.get(server.url + "/")


class DownloadTestCase:
    def test_it_writes_the_file(self, serve, tmp_path):
        server = serve(
            {"/r": Reply(status=302, headers={"Location": "/f.csv"}), "/f.csv": Reply("a,b\n", content_type="text/csv")}
        )
        path = network.download(server.url + "/r", tmp_path / "in" / "f.csv")
        assert path.read_bytes() == b"a,b\n"

    def test_it_leaves_nothing_behind_when_too_large(self, serve, settings, tmp_path):
        settings.HARVEST_MAX_BYTES = MB

        def endless():
            while True:
                yield b"y" * 65536

        server = serve({"/": Reply(endless(), content_type="text/csv")})
        with pytest.raises(SourceFailure, match="larger than"):
            network.download(server.url + "/", tmp_path / "f.csv")
        assert list(tmp_path.iterdir()) == []


class SessionTestCase:
    def test_it_guards_ckanapi(self, serve, settings):
        server = serve(lambda request: Reply.json({"success": True, "result": ["budget"]}))
        settings.HARVEST_ALLOWED_HOSTS = []
        with pytest.raises(AddressRefused):
            ckanapi.RemoteCKAN(server.url, session=network.guarded_session()).action.package_list()
        assert server.hits["/api/action/package_list"] == 0
        settings.HARVEST_ALLOWED_HOSTS = ["127.0.0.1"]
        ckan = ckanapi.RemoteCKAN(server.url, session=network.guarded_session())
        assert ckan.action.package_list() == ["budget"]

    def test_it_guards_every_redirect_hop(self, serve):
        server = serve(
            {
                "/": Reply(status=302, headers={"Location": "http://[::1]:9/"}),
                "/loop": Reply(status=302, headers={"Location": "/loop"}),
            }
        )
        session = network.guarded_session()
        with pytest.raises(AddressRefused):
            session.get(server.url + "/")
        with pytest.raises(SourceFailure, match="redirects more than 5 times"):
            session.get(server.url + "/loop")

    def test_it_caps_what_it_reads(self, serve, settings):
        settings.HARVEST_MAX_BYTES = MB

        def endless():
            while True:
                yield b"z" * 65536

        server = serve({"/": Reply(endless())})
        with pytest.raises(SourceFailure, match="larger than"):
            network.guarded_session().post(server.url + "/", data={"q": "x"})

    def test_it_refuses_proxies(self, serve):
        server = serve({"/": Reply("ok")})
        session = network.guarded_session()
        assert session.get(server.url + "/", proxies={"http": "http://10.0.0.1:3128"}).text == "ok"
        with pytest.raises(SourceFailure):
            session.get("ftp://example.org/")
        assert isinstance(session, requests.Session)


def self_signed(tmp_path, name: str) -> tuple[str, str]:
    """Write a certificate for `name` and its key; return their paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return str(cert_path), str(key_path)


class TLSTestCase:
    """Connecting to the checked address keeps TLS working: the server name is sent and its certificate verified."""

    @pytest.fixture
    def tls_server(self, tmp_path):
        names: list[str] = []
        cert, key = self_signed(tmp_path, "portal.test")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        context.sni_callback = lambda sock, name, ctx: names.append(name)
        server = FixtureServer(files({"/": Reply.json({"ok": True})}))
        server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
        with server, network.use_resolver(lambda host, port: ["127.0.0.1"]):
            yield server, cert, names

    def test_it_sends_the_server_name_and_verifies_the_certificate(self, tls_server, settings):
        server, cert, names = tls_server
        settings.HARVEST_ALLOWED_HOSTS = ["portal.test"]
        session = network.guarded_session()
        session.verify = cert
        response = session.get(f"https://portal.test:{port_of(server)}/")
        assert response.json() == {"ok": True}
        assert names == ["portal.test"]

    def test_it_refuses_a_certificate_for_another_name(self, tls_server, settings, tmp_path):
        server, cert, names = tls_server
        settings.HARVEST_ALLOWED_HOSTS = ["other.test"]
        session = network.guarded_session()
        session.verify = cert
        with pytest.raises(SourceFailure, match="certificate"):
            session.get(f"https://other.test:{port_of(server)}/")
        with pytest.raises(SourceFailure, match="certificate"):
            network.get(f"https://other.test:{port_of(server)}/")
