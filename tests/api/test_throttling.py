"""The rate limit of anonymous clients: per address, cached answers included, 429 with Retry-After."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured

from articles.api.throttling import Rate, count_request

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles/"


@pytest.fixture
def three_a_minute(settings):
    settings.NEWSROOM_API_ANONYMOUS_RATE = "3/minute"


@pytest.fixture
def start_of_a_minute():
    """Stop the clock ten seconds into a minute, so that every request falls in one window."""
    with time_machine.travel(dt.datetime(2030, 1, 1, 8, 0, 10, tzinfo=dt.UTC), tick=False) as traveller:
        yield traveller


def test_an_address_over_the_rate_gets_429_with_retry_after(
    client, newsroom, three_a_minute, start_of_a_minute
):
    for _ in range(3):
        assert client.get(LIST).status_code == 200
    response = client.get(LIST)
    assert response.status_code == 429
    assert response["Retry-After"] == "50"
    assert response["Cache-Control"] == "private, no-store"
    assert "50" in response.json()["detail"]


def test_answers_from_the_page_cache_count_too(client, newsroom, three_a_minute, start_of_a_minute):
    client.get(LIST)
    assert client.get(LIST)["X-Cache"] == "hit"
    client.get(LIST)
    assert client.get(LIST).status_code == 429


def test_every_endpoint_counts(client, newsroom, three_a_minute, start_of_a_minute):
    for address in ("/api/v1/categories/", "/api/v1/tags/", "/api/v1/nothing/"):
        client.get(address)
    assert client.get("/api/v1/authors/").status_code == 429


def test_each_address_has_its_own_count(client, newsroom, three_a_minute, start_of_a_minute):
    for _ in range(4):
        client.get(LIST, REMOTE_ADDR="192.0.2.1")
    assert client.get(LIST, REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.get(LIST, REMOTE_ADDR="192.0.2.2").status_code == 200


def test_a_forged_forwarded_for_header_does_not_escape_the_limit(
    client, newsroom, three_a_minute, start_of_a_minute
):
    for number in range(3):
        client.get(LIST, HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    assert client.get(LIST, HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_counts(
    client, newsroom, settings, three_a_minute, start_of_a_minute
):
    settings.NEWSROOM_TRUSTED_PROXIES = 1
    for _ in range(3):
        client.get(LIST, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert client.get(LIST, HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    assert client.get(LIST, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200


def test_a_forwarded_for_header_shorter_than_the_proxies_in_front_is_not_trusted(
    client, newsroom, settings, three_a_minute, start_of_a_minute
):
    settings.NEWSROOM_TRUSTED_PROXIES = 2
    for number in range(3):
        client.get(LIST, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    assert client.get(LIST, REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_the_next_window_lets_the_address_in_again(client, newsroom, three_a_minute, start_of_a_minute):
    for _ in range(4):
        client.get(LIST)
    assert client.get(LIST).status_code == 429
    start_of_a_minute.shift(dt.timedelta(seconds=50))
    assert client.get(LIST).status_code == 200


def test_a_made_up_session_cookie_does_not_escape_the_limit(
    client, newsroom, three_a_minute, start_of_a_minute
):
    client.cookies["sessionid"] = "made-up"
    for _ in range(3):
        assert client.get(LIST).status_code == 200
    response = client.get(LIST)
    assert response.status_code == 429 and int(response["Retry-After"]) >= 1


def test_signed_in_staff_are_not_limited(
    client, newsroom, editor, token_header, three_a_minute, start_of_a_minute
):
    header = token_header(editor)
    for _ in range(6):
        assert client.get(LIST, **header).status_code == 200


def test_the_reader_site_is_not_limited(client, newsroom, three_a_minute, start_of_a_minute):
    for _ in range(6):
        assert client.get("/").status_code == 200


def test_a_rate_of_zero_turns_the_limit_off(client, newsroom, settings, start_of_a_minute):
    settings.NEWSROOM_API_ANONYMOUS_RATE = "0"
    for _ in range(20):
        assert client.get(LIST).status_code == 200


def test_the_rate_is_read_from_its_setting():
    assert Rate.parse("300/minute") == Rate(300, 60)
    assert Rate.parse("5/s") == Rate(5, 1)
    assert Rate.parse("1000/hour") == Rate(1000, 3600)
    assert Rate.parse("20000/day") == Rate(20000, 86400)
    assert Rate.parse("") is None and Rate.parse("0") is None and Rate.parse("0/minute") is None
    with pytest.raises(ImproperlyConfigured, match="NEWSROOM_API_ANONYMOUS_RATE"):
        Rate.parse("lots")


def test_counting_says_how_long_to_wait():
    rate = Rate(2, 60)
    assert count_request("192.0.2.9", rate, now=120.0) == 0
    assert count_request("192.0.2.9", rate, now=130.0) == 0
    assert count_request("192.0.2.9", rate, now=150.5) == pytest.approx(29.5)
    assert count_request("192.0.2.9", rate, now=180.0) == 0


def test_a_mistyped_rate_stops_the_server_from_starting(settings):
    from articles.api.throttling import AnonymousRateLimitMiddleware

    settings.NEWSROOM_API_ANONYMOUS_RATE = "300 per minute"
    with pytest.raises(ImproperlyConfigured, match="300 per minute"):
        AnonymousRateLimitMiddleware(lambda request: None)
