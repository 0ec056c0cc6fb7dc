"""A database that cannot be reached: a styled, translated 503 with Retry-After, and cached pages go on.

The database is made unreachable for real: the connection is closed and pointed at a closed port
(PostgreSQL) or at a file that cannot be opened (SQLite); the shared server is never stopped.
"""

import pytest
from django.db import connection
from django.test import Client

from tests import factories
from tests.admin_forms import editor
from tests.redis_server import free_port

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_down():
    """Return a function that cuts the database off; it is reconnected when the test ends."""
    saved = dict(connection.settings_dict)

    def cut() -> None:
        connection.close()
        if connection.vendor == "postgresql":
            connection.settings_dict["HOST"], connection.settings_dict["PORT"] = "127.0.0.1", str(free_port())
        else:
            connection.settings_dict["NAME"] = "/nonexistent/newsroom-is-down.sqlite3"

    yield cut
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


def test_readers_get_a_styled_translated_503_with_retry_after(client, database_down):
    article = factories.article("数据库")
    database_down()
    response = client.get(article.get_absolute_url())
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html and "css/site.css" in html
    assert "稍后" in html
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Back in a moment" in english


def test_pages_already_cached_keep_serving_while_the_database_is_down(client, clock, database_down):
    article = factories.article("缓存")
    for address in ("/", article.get_absolute_url()):
        client.get(address)
    database_down()
    clock.advance(5)  # the purge log is due to be read, and cannot be
    for address in ("/", article.get_absolute_url()):
        response = client.get(address)
        assert response.status_code == 200 and response["X-Cache"] == "hit", address
    assert client.get("/search/?q=新").status_code == 503


def test_editors_get_the_503_too_not_a_server_error(database_down):
    desk = Client()
    desk.force_login(editor())
    database_down()
    response = desk.get("/admin/")
    assert response.status_code == 503 and response["Retry-After"]
