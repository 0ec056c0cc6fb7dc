"""Each request leaves one log record with its timing; DJANGO_LOG_FORMAT=json makes them JSON lines."""

import json
import logging
import sys

import pytest

from newsroom.log_format import JsonFormatter
from tests.test_settings import manage


@pytest.fixture
def request_log(settings):
    settings.MIDDLEWARE = [
        "newsroom.health.HealthCheckMiddleware",
        "newsroom.request_log.RequestLogMiddleware",
        *settings.MIDDLEWARE[1:],
    ]


@pytest.mark.django_db
def test_each_request_is_logged_with_status_and_timing(client, request_log, caplog):
    with caplog.at_level(logging.INFO, logger="newsroom.request"):
        client.get("/?page=1", HTTP_X_REQUEST_ID="abc-123", HTTP_X_FORWARDED_FOR="203.0.113.9")
        client.get("/no-such-page/")
    first, second = (record for record in caplog.records if record.name == "newsroom.request")
    assert (first.method, first.path, first.status) == ("GET", "/?page=1", 200)
    assert first.duration_ms > 0
    assert first.bytes > 0
    assert (first.request_id, first.forwarded_for) == ("abc-123", "203.0.113.9")
    assert first.getMessage().startswith("GET /?page=1 200 ")
    assert (second.path, second.status) == ("/no-such-page/", 404)


@pytest.mark.django_db
def test_load_balancer_probes_are_not_logged(client, request_log, caplog):
    with caplog.at_level(logging.INFO, logger="newsroom.request"):
        client.get("/health/")
    assert [record for record in caplog.records if record.name == "newsroom.request"] == []


def test_a_json_record_carries_the_extra_fields_and_the_exception():
    try:
        raise ValueError("坏了")
    except ValueError:
        record = logging.LogRecord(
            "newsroom.request", logging.ERROR, __file__, 1, "GET %s", ("/新闻/",), None
        )
        record.exc_info = sys.exc_info()
    record.status = 500
    record.duration_ms = 12.5
    line = JsonFormatter().format(record)
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["message"] == "GET /新闻/"
    assert (entry["level"], entry["logger"], entry["status"], entry["duration_ms"]) == (
        "ERROR",
        "newsroom.request",
        500,
        12.5,
    )
    assert entry["time"].endswith("+00:00")
    assert "ValueError: 坏了" in entry["exception"]


def test_request_logs_are_json_lines_on_stderr_when_asked():
    result = manage(
        "shell",
        "-c",
        "from django.test import Client; Client().get('/health/'); Client().get('/admin/login/', HTTP_HOST='localhost')",
        DJANGO_LOG_FORMAT="json",
        NEWSROOM_REQUEST_LOG="1",
        # The page cache would read the articles table: this process has no migrated database.
        NEWSROOM_PAGE_CACHE_SECONDS="0",
    )
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    requests = [entry for entry in entries if entry["logger"] == "newsroom.request"]
    assert [(entry["path"], entry["status"]) for entry in requests] == [("/admin/login/", 200)]
    assert requests[0]["duration_ms"] > 0


def test_an_unknown_log_format_is_refused():
    result = manage("check", DJANGO_LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "DJANGO_LOG_FORMAT must be text or json" in result.stderr
