"""Settings come from the environment; production mode refuses unsafe configurations."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnop",
    "DJANGO_ALLOWED_HOSTS": "news.example.com",
}


def manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    """Run manage.py in a fresh process with only ``environment`` set (plus PATH)."""
    env = {"PATH": os.environ["PATH"], "NEWSROOM_DATA_DIR": os.environ.get("NEWSROOM_DATA_DIR", "")}
    env = {key: value for key, value in env.items() if value} | environment
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_runs_with_no_environment_at_all():
    result = manage("check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="news.example.com")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize("key", ["short", "django-insecure-development-key-never-use-in-production"])
def test_production_refuses_a_weak_or_development_secret_key(key):
    result = manage("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=key, DJANGO_ALLOWED_HOSTS="news.example.com")
    assert result.returncode != 0
    assert "at least 50 characters" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage("check", DJANGO_DEBUG="0", DJANGO_SECRET_KEY=PRODUCTION["DJANGO_SECRET_KEY"])
    assert result.returncode != 0
    assert "DJANGO_ALLOWED_HOSTS is required" in result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_unknown_cache_url_is_refused_with_a_clear_message():
    result = manage("check", CACHE_URL="memcached://127.0.0.1")
    assert result.returncode != 0
    assert "CACHE_URL must start with" in result.stderr


def test_language_time_zone_and_database_defaults(settings):
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert "en" in dict(settings.LANGUAGES)


def test_migrations_are_complete():
    result = manage("makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def test_secret_key_may_come_from_a_file(tmp_path):
    key_file = tmp_path / "secret-key"
    key_file.write_text(PRODUCTION["DJANGO_SECRET_KEY"] + "\n")
    environment = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", DJANGO_SECRET_KEY_FILE=str(key_file), **environment)
    assert result.returncode == 0, result.stderr
    missing = manage("check", DJANGO_SECRET_KEY_FILE=str(tmp_path / "none"), **environment)
    assert missing.returncode != 0 and "DJANGO_SECRET_KEY_FILE" in missing.stderr


def test_plain_http_turns_off_what_needs_https_and_deploy_check_says_so():
    script = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    result = manage("shell", "-v", "0", "-c", script, DJANGO_HTTPS="0", **PRODUCTION)
    assert result.stdout.split() == ["False", "False", "False", "0"], result.stderr
    # Only where it is set: real production (unset) is checked clean above.
    warned = manage("check", "--deploy", "--fail-level", "WARNING", DJANGO_HTTPS="0", **PRODUCTION)
    assert warned.returncode != 0 and "security.W008" in warned.stdout + warned.stderr
