"""Every answer of the Content API matches its OpenAPI schema.

schemathesis generates requests from the schema, valid and invalid, and checks each answer: no server
error, a documented status and content type, a body the schema describes, invalid input refused.
Then every endpoint is called as anonymous clients and staff call it, and each answer is checked.
"""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]


def in_process_application():
    """Return the project's WSGI application, kept from closing the test's database connection after
    each request (as Django's test client does)."""
    handler = WSGIHandler()

    def application(environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = handler(environ, start_response)
            body = b"".join(response)
            response.close()
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [body]

    return application


@pytest.fixture
def api_schema(newsroom, settings):
    """The schema as the API serves it, bound to the application (in this process, on the test database)."""
    settings.NEWSROOM_API_ANONYMOUS_RATE = "0"
    return schemathesis.openapi.from_wsgi("/api/v1/schema/", in_process_application())


generated = schemathesis.pytest.from_fixture("api_schema")


@generated.parametrize()
@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_generated_request_gets_an_answer_the_schema_describes(case):
    case.call_and_validate(checks=CHECKS)


def test_every_endpoint_answers_anonymous_clients_and_staff_as_the_schema_says(api_schema, newsroom, editor):
    client = Client(in_process_application())
    token = {"Authorization": f"Token {Token.objects.create(user=editor).key}"}
    phone, tag = newsroom.phone, newsroom.phone.tags.first()
    calls = [
        ("/api/v1/", "/api/v1/", {}),
        ("/api/v1/articles/", "/api/v1/articles/", {}),
        ("/api/v1/articles/", "/api/v1/articles/?page_size=1&page=2&fields=id,title,body", {}),
        ("/api/v1/articles/", f"/api/v1/articles/?category={newsroom.tech.path}&featured=true", {}),
        ("/api/v1/articles/", "/api/v1/articles/?status=any", token),
        ("/api/v1/articles/", "/api/v1/articles/?status=draft", {}),
        ("/api/v1/articles/", "/api/v1/articles/?page=x", {}),
        ("/api/v1/articles/{slug}/", f"/api/v1/articles/{phone.slug}/", {}),
        ("/api/v1/articles/{slug}/", f"/api/v1/articles/{newsroom.draft.slug}/", token),
        ("/api/v1/articles/{slug}/", f"/api/v1/articles/{newsroom.draft.slug}/", {}),
        ("/api/v1/articles/by-id/{id}/", f"/api/v1/articles/by-id/{phone.pk}/", {}),
        ("/api/v1/articles/by-id/{id}/", f"/api/v1/articles/by-id/{newsroom.scheduled.pk}/", token),
        ("/api/v1/articles/{slug}/", f"/api/v1/articles/{phone.slug}/", {"Authorization": "Token nonsense"}),
        ("/api/v1/search/", "/api/v1/search/?q=华为", {}),
        ("/api/v1/search/", "/api/v1/search/", {}),
        ("/api/v1/categories/", "/api/v1/categories/", {}),
        ("/api/v1/tags/", "/api/v1/tags/", {}),
        ("/api/v1/tags/", "/api/v1/tags/", token),
        ("/api/v1/tags/{slug}/", f"/api/v1/tags/{tag.slug}/", {}),
        ("/api/v1/authors/", "/api/v1/authors/?kind=person", {}),
        ("/api/v1/authors/{slug}/", f"/api/v1/authors/{newsroom.zhang.slug}/", {}),
        ("/api/v1/authors/{slug}/", "/api/v1/authors/nobody/", {}),
    ]
    statuses = set()
    for template, address, headers in calls:
        response = client.get(address, headers=headers)
        statuses.add(response.status_code)
        api_schema[template]["GET"].validate_response(response)
    assert statuses == {200, 400, 401, 403, 404}
