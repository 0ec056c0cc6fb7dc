"""Safe download of a remote lead image, for ``import_seeds --fetch-images``.

The address comes from a seed document, so it is untrusted: it must not make the
server reach its own network (SSRF). ``fetch_image``:

* accepts only http and https addresses;
* resolves the host once and refuses when ANY of its addresses is private,
  loopback, link-local, multicast, reserved, unspecified or otherwise not public
  (also when hidden in an IPv4-mapped, 6to4 or NAT64 IPv6 address), unless
  ``NEWSROOM_FETCH_ALLOW_PRIVATE_ADDRESSES`` is on; this happens before any
  connection is made;
* connects to exactly the addresses it checked (so DNS cannot answer differently
  between the check and the connection), sending the original ``Host`` header and,
  for https, the original host name for SNI and certificate verification;
* waits at most ``NEWSROOM_FETCH_TIMEOUT_SECONDS`` for each network step, and at
  most ``TOTAL_TIME_FACTOR`` times that for the whole fetch (so a server dripping
  bytes cannot hold the importer);
* refuses a body over ``NEWSROOM_FETCH_MAX_BYTES`` (early when Content-Length says
  so, otherwise as soon as it has read one byte too many);
* follows at most ``MAX_REDIRECTS`` redirects, checking every hop as above;
* refuses any answer but 2xx, then checks the bytes with ``validate_image``.

Every refusal raises ``FetchRefused`` with a sentence naming the address and the reason.

Why one module of about 410 lines: every check above guards the same connection, and a reviewer
of the SSRF defences should read them together, in the order a fetch meets them.
"""

from __future__ import annotations

import hashlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from articles.images import ImageInfo, format_bytes, render_renditions, validate_image

if TYPE_CHECKING:
    from articles.models import Article

USER_AGENT = "newsroom-importer/1.0"
MAX_REDIRECTS = 3
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ALLOWED_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}
# The whole fetch, redirects included, may take this many times the per-step timeout.
TOTAL_TIME_FACTOR = 6
CHUNK_BYTES = 64 * 1024
# Fetched images are named by content, not by date, so the same image is stored once.
FETCHED_FOLDER = "articles/fetched"
# Path characters sent as they are; anything else (Chinese file names, spaces) is percent-encoded.
SAFE_PATH_CHARACTERS = "/%:@!$&'()*+,;=-._~?"
NAT64_NETWORK = ipaddress.ip_network("64:ff9b::/96")

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
# One entry of socket.getaddrinfo(): family, type, protocol, canonical name, socket address.
AddressEntry = tuple[
    socket.AddressFamily,
    socket.SocketKind,
    int,
    str,
    tuple[str, int] | tuple[str, int, int, int] | tuple[int, bytes],
]


class FetchRefused(Exception):
    """A remote image that was not fetched; ``reason`` is a sentence naming the address and why."""

    def __init__(self, reason: str, *, url: str = "") -> None:
        self.reason = reason
        self.url = url
        super().__init__(reason)


@dataclass(frozen=True)
class FetchedImage:
    """An image fetched and accepted: ``url`` is where it was found (after redirects),
    ``content_type`` the type of what it really is (not what the server claimed)."""

    url: str
    content: bytes
    content_type: str
    info: ImageInfo


def fetch_image(url: str) -> FetchedImage:
    """Download the image at ``url`` following the rules above; raise ``FetchRefused`` when it breaks one."""
    try:
        return _fetch(url)
    except FetchRefused as refusal:
        refusal.url = url
        raise


def store_lead_image(article: Article, fetched: FetchedImage) -> str:
    """Put ``fetched`` into ``article.lead_image`` and render its copies; return the storage name.

    The name is made from the content's SHA-256, so fetching the same image again
    (for this or another article) reuses the file already stored. The article is
    not saved: the caller saves it.
    """
    field_file = article.lead_image
    storage = field_file.storage
    digest = hashlib.sha256(fetched.content).hexdigest()
    name = f"{FETCHED_FOLDER}/{digest[:2]}/{digest}.{fetched.info.extension}"
    if not storage.exists(name):
        saved = storage.save(name, ContentFile(fetched.content))
        if saved != name:
            # Another process stored the same image meanwhile: use theirs.
            storage.delete(saved)
    article.lead_image = name
    article.lead_image_renditions = render_renditions(name, storage=storage)
    return name


# --- inside ------------------------------------------------------------------


class _DeadlinePassed(TimeoutError):
    """The whole fetch, redirects included, took longer than allowed."""


def _fetch(url: str) -> FetchedImage:
    timeout = settings.NEWSROOM_FETCH_TIMEOUT_SECONDS
    deadline = time.monotonic() + timeout * TOTAL_TIME_FACTOR
    current = url
    for hop in range(MAX_REDIRECTS + 1):
        where = current if hop == 0 else f"{current} (redirected from {url})"
        status, location, content = _get(current, where, timeout, deadline)
        if status in REDIRECT_STATUSES:
            if not location:
                raise FetchRefused(f"Could not fetch {where}: the server redirected without saying where to.")
            current = urljoin(current, location.strip())
            continue
        try:
            info = validate_image(content)
        except ValidationError as error:
            reason = " ".join(str(message) for message in error.messages)
            raise FetchRefused(f"The file at {where} was refused: {reason}") from error
        return FetchedImage(url=current, content=content, content_type=info.content_type, info=info)
    raise FetchRefused(
        f"Could not fetch {url}: it redirects more than {MAX_REDIRECTS} times (last to {current})."
    )


def _get(url: str, where: str, timeout: float, deadline: float) -> tuple[int, str | None, bytes]:
    """Make one GET; return (status, Location, body). The body is read only for a 2xx answer."""
    scheme, host, port, target = _parse(url, where)
    addresses = _vetted_addresses(host, port, where)
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, addresses=addresses, timeout=timeout)
    response = None
    watchdog = None
    try:
        try:
            connection.timeout = _remaining(deadline, timeout)
            connection.connect()
        except OSError as error:
            raise FetchRefused(
                _network_reason(where, error, timeout, "could not connect to " + host)
            ) from error
        try:
            connection.sock.settimeout(timeout)
            watchdog = _Watchdog(connection.sock, _time_left(deadline))
            connection.request(
                "GET",
                target,
                headers={"User-Agent": USER_AGENT, "Accept": "image/*", "Accept-Encoding": "identity"},
            )
            response = connection.getresponse()
            if response.status in REDIRECT_STATUSES:
                return response.status, response.getheader("Location"), b""
            if not 200 <= response.status < 300:
                raise FetchRefused(
                    f"Could not fetch {where}: the server answered {response.status} {response.reason}."
                )
            body = _read_body(response, where)
            if watchdog.fired:  # the read ended because the watchdog cut the connection
                raise _DeadlinePassed()
            return response.status, None, body
        except (OSError, http.client.HTTPException) as error:
            cause = _DeadlinePassed() if watchdog is not None and watchdog.fired else error
            raise FetchRefused(_network_reason(where, cause, timeout, "the download failed")) from error
    finally:
        if watchdog is not None:
            watchdog.cancel()
        if response is not None:
            response.close()
        connection.close()


class _Watchdog:
    """Cut the connection of ``sock`` after ``seconds``: the socket timeout bounds each wait, this the total."""

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self.fired = False
        self._sock = sock
        self._lock = threading.Lock()
        self._cancelled = False
        self._timer = threading.Timer(seconds, self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        with self._lock:
            if self._cancelled:
                return
            self.fired = True
            try:
                # The plain socket method, also for TLS: it wakes up a read blocked in another thread.
                socket.socket.shutdown(self._sock, socket.SHUT_RDWR)
            except OSError:
                pass

    def cancel(self) -> None:
        with self._lock:
            self._cancelled = True
        self._timer.cancel()


def _parse(url: str, where: str) -> tuple[str, str, int, str]:
    """Return (scheme, ASCII host, port, request target) of an http(s) ``url``."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise FetchRefused(f"Refused to fetch {where}: the address is malformed ({error}).") from error
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        what = f"{scheme}: addresses" if scheme else "addresses without http:// or https://"
        raise FetchRefused(
            f"Refused to fetch {where}: only http and https addresses are fetched, not {what}."
        )
    host = parts.hostname
    if not host:
        raise FetchRefused(f"Refused to fetch {where}: the address has no host name.")
    try:
        host = host.encode("idna").decode("ascii") if not host.isascii() else host
    except UnicodeError as error:
        raise FetchRefused(f"Refused to fetch {where}: the host name {host} is not valid.") from error
    path = quote(parts.path or "/", safe=SAFE_PATH_CHARACTERS)
    query = quote(parts.query, safe=SAFE_PATH_CHARACTERS)
    return scheme, host, port or DEFAULT_PORTS[scheme], f"{path}?{query}" if query else path


def _vetted_addresses(host: str, port: int, where: str) -> Sequence[AddressEntry]:
    """Resolve ``host``; return its getaddrinfo entries, refusing when any address is not public."""
    try:
        entries = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise FetchRefused(
            f"Could not fetch {where}: the host name {host} cannot be resolved ({error})."
        ) from error
    if not entries:
        raise FetchRefused(f"Could not fetch {where}: the host name {host} has no address.")
    if not settings.NEWSROOM_FETCH_ALLOW_PRIVATE_ADDRESSES:
        for _family, _type, _proto, _name, sockaddr in entries:
            address = ipaddress.ip_address(sockaddr[0])
            problem = _address_problem(address)
            if problem:
                named = (
                    str(address) if _same_address(host, address) else f"{host} resolves to {address}, which"
                )
                raise FetchRefused(
                    f"Refused to fetch {where}: {named} is {problem}; only public addresses are fetched "
                    "(NEWSROOM_FETCH_ALLOW_PRIVATE_ADDRESSES is off)."
                )
    return entries


def _address_problem(address: Address) -> str | None:
    """Return why ``address`` may not be fetched ("a loopback address"…), or None when it is public."""
    if isinstance(address, ipaddress.IPv6Address):
        for label, embedded in (
            ("IPv4-mapped", address.ipv4_mapped),
            ("6to4", address.sixtofour),
            ("NAT64", _nat64_embedded(address)),
        ):
            if embedded is not None:
                problem = _address_problem(embedded)
                return f"{problem} in {label} form" if problem else None
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_private:
        return "a private address"
    if address.is_reserved:
        return "a reserved address"
    if not address.is_global:
        return "not a public address"
    return None


def _nat64_embedded(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address in NAT64_NETWORK:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _same_address(host: str, address: Address) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]) == ipaddress.ip_address(str(address).split("%")[0])
    except ValueError:
        return False


def _connect_to(addresses: Sequence[AddressEntry], timeout: float | None) -> socket.socket:
    """Return a socket connected to the first of the vetted ``addresses`` that answers."""
    last_error: OSError | None = None
    for family, kind, proto, _name, sockaddr in addresses:
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(sockaddr)
            return sock
        except OSError as error:
            sock.close()
            last_error = error
    assert last_error is not None
    raise last_error


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to ``host`` that connects only to the given, already vetted, addresses."""

    def __init__(self, host: str, port: int, *, addresses: Sequence[AddressEntry], timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._vetted_addresses = addresses

    def connect(self) -> None:
        self.sock = _connect_to(self._vetted_addresses, self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """An HTTPS connection to vetted addresses, verifying the certificate for ``host`` (sent as SNI)."""

    def __init__(self, host: str, port: int, *, addresses: Sequence[AddressEntry], timeout: float) -> None:
        self._tls_context = ssl.create_default_context()
        super().__init__(host, port, timeout=timeout, context=self._tls_context)
        self._vetted_addresses = addresses

    def connect(self) -> None:
        sock = _connect_to(self._vetted_addresses, self.timeout)
        try:
            self.sock = self._tls_context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise


def _read_body(response: http.client.HTTPResponse, where: str) -> bytes:
    limit = settings.NEWSROOM_FETCH_MAX_BYTES
    declared = response.getheader("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > limit:
        raise FetchRefused(
            f"Refused to fetch {where}: the file is {format_bytes(int(declared))}, "
            f"over the limit of {format_bytes(limit)}."
        )
    chunks = []
    received = 0
    while True:
        # read1: return what has arrived instead of waiting for a whole chunk.
        chunk = response.read1(CHUNK_BYTES)
        if not chunk:
            break
        received += len(chunk)
        if received > limit:
            raise FetchRefused(
                f"Refused to fetch {where}: the file is over the limit of {format_bytes(limit)}; "
                "the download was stopped."
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _time_left(deadline: float) -> float:
    """Return the seconds left before ``deadline``; raise ``_DeadlinePassed`` when there are none."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise _DeadlinePassed()
    return left


def _remaining(deadline: float, timeout: float) -> float:
    """Return the timeout for the next network step: ``timeout``, or less when the whole fetch is nearly over."""
    return min(timeout, _time_left(deadline))


def _network_reason(where: str, error: BaseException, timeout: float, what: str) -> str:
    if isinstance(error, FetchRefused):
        return error.reason
    if isinstance(error, TimeoutError):
        if isinstance(error, _DeadlinePassed):
            return (
                f"Could not fetch {where}: the download took longer than "
                f"{_seconds(timeout * TOTAL_TIME_FACTOR)} in all."
            )
        return f"Could not fetch {where}: the server did not answer within {_seconds(timeout)}."
    if isinstance(error, ssl.SSLCertVerificationError):
        return f"Could not fetch {where}: the server's certificate is not valid ({error.verify_message})."
    if isinstance(error, ssl.SSLError):
        return f"Could not fetch {where}: the secure connection failed ({error})."
    if isinstance(error, http.client.IncompleteRead):
        return f"Could not fetch {where}: the server closed the connection before sending the whole file."
    if isinstance(error, http.client.HTTPException):
        return f"Could not fetch {where}: the server's answer is not valid HTTP ({type(error).__name__})."
    detail = (error.strerror or str(error)) if isinstance(error, OSError) else str(error)
    return f"Could not fetch {where}: {what} ({detail})."


def _seconds(value: float) -> str:
    return f"{value:g} second" if value == 1 else f"{value:g} seconds"
