"""The WSGI and ASGI applications gunicorn and an ASGI server load answer requests."""

import asyncio
import io

import pytest

# Transactional: the handlers close the database connection at each request's start and end, as in
# production, which a test inside a transaction would not survive.
pytestmark = pytest.mark.django_db(transaction=True)


def test_the_wsgi_application_answers_the_home_page():
    from newsroom.wsgi import application

    answered = {}

    def start_response(status, headers, exc_info=None):
        answered["status"], answered["headers"] = status, dict(headers)

    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "QUERY_STRING": "",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
    }
    body = b"".join(application(environ, start_response))
    assert answered["status"] == "200 OK"
    assert answered["headers"]["Content-Type"].startswith("text/html")
    assert b"<html" in body


def test_the_asgi_application_answers_the_health_check():
    from newsroom.asgi import application

    sent = []
    messages = [{"type": "http.request", "body": b"", "more_body": False}]

    async def receive():
        if messages:
            return messages.pop()
        await asyncio.Event().wait()  # the client stays connected until the answer is sent

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/health/",
        "raw_path": b"/health/",
        "query_string": b"",
        "headers": [(b"host", b"localhost")],
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 80),
    }
    asyncio.run(application(scope, receive, send))
    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(message.get("body", b"") for message in sent if message["type"] == "http.response.body")
    assert start["status"] == 200
    assert b'"database": "ok"' in body
