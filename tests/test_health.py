"""/health/ tells a load balancer whether this app server can serve: database required, Redis optional."""

import json
import os
import socket

import pytest

from tests.test_settings import PRODUCTION, manage

ASK_HEALTH = (
    "from django.test import Client; r = Client().get('/health/', HTTP_HOST='10.0.0.3:8101'); "
    "print(r.status_code, r.content.decode())"
)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def health_in_process(**environment: str) -> tuple[int, dict]:
    result = manage("shell", "-c", ASK_HEALTH, **environment)
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()[-1].split(" ", 1)
    return int(status), json.loads(body)


@pytest.mark.django_db
def test_health_is_ok_when_the_database_and_cache_answer(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["database"], body["cache"]["status"]) == ("ok", "ok", "ok")
    assert response["Cache-Control"] == "no-store"


@pytest.mark.django_db
def test_health_answers_a_probe_by_address_over_plain_http_in_production(client, settings):
    settings.ALLOWED_HOSTS = ["news.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/health/", HTTP_HOST="10.0.0.3:8101")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_health_refuses_to_change_anything(client):
    response = client.post("/health/")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_health_is_down_when_the_database_does_not_answer():
    status, body = health_in_process(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port()}/newsroom", **PRODUCTION
    )
    assert status == 503
    assert body["status"] == "down"
    assert body["database"] == "down"


def test_health_is_degraded_but_serving_when_redis_does_not_answer():
    status, body = health_in_process(REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0", **PRODUCTION)
    assert status == 200
    assert (body["status"], body["database"], body["cache"]["status"]) == ("degraded", "ok", "degraded")
    assert body["cache"]["redis"] == "unreachable"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL is not set: no Redis to ask")
def test_health_is_ok_with_a_redis_that_answers():
    status, body = health_in_process(REDIS_URL=os.environ["REDIS_URL"], **PRODUCTION)
    assert (status, body["cache"]["status"], body["cache"]["redis"]) == (200, "ok", "ok")
