"""Every request a harvest sends to another server goes through here, so that a source cannot turn it inward.

A harvest source's address is typed by staff and its answers are written by strangers: a URL (or a redirect,
or a DNS answer that changes between two look-ups) may point at this machine's own services or at the cloud's
metadata endpoint. The guard therefore sits where the socket is opened: the host name is resolved once, every
address is checked, and the connection goes to the very address that was checked (TLS still verifies the host
name). Answers are read in chunks up to a byte cap and a deadline, decoded size included (gzip bombs).

Failures are `NetworkFailure` (worth retrying: timeouts, refused or reset connections, HTTP 429 and 5xx) or
`SourceFailure` (refused address or scheme, too large, HTTP 4xx), with a message in plain words.
"""

import ipaddress
import json
import os
import socket
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from django.conf import settings
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

from .kinds.base import NetworkFailure, SourceFailure

__all__ = [
    "AddressRefused",
    "Response",
    "download",
    "get",
    "guarded_session",
    "is_refused_address",
    "use_resolver",
]

SCHEMES = ("http", "https")
MAX_REDIRECTS = 5
# Read in chunks of this size: small enough that the byte cap and the deadline are checked often.
CHUNK_SIZE = 64 * 1024
# The whole answer must have arrived within this many seconds (settings.HARVEST_RESPONSE_DEADLINE overrides it):
# 200 MB, the default HARVEST_MAX_BYTES, at about 3 Mbit/s.
RESPONSE_DEADLINE = 10 * 60
# Cloud metadata services: refused even for allowed hosts, since no harvest has anything to read there.
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "192.0.0.192",  # Oracle Cloud
    )
)
# The NAT64 prefix (RFC 6052) reaches the IPv4 address in its last 32 bits.
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class AddressRefused(SourceFailure):
    """The address is one a harvest must not reach (this machine, the private network, cloud metadata)."""


def user_agent() -> str:
    return f"{settings.WAGTAIL_SITE_NAME} portal harvester (+{settings.WAGTAILADMIN_BASE_URL})"


# Resolving ------------------------------------------------------------------------------------------------


def system_resolver(host: str, port: int) -> list[str]:
    """Return the addresses the system resolver gives for `host`, in its order of preference."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


_resolver: Resolver = system_resolver


@contextmanager
def use_resolver(resolver: Resolver) -> Iterator[None]:
    """Resolve host names with `resolver` inside the block (a test's own DNS; the guard still checks its answers)."""
    global _resolver
    previous, _resolver = _resolver, resolver
    try:
        yield
    finally:
        _resolver = previous


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """Return the IPv4 address an IPv6 address reaches through a transition mechanism, if any."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in NAT64_PREFIX:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_refused_address(address: IPAddress) -> bool:
    """Return True for an address that is not on the public internet.

    That is loopback, private (RFC 1918, unique-local IPv6), link-local, carrier-grade NAT, multicast,
    unspecified, reserved and documentation ranges, and IPv6 forms that embed such an IPv4 address.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id:
            return True
        embedded = _embedded_ipv4(address)
        if address in NAT64_PREFIX and embedded is not None:
            return is_refused_address(embedded)
        if embedded is not None and is_refused_address(embedded):
            return True
        if address.is_site_local:
            return True
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or address in METADATA_ADDRESSES
    )


def _is_allowed_host(host: str) -> bool:
    """Return True when settings.HARVEST_ALLOWED_HOSTS lists `host` (a name, an address, or a network)."""
    host = host.strip("[]").rstrip(".").lower()
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    for entry in settings.HARVEST_ALLOWED_HOSTS:
        entry = entry.strip().strip("[]").rstrip(".").lower()
        if not entry:
            continue
        if entry == host:
            return True
        if literal is not None:
            try:
                if literal in ipaddress.ip_network(entry, strict=False):
                    return True
            except ValueError:
                continue
    return False


def checked_addresses(host: str, port: int) -> list[str]:
    """Return the addresses of `host` to connect to, all checked; raise AddressRefused if any is refused.

    One refused address refuses the host: a name that also points inward is not one to harvest.
    Raises socket.gaierror when the name does not resolve.
    """
    host = host.strip("[]").rstrip(".")
    addresses = _resolver(host, port)
    if not addresses:
        raise socket.gaierror(socket.EAI_NONAME, f"no address for {host}")
    allowed = _is_allowed_host(host)
    for text in addresses:
        address = ipaddress.ip_address(text.split("%", 1)[0])
        if address in METADATA_ADDRESSES:
            raise AddressRefused(
                _("the address of %(host)s, %(address)s, is a cloud metadata service, which harvests never read")
                % {"host": host, "address": address}
            )
        if not allowed and is_refused_address(address):
            if str(address) == host.lower():
                reason = _("the address %(host)s is not on the public internet") % {"host": host}
            else:
                reason = _("the server %(host)s is at %(address)s, which is not on the public internet") % {
                    "host": host,
                    "address": address,
                }
            advice = _("harvests do not read from it (an intranet server can be allowed in HARVEST_ALLOWED_HOSTS)")
            raise AddressRefused(f"{reason}: {advice}")
    return addresses


# Connections that connect only to checked addresses --------------------------------------------------------


class _GuardedConnectionMixin:
    """Open the socket to an address checked a moment ago, never to a second look-up of the name."""

    host: str
    port: int
    timeout: Any
    source_address: Any
    socket_options: Any

    def _new_conn(self) -> socket.socket:
        try:
            addresses = checked_addresses(self.host, self.port)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error  # type: ignore[arg-type]
        last_error: OSError | None = None
        for address in addresses:
            try:
                return urllib3_connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as error:
                raise ConnectTimeoutError(self, f"Connection to {self.host} timed out.") from error
            except OSError as error:
                last_error = error
        raise NewConnectionError(self, f"Failed to establish a new connection: {last_error}")  # type: ignore[arg-type]


class GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """requests' adapter with pools of guarded connections, and no proxy (a proxy would connect unchecked)."""

    def __init__(self) -> None:
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": GuardedHTTPConnectionPool,
            "https": GuardedHTTPSConnectionPool,
        }

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        raise AddressRefused(_("harvests do not go through a proxy"))


def _check_scheme(url: str) -> None:
    try:
        parts = urlsplit(url)
    except ValueError as error:
        raise SourceFailure(_("“%(url)s” is not a valid address") % {"url": url}) from error
    if parts.scheme.lower() not in SCHEMES:
        raise SourceFailure(
            _("the address “%(url)s” does not start with http:// or https://: harvests read only from the web")
            % {"url": url}
        )
    if not parts.hostname:
        raise SourceFailure(_("the address “%(url)s” names no server") % {"url": url})


def response_deadline() -> float:
    return getattr(settings, "HARVEST_RESPONSE_DEADLINE", RESPONSE_DEADLINE)


def _read_body(
    response: requests.Response, url: str, max_bytes: int, deadline: float, sink: Callable[[bytes], object]
) -> None:
    """Pass the decoded body to `sink` chunk by chunk, stopping past `max_bytes` or the deadline.

    Each read waits at most until the deadline (the socket's timeout is shortened as it nears), so a server
    that sends a byte now and then cannot hold a harvest past it.
    """
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        raise _too_large(url, max_bytes)
    raw = response.raw
    sock = _socket_of(raw)
    read_timeout = sock.gettimeout() if sock is not None else None
    size = 0
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _too_slow(url)
            if sock is not None and (read_timeout is None or remaining < read_timeout):
                sock.settimeout(remaining)
            chunk = raw.read1(CHUNK_SIZE, decode_content=True)
            if not chunk:
                return
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(url, max_bytes)
            sink(chunk)
    except urllib3.exceptions.ReadTimeoutError as error:
        if time.monotonic() >= deadline:
            raise _too_slow(url) from error
        raise NetworkFailure(_("the server stopped sending %(url)s") % {"url": url}) from error
    except urllib3.exceptions.DecodeError as error:
        raise SourceFailure(_("the server sent %(url)s wrongly compressed") % {"url": url}) from error
    except (urllib3.exceptions.ProtocolError, OSError) as error:
        raise NetworkFailure(_("the connection broke while reading %(url)s") % {"url": url}) from error


def _socket_of(raw: Any) -> socket.socket | None:
    """Return the socket a urllib3 response reads from, or None where it cannot be found.

    http.client drops the connection's socket once an answer that ends the connection has begun; the
    response's file object still holds it (urllib3 response → http.client response → buffer → SocketIO).
    Without it the deadline is still checked between reads, only later by up to one read timeout.
    """
    sock = getattr(getattr(raw, "connection", None), "sock", None)
    if sock is None:
        sock = getattr(getattr(getattr(getattr(raw, "_fp", None), "fp", None), "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _too_slow(url: str) -> NetworkFailure:
    return NetworkFailure(
        _("the server took too long to send %(url)s (more than %(seconds)s seconds)")
        % {"url": url, "seconds": response_deadline()}
    )


def _too_large(url: str, max_bytes: int) -> SourceFailure:
    return SourceFailure(
        _("%(url)s is larger than %(megabytes)s MB, the most a harvest reads")
        % {"url": url, "megabytes": round(max_bytes / 1024 / 1024, 1)}
    )


def _status_failure(status: int, url: str) -> SourceFailure:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    message = _("the server answered %(status)s for %(url)s") % {"status": f"{status} {phrase}".strip(), "url": url}
    if status == HTTPStatus.TOO_MANY_REQUESTS or status >= 500:
        return NetworkFailure(message)
    return SourceFailure(message)


@contextmanager
def _failures(url: str, timeout: float) -> Iterator[None]:
    """Turn requests' exceptions into NetworkFailure or SourceFailure with a message in plain words."""
    host = urlsplit(url).hostname or url
    try:
        yield
    except requests.Timeout as error:
        raise NetworkFailure(
            _("the server %(host)s did not answer within %(seconds)s seconds") % {"host": host, "seconds": timeout}
        ) from error
    except requests.exceptions.SSLError as error:
        if "CERTIFICATE_VERIFY_FAILED" in str(error) or "hostname" in str(error):
            raise SourceFailure(
                _("the secure connection to %(host)s failed: its certificate could not be verified") % {"host": host}
            ) from error
        raise SourceFailure(_("the secure connection to %(host)s failed") % {"host": host}) from error
    except requests.TooManyRedirects as error:
        raise SourceFailure(
            _("%(url)s redirects more than %(count)s times") % {"url": url, "count": MAX_REDIRECTS}
        ) from error
    except requests.ConnectionError as error:
        raise NetworkFailure(_("could not connect to the server %(host)s") % {"host": host}) from error
    except (requests.exceptions.InvalidURL, requests.exceptions.InvalidSchema, ValueError) as error:
        raise SourceFailure(_("“%(url)s” is not a valid address") % {"url": url}) from error
    except requests.RequestException as error:
        raise NetworkFailure(_("the request to %(host)s failed") % {"host": host}) from error


class GuardedSession(requests.Session):
    """A requests session whose every request (ckanapi's too) is guarded, timed and capped."""

    def __init__(self, *, max_bytes: int | None = None, timeout: float | None = None) -> None:
        super().__init__()
        self.trust_env = False  # no proxy or .netrc from the environment
        self.max_redirects = MAX_REDIRECTS
        self.max_bytes = max_bytes or settings.HARVEST_MAX_BYTES
        self.timeout = timeout or settings.HARVEST_TIMEOUT
        self.headers["User-Agent"] = user_agent()
        # Only the encodings urllib3 decodes with a bounded output size.
        self.headers["Accept-Encoding"] = "gzip, deflate"
        self.adapters.clear()
        adapter = GuardedAdapter()
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        _check_scheme(request.url or "")
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout
        kwargs["proxies"] = {}
        stream = kwargs.get("stream", False)
        kwargs["stream"] = True
        started = time.monotonic()
        with _failures(request.url or "", kwargs["timeout"]):
            response = super().send(request, **kwargs)
        if not stream or response.is_redirect:
            # Read here, within the cap, so that neither the caller nor requests' redirects read it unbounded.
            body = bytearray()
            try:
                _read_body(response, response.url, self.max_bytes, started + response_deadline(), body.extend)
            finally:
                response.close()
            response._content = bytes(body)
            response._content_consumed = True
        return response


def guarded_session(*, max_bytes: int | None = None, timeout: float | None = None) -> requests.Session:
    """Return a requests session that refuses inward addresses, proxies and oversized answers.

    For libraries that take a session (`ckanapi.RemoteCKAN(url, session=guarded_session())`). Failures are
    raised as NetworkFailure or SourceFailure, as by `get`; HTTP error statuses are left to the caller (CKAN
    answers 403, 404 and 409 with a JSON body that says why).
    """
    return GuardedSession(max_bytes=max_bytes, timeout=timeout)


# The functions kinds call ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Response:
    """A complete answer: its final URL (after redirects), status, headers and body."""

    url: str
    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    content: bytes = b""

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()

    @property
    def text(self) -> str:
        message = Message()
        message["Content-Type"] = self.headers.get("Content-Type", "")
        charset = message.get_content_charset() or "utf-8"
        try:
            return self.content.decode("utf-8-sig" if charset in ("utf-8", "utf8") else charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        """Return the decoded JSON body; raise SourceFailure when it is a web page or not JSON."""
        start = self.content.lstrip()[:1]
        if self.content_type in ("text/html", "application/xhtml+xml") or start == b"<":
            raise SourceFailure(_("%(url)s answered with a web page where JSON was expected") % {"url": self.url})
        try:
            return json.loads(self.content.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as error:
            raise SourceFailure(
                _("%(url)s did not answer with valid JSON (%(error)s)") % {"url": self.url, "error": error}
            ) from error


def _open(session: GuardedSession, url: str, accept: str, timeout: float) -> tuple[str, requests.Response]:
    """Send a GET, following at most MAX_REDIRECTS redirects, each hop checked; return the final URL and answer."""
    headers = {"Accept": accept} if accept else {}
    for _hop in range(MAX_REDIRECTS + 1):
        _check_scheme(url)
        response = session.get(url, headers=headers, stream=True, allow_redirects=False, timeout=timeout)
        if not response.is_redirect:
            if response.status_code >= 400:
                response.close()
                raise _status_failure(response.status_code, url)
            return url, response
        location = session.get_redirect_target(response) or ""
        response.close()
        url = urljoin(url, location)
    raise SourceFailure(_("%(url)s redirects more than %(count)s times") % {"url": url, "count": MAX_REDIRECTS})


def get(url: str, *, accept: str = "", max_bytes: int | None = None, timeout: float | None = None) -> Response:
    """Return the answer to a GET of `url`, read whole within the byte cap and the deadline.

    Raises NetworkFailure (timeout, refused or broken connection, HTTP 429 or 5xx) or SourceFailure (an address
    that is not on the public internet, another scheme than http/https, a body past `max_bytes`, HTTP 4xx).
    """
    timeout = timeout or settings.HARVEST_TIMEOUT
    session = GuardedSession(max_bytes=max_bytes, timeout=timeout)
    deadline = time.monotonic() + response_deadline()
    with session:
        final_url, response = _open(session, url, accept, timeout)
        body = bytearray()
        try:
            _read_body(response, final_url, session.max_bytes, deadline, body.extend)
        finally:
            response.close()
        return Response(final_url, response.status_code, CaseInsensitiveDict(response.headers), bytes(body))


def download(url: str, destination: Path, *, max_bytes: int | None = None, timeout: float | None = None) -> Path:
    """Write the body of `url` to `destination` (a file path) without holding it in memory; return the path.

    The file appears only when the whole body has arrived; the failures are those of `get`.
    """
    timeout = timeout or settings.HARVEST_TIMEOUT
    session = GuardedSession(max_bytes=max_bytes, timeout=timeout)
    deadline = time.monotonic() + response_deadline()
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    with session:
        final_url, response = _open(session, url, "", timeout)
        descriptor, partial = tempfile.mkstemp(dir=destination.parent, prefix=".partial-")
        try:
            with os.fdopen(descriptor, "wb") as file:
                _read_body(response, final_url, session.max_bytes, deadline, file.write)
            os.replace(partial, destination)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        finally:
            response.close()
    return destination
