"""Fetching remote lead images: the SSRF, size, time and redirect rules, and storing the result.

A real HTTP server runs on 127.0.0.1 in a thread. Nothing outside 127.0.0.1 is
ever contacted: the refusals of other addresses are checked with connections
made impossible.
"""

import hashlib
import io
import json
import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import translation
from PIL import Image

from articles.importing import fetch
from articles.importing.fetch import FetchedImage, FetchRefused, fetch_image, store_lead_image
from articles.models import Article

PNG_WIDTH, PNG_HEIGHT = 1000, 500
RELEASE_SLOW_ANSWERS = threading.Event()


def make_png(width=PNG_WIDTH, height=PNG_HEIGHT):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 120, 200)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = make_png()
BIG_BODY = b"\0" * 50_000


class Handler(BaseHTTPRequestHandler):
    requests: list[tuple[str, str, str]] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        Handler.requests.append((self.path, self.headers.get("Host"), self.headers.get("User-Agent")))
        path = self.path
        if path == "/image.png":
            self.answer(200, PNG, "image/png")
        elif path == "/not-an-image.png":
            self.answer(200, "<html>这不是图片</html>".encode(), "image/png")
        elif path == "/big-announced":
            self.answer(200, BIG_BODY, "image/png")
        elif path == "/big-unannounced":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            for start in range(0, len(BIG_BODY), 1000):
                self.wfile.write(BIG_BODY[start : start + 1000])
        elif path == "/slow":
            RELEASE_SLOW_ANSWERS.wait(10)
            self.answer(200, PNG, "image/png")
        elif path == "/drip":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            for byte in PNG[:100]:
                if RELEASE_SLOW_ANSWERS.wait(0.2):
                    break
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        elif path.startswith("/redirect/"):
            left = int(path.rsplit("/", 1)[1])
            self.redirect("/image.png" if left == 0 else f"/redirect/{left - 1}")
        elif path == "/to-ftp":
            self.redirect("ftp://127.0.0.1/image.png")
        elif path == "/to-private":
            self.redirect("http://10.0.0.1/image.png")
        elif path.startswith("/%E5%9B%BE"):
            self.answer(200, PNG, "image/png")
        else:
            self.answer(404, b"not found", "text/plain")

    def answer(self, status, body, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # the fetcher hangs up on purpose in several tests


@pytest.fixture(scope="module")
def server():
    RELEASE_SLOW_ANSWERS.clear()
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    RELEASE_SLOW_ANSWERS.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def local(settings, server, tmp_path):
    """The local test server may be fetched; media go to a temporary folder."""
    settings.NEWSROOM_FETCH_ALLOW_PRIVATE_ADDRESSES = True
    settings.NEWSROOM_FETCH_TIMEOUT_SECONDS = 1
    settings.NEWSROOM_FETCH_MAX_BYTES = 10_000_000
    settings.MEDIA_ROOT = tmp_path
    settings.NEWSROOM_IMAGE_WIDTHS = [480, 960, 1600]
    Handler.requests.clear()
    return server


@pytest.fixture
def no_connections(monkeypatch):
    """Make any outgoing connection fail the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("a connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def refusal(url):
    with translation.override("en"), pytest.raises(FetchRefused) as refused:
        fetch_image(url)
    assert refused.value.url == url
    assert url in refused.value.reason
    return refused.value.reason


# --- fetching -----------------------------------------------------------------


def test_a_png_is_fetched_and_described(local):
    fetched = fetch_image(f"{local}/image.png")

    assert fetched.content == PNG
    assert fetched.content_type == "image/png"
    assert (fetched.info.format, fetched.info.width, fetched.info.height) == ("PNG", PNG_WIDTH, PNG_HEIGHT)
    path, host, user_agent = Handler.requests[-1]
    assert (path, host, user_agent) == ("/image.png", local.removeprefix("http://"), "newsroom-importer/1.0")


def test_chinese_file_names_are_sent_percent_encoded(local):
    assert fetch_image(f"{local}/图片.png").content == PNG
    assert Handler.requests[-1][0] == "/%E5%9B%BE%E7%89%87.png"


def test_a_non_image_is_refused_by_the_image_rules(local):
    reason = refusal(f"{local}/not-an-image.png")

    assert "The file is not an image (or is damaged)." in reason


def test_a_missing_file_is_refused_with_the_status(local):
    assert "answered 404 Not Found" in refusal(f"{local}/missing.png")


def test_a_body_announced_over_the_byte_limit_is_refused_before_reading_it(local, settings):
    settings.NEWSROOM_FETCH_MAX_BYTES = 10_000

    reason = refusal(f"{local}/big-announced")

    assert "over the limit of 9.8 KB" in reason


def test_a_body_growing_over_the_byte_limit_is_stopped(local, settings):
    settings.NEWSROOM_FETCH_MAX_BYTES = 10_000

    reason = refusal(f"{local}/big-unannounced")

    assert "over the limit" in reason and "stopped" in reason


def test_a_server_that_does_not_answer_times_out_with_a_clear_reason(local):
    started = time.monotonic()

    reason = refusal(f"{local}/slow")

    assert "did not answer within 1 second" in reason
    assert time.monotonic() - started < 3


def test_a_server_dripping_bytes_is_stopped_by_the_overall_deadline(local, monkeypatch):
    monkeypatch.setattr(fetch, "TOTAL_TIME_FACTOR", 1.5)
    started = time.monotonic()

    reason = refusal(f"{local}/drip")

    assert "took longer than 1.5 seconds in all" in reason
    assert time.monotonic() - started < 3


def test_three_redirects_are_followed(local):
    fetched = fetch_image(f"{local}/redirect/2")

    assert fetched.content == PNG
    assert fetched.url == f"{local}/image.png"
    assert [path for path, _host, _agent in Handler.requests] == [
        "/redirect/2",
        "/redirect/1",
        "/redirect/0",
        "/image.png",
    ]


def test_a_fourth_redirect_is_refused(local):
    assert "redirects more than 3 times" in refusal(f"{local}/redirect/3")


def test_a_redirect_to_another_scheme_is_refused(local):
    reason = refusal(f"{local}/to-ftp")

    assert "only http and https" in reason
    assert "ftp://127.0.0.1/image.png (redirected from" in reason


def test_every_redirect_hop_is_checked_before_connecting(local, settings, monkeypatch):
    settings.NEWSROOM_FETCH_ALLOW_PRIVATE_ADDRESSES = False
    real_problem = fetch._address_problem
    # Treat the test server as if it were a public host; every other address keeps the real rules.
    monkeypatch.setattr(
        fetch,
        "_address_problem",
        lambda address: None if str(address) == "127.0.0.1" else real_problem(address),
    )
    connected = []
    real_connect = socket.socket.connect

    def connect(sock, address):
        connected.append(address[0])
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)

    reason = refusal(f"{local}/to-private")

    assert "10.0.0.1 is a private address" in reason
    assert connected == ["127.0.0.1"]


def resolve_only_to_loopback(monkeypatch, *names):
    """Make ``names`` resolve to 127.0.0.1 (and only that); count the look-ups."""
    real_getaddrinfo = socket.getaddrinfo
    lookups = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            lookups.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("127.0.0.1", port))]
        return real_getaddrinfo(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


def test_the_checked_address_is_connected_to_with_the_original_host_header(local, monkeypatch):
    lookups = resolve_only_to_loopback(monkeypatch, "images.newsroom.test")
    port = local.rsplit(":", 1)[1]

    fetch_image(f"http://images.newsroom.test:{port}/image.png")

    assert lookups == ["images.newsroom.test"]  # resolved once, then connected to that address
    assert Handler.requests[-1][1] == f"images.newsroom.test:{port}"


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """An HTTPS server on 127.0.0.1 whose certificate names images.newsroom.test."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=images.newsroom.test",
         "-addext", "subjectAltName=DNS:images.newsroom.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1], cert
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def trust_test_certificate(tls_server, monkeypatch):
    port, cert = tls_server
    real_context = ssl.create_default_context
    monkeypatch.setattr(ssl, "create_default_context", lambda *args, **kwargs: real_context(cafile=str(cert)))
    return port


def test_https_verifies_the_certificate_for_the_original_host_name(
    local, monkeypatch, trust_test_certificate
):
    resolve_only_to_loopback(monkeypatch, "images.newsroom.test")

    fetched = fetch_image(f"https://images.newsroom.test:{trust_test_certificate}/image.png")

    assert fetched.content == PNG


def test_https_refuses_a_certificate_for_another_name(local, monkeypatch, trust_test_certificate):
    resolve_only_to_loopback(monkeypatch, "other.newsroom.test")

    reason = refusal(f"https://other.newsroom.test:{trust_test_certificate}/image.png")

    assert "certificate is not valid" in reason


# --- addresses that are never contacted ---------------------------------------


def test_the_local_server_itself_is_refused_as_loopback_by_default(server, settings, no_connections):
    settings.NEWSROOM_FETCH_ALLOW_PRIVATE_ADDRESSES = False

    reason = refusal(f"{server}/image.png")

    assert "127.0.0.1 is a loopback address" in reason
    assert "NEWSROOM_FETCH_ALLOW_PRIVATE_ADDRESSES" in reason


def test_localhost_is_refused_as_loopback_by_default(settings, no_connections):
    settings.NEWSROOM_FETCH_ALLOW_PRIVATE_ADDRESSES = False

    reason = refusal("http://localhost/image.png")

    assert "localhost resolves to" in reason and "loopback address" in reason


@pytest.mark.parametrize(
    ("url", "category"),
    [
        ("http://10.0.0.1/image.png", "10.0.0.1 is a private address"),
        ("http://192.168.1.1/image.png", "192.168.1.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::1]/image.png", "::1 is a loopback address"),
        ("http://0.0.0.0/image.png", "0.0.0.0 is an unspecified address"),
        ("http://224.0.0.1/image.png", "224.0.0.1 is a multicast address"),
        ("http://100.64.0.1/image.png", "100.64.0.1 is not a public address"),
        ("https://[::ffff:127.0.0.1]/image.png", "is a loopback address in IPv4-mapped form"),
        ("http://[::ffff:169.254.169.254]/", "is a link-local address in IPv4-mapped form"),
        ("http://[fe80::1]/image.png", "fe80::1 is a link-local address"),
        ("http://2130706433/image.png", "2130706433 resolves to 127.0.0.1, which is a loopback address"),
    ],
)
def test_non_public_addresses_are_refused_without_being_contacted(url, category, settings, no_connections):
    settings.NEWSROOM_FETCH_ALLOW_PRIVATE_ADDRESSES = False

    assert category in refusal(url)


def test_a_host_is_refused_when_any_of_its_addresses_is_private(settings, monkeypatch, no_connections):
    settings.NEWSROOM_FETCH_ALLOW_PRIVATE_ADDRESSES = False
    entries = [
        (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("93.184.216.34", 80)),
        (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", ("10.1.2.3", 80)),
    ]
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: entries)

    reason = refusal("http://images.example.com/a.png")

    assert "images.example.com resolves to 10.1.2.3, which is a private address" in reason


@pytest.mark.parametrize(
    "url",
    [
        "ftp://127.0.0.1/image.png",
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
        "javascript:alert(1)",
        "//127.0.0.1/image.png",
        "127.0.0.1/image.png",
    ],
)
def test_addresses_other_than_http_and_https_are_refused(url, settings, no_connections):
    settings.NEWSROOM_FETCH_ALLOW_PRIVATE_ADDRESSES = True

    assert "only http and https addresses are fetched" in refusal(url)


# --- storing ------------------------------------------------------------------


def test_a_fetched_image_is_stored_under_its_content_hash_with_renditions(local, tmp_path):
    article = Article(title="测试")

    name = store_lead_image(article, fetch_image(f"{local}/image.png"))

    digest = hashlib.sha256(PNG).hexdigest()
    assert name == f"articles/fetched/{digest[:2]}/{digest}.png"
    assert article.lead_image.name == name
    assert (tmp_path / name).read_bytes() == PNG
    assert sorted(path.name for path in (tmp_path / "renditions" / name).iterdir()) == [
        "1000w.webp",
        "480w.webp",
        "960w.webp",
    ]
    assert article.pk is None


def test_storing_the_same_image_again_reuses_the_stored_file(local, tmp_path):
    fetched = fetch_image(f"{local}/image.png")
    first = store_lead_image(Article(title="一"), fetched)
    files = sorted(path for path in tmp_path.rglob("*") if path.is_file())

    second_article = Article(title="二")
    second = store_lead_image(second_article, fetched)

    assert second == first
    assert second_article.lead_image.name == first
    assert sorted(path for path in tmp_path.rglob("*") if path.is_file()) == files


def test_a_jpeg_is_stored_with_a_jpg_extension(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20)).save(buffer, "JPEG")
    content = buffer.getvalue()
    from articles.images import validate_image

    fetched = FetchedImage(
        url="https://example.com/a", content=content, content_type="image/jpeg", info=validate_image(content)
    )

    assert store_lead_image(Article(title="图"), fetched).endswith(".jpg")


@pytest.mark.django_db
def test_the_caller_saves_the_article_with_the_stored_image(local):
    article = Article(title="有图的文章")
    name = store_lead_image(article, fetch_image(f"{local}/image.png"))

    article.save()

    assert Article.objects.get(pk=article.pk).lead_image.name == name


def document_with_lead_image(folder, url: str, title: str = "抓取头图") -> None:
    (folder / f"{title}.md").write_text(
        f"\n---\ntitle: '{title}'\ncategories:\n - 新媒体\nheadimg: '{url}'\nauthor: 测试\ncomments: false\n"
        f"date: Fri, 20 May 2022 20:33:37 GMT\n---\n\n<div><p>正文。</p></div>\n",
        encoding="utf-8",
    )


@pytest.mark.django_db
def test_import_with_fetch_images_stores_the_lead_image_and_keeps_the_remote_address(local, tmp_path):
    from django.core.management import call_command

    from articles.models import Article

    documents = tmp_path / "documents"
    documents.mkdir()
    document_with_lead_image(documents, f"{local}/image.png")
    call_command("import_seeds", str(documents), fetch_images=True, workers=1, no_progress=True)
    article = Article.objects.get()
    assert article.lead_image.name.startswith("articles/fetched/")
    assert article.lead_image_url == f"{local}/image.png"
    assert (tmp_path / article.lead_image.name).exists()
    assert not article.edited_since_import


@pytest.mark.django_db
def test_a_failed_download_is_reported_and_the_remote_address_kept(local, tmp_path):
    from django.core.management import call_command

    from articles.models import Article

    documents = tmp_path / "documents"
    documents.mkdir()
    document_with_lead_image(documents, f"{local}/missing.png")
    report = tmp_path / "report.json"
    call_command(
        "import_seeds", str(documents), fetch_images=True, workers=1, no_progress=True, report=report
    )
    article = Article.objects.get()
    assert not article.lead_image
    assert article.lead_image_url == f"{local}/missing.png"
    warnings = json.loads(report.read_text(encoding="utf-8"))["documents"][0]["warnings"]
    assert any("lead image not fetched, remote address kept" in warning for warning in warnings)
