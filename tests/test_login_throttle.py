"""Failed logins are throttled per account and per address (django-axes), with a clear page and a way to unlock."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from articles.login_throttle import client_address
from tests.admin_forms import editor

pytestmark = pytest.mark.django_db
LOGIN = reverse("admin:login")
PASSWORD = "pass-for-tests"
LIMIT = 3


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT
    # Dozens of logins: a fast hash keeps the test quick (the throttle does not depend on it).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def log_in(client, username, password, address="203.0.113.7", **headers):
    return client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address, **headers
    )


def fail(client, username, times, address="203.0.113.7"):
    for _ in range(times):
        response = log_in(client, username, "wrong-password", address)
        assert response.status_code in {200, 429}


def test_the_right_password_logs_in(client):
    editor()
    assert log_in(client, "editor", PASSWORD).status_code == 302


def test_after_too_many_wrong_passwords_even_the_right_one_is_refused_with_a_clear_page(client):
    editor()
    fail(client, "editor", LIMIT)
    response = log_in(client, "editor", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多" in page and "15 分钟" in page
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_speaks_english_to_english_readers(client):
    editor()
    fail(client, "editor", LIMIT)
    page = log_in(client, "editor", PASSWORD, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Too many failed logins" in page and "Try again in 15 minutes" in page


def test_an_account_is_locked_whichever_address_the_attempts_come_from(client):
    editor()
    for number in range(LIMIT):
        log_in(client, "editor", "wrong-password", address=f"198.51.100.{number}")
    assert log_in(client, "editor", PASSWORD, address="192.0.2.99").status_code == 429


def test_an_address_is_locked_whichever_accounts_it_tries(client):
    editor()
    for number in range(LIMIT):
        log_in(client, f"guess-{number}", "wrong-password", address="203.0.113.50")
    assert log_in(client, "editor", PASSWORD, address="203.0.113.50").status_code == 429
    assert log_in(client, "editor", PASSWORD, address="192.0.2.1").status_code == 302


def test_a_few_mistakes_then_the_right_password_log_in_and_start_the_count_again(client):
    editor()
    fail(client, "editor", LIMIT - 1)
    assert log_in(client, "editor", PASSWORD).status_code == 302
    client.logout()
    fail(client, "editor", LIMIT - 1)
    assert log_in(client, "editor", PASSWORD).status_code == 302


def test_the_lock_ends_by_itself_after_the_cool_off_time(client):
    editor()
    fail(client, "editor", LIMIT)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=16), tick=False):
        assert log_in(client, "editor", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "command, argument",
    [("axes_reset", None), ("axes_reset_username", "editor"), ("axes_reset_ip", "203.0.113.7")],
)
def test_an_administrator_unlocks_with_axes_reset(client, command, argument):
    editor()
    fail(client, "editor", LIMIT)
    call_command(command, *([argument] if argument else []), stdout=StringIO())
    assert log_in(client, "editor", PASSWORD).status_code == 302


def test_the_test_clients_login_still_works_many_times(client):
    User.objects.create_user("many", password=PASSWORD, is_staff=True)
    for _ in range(LIMIT * 3):
        assert client.login(username="many", password=PASSWORD)
        client.logout()


def test_throttling_can_be_turned_off(client, settings):
    settings.AXES_ENABLED = False
    editor()
    fail(client, "editor", LIMIT + 2)
    assert log_in(client, "editor", PASSWORD).status_code == 302


def test_behind_proxies_the_address_is_the_one_the_outermost_proxy_saw(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9, 10.0.0.1"
    )
    settings.NEWSROOM_TRUSTED_PROXIES = 0
    assert client_address(request) == "10.0.0.2"
    settings.NEWSROOM_TRUSTED_PROXIES = 2
    assert client_address(request) == "203.0.113.9"
    settings.NEWSROOM_TRUSTED_PROXIES = 5
    assert client_address(request) == "10.0.0.2"
