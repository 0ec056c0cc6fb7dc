"""The app purges every HTTP cache node after a change, and a node's failure never fails the change."""

from __future__ import annotations

import http.server
import logging
import socket
import threading
import time

import pytest

from articles.cache import http_purge
from articles.cache.invalidation import surrogate_keys_purged
from tests.test_settings import manage


class CacheNode:
    """A stand-in cache node on 127.0.0.1 that records the requests it gets and answers ``status``."""

    def __init__(self, status: int = 200) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        node = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PURGE(self):  # noqa: N802 (the HTTP method's name)
                node.requests.append((self.command, self.path, dict(self.headers)))
                self.send_response(status, "Purged 3 objects" if status == 200 else "Forbidden")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def keys(self) -> list[str]:
        return [key for _method, _path, headers in self.requests for key in headers["xkey"].split()]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(autouse=True)
def no_second_purge(settings):
    """Each test counts the purges it sends; the delayed second one has its own test."""
    settings.NEWSROOM_HTTP_CACHE_REPURGE_SECONDS = 0


@pytest.fixture
def nodes():
    started = []

    def start(status: int = 200) -> CacheNode:
        started.append(CacheNode(status))
        return started[-1]

    yield start
    for node in started:
        node.close()


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/"


def test_a_purge_reaches_every_configured_cache_node(nodes, settings):
    first, second = nodes(), nodes()
    settings.NEWSROOM_HTTP_CACHE_PURGE_URLS = [first.url, second.url]
    surrogate_keys_purged.send(sender=None, keys=frozenset({"article-7", "home", "category-2"}))
    for node in (first, second):
        assert [(method, path) for method, path, _headers in node.requests] == [("PURGE", "/")]
        assert node.requests[0][2]["xkey"] == "article-7 category-2 home"


def test_nothing_is_sent_without_cache_nodes(nodes, settings):
    node = nodes()
    settings.NEWSROOM_HTTP_CACHE_PURGE_URLS = []
    surrogate_keys_purged.send(sender=None, keys=frozenset({"home"}))
    assert node.requests == []


def test_an_unreachable_node_is_logged_and_the_others_are_still_purged(nodes, settings, caplog):
    node, dead = nodes(), closed_port_url()
    settings.NEWSROOM_HTTP_CACHE_PURGE_URLS = [dead, node.url]
    with caplog.at_level(logging.ERROR, logger="newsroom.http_purge"):
        surrogate_keys_purged.send(sender=None, keys=frozenset({"article-1"}))
    assert node.keys() == ["article-1"]
    assert f"Could not purge {dead}" in caplog.text


def test_a_node_that_never_answers_is_given_up_after_the_timeout(settings, caplog):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)  # accepts the connection, never answers
    settings.NEWSROOM_HTTP_CACHE_PURGE_URLS = [f"http://127.0.0.1:{silent.getsockname()[1]}/"]
    settings.NEWSROOM_HTTP_CACHE_PURGE_TIMEOUT_SECONDS = 0.2
    try:
        with caplog.at_level(logging.ERROR, logger="newsroom.http_purge"):
            surrogate_keys_purged.send(sender=None, keys=frozenset({"article-1"}))
    finally:
        silent.close()
    assert "timed out" in caplog.text


def test_a_refused_purge_is_logged_with_the_reason(nodes, settings, caplog):
    node = nodes(status=403)
    settings.NEWSROOM_HTTP_CACHE_PURGE_URLS = [node.url]
    with caplog.at_level(logging.ERROR, logger="newsroom.http_purge"):
        surrogate_keys_purged.send(sender=None, keys=frozenset({"home"}))
    assert f"Cache node {node.url} refused the purge: 403 Forbidden" in caplog.text


def test_an_unexpected_error_is_logged_and_never_raised(nodes, settings, caplog, monkeypatch):
    settings.NEWSROOM_HTTP_CACHE_PURGE_URLS = [nodes().url]

    def broken(*args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(http_purge, "purge", broken)
    with caplog.at_level(logging.ERROR, logger="newsroom.http_purge"):
        surrogate_keys_purged.send(sender=None, keys=frozenset({"home"}))
    assert "Purging the HTTP caches failed" in caplog.text


def test_a_long_list_of_keys_is_split_across_purges_varnish_accepts(nodes, settings):
    node = nodes()
    settings.NEWSROOM_HTTP_CACHE_PURGE_URLS = [node.url]
    keys = {f"article-{number}" for number in range(2000)}
    surrogate_keys_purged.send(sender=None, keys=frozenset(keys))
    assert len(node.requests) > 1
    assert all(len(headers["xkey"]) <= http_purge.MAX_KEYS_HEADER_LENGTH for *_rest, headers in node.requests)
    assert sorted(node.keys()) == sorted(keys)


def test_a_key_varnish_would_split_is_refused_and_the_rest_are_purged(nodes, settings, caplog):
    node = nodes()
    settings.NEWSROOM_HTTP_CACHE_PURGE_URLS = [node.url]
    with caplog.at_level(logging.ERROR, logger="newsroom.http_purge"):
        surrogate_keys_purged.send(sender=None, keys=frozenset({"tag-a,b", "tag 新闻", "home"}))
    assert node.keys() == ["home"]
    assert "'tag-a,b' cannot be purged" in caplog.text


def test_purge_addresses_must_be_http():
    result = manage("check", NEWSROOM_HTTP_CACHE_PURGE_URLS="varnish-1:6081")
    assert result.returncode != 0
    assert "each address must start with http:// or https://" in result.stderr


def test_each_purge_is_sent_again_once_the_other_app_servers_know_of_the_change(nodes, settings):
    node = nodes()
    settings.NEWSROOM_HTTP_CACHE_PURGE_URLS = [node.url]
    settings.NEWSROOM_HTTP_CACHE_REPURGE_SECONDS = 0.3
    surrogate_keys_purged.send(sender=None, keys=frozenset({"article-1"}))
    surrogate_keys_purged.send(sender=None, keys=frozenset({"home"}))
    assert node.keys() == ["article-1", "home"]
    deadline = time.monotonic() + 10
    while len(node.requests) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    # Both again, in one request: they fell due together.
    assert [headers["xkey"] for *_rest, headers in node.requests] == ["article-1", "home", "article-1 home"]
