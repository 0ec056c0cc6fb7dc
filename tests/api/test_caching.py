"""The API's cache rules are the reader pages': validators, 304s, the page cache; CORS for configured
origins; the schema and its documentation page."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit_on(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


LIST = "/api/v1/articles/"


def test_answers_carry_etag_and_last_modified_and_answer_conditional_gets(client, newsroom):
    first = client.get(LIST)
    assert first["ETag"] and first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=0, s-maxage=600, must-revalidate"
    assert "Authorization" in first["Vary"] and "Cookie" in first["Vary"]
    assert client.get(LIST, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(LIST, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304


def test_a_cached_answer_makes_no_query(client, newsroom, django_assert_num_queries):
    for address in (LIST, f"{LIST}{newsroom.phone.slug}/", "/api/v1/categories/", "/api/v1/search/?q=华为"):
        assert client.get(address)["X-Cache"] == "miss"
        with django_assert_num_queries(0):
            again = client.get(address)
        assert again["X-Cache"] == "hit" and again.status_code == 200


def test_a_change_gives_a_new_etag(client, newsroom, django_capture_on_commit_callbacks):
    before = client.get(LIST)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        newsroom.chip.title = "芯片产业再进展"
        newsroom.chip.save()
    after = client.get(LIST)
    assert after["ETag"] != before and "芯片产业再进展" in after.content.decode()


def test_answers_name_what_they_show_so_that_a_change_purges_exactly_them(client, newsroom, commit_on):
    listing = client.get(LIST)
    detail = client.get(f"{LIST}{newsroom.phone.slug}/")
    named = set(listing["Surrogate-Key"].split())
    assert {"list", f"article-{newsroom.chip.pk}", f"article-{newsroom.phone.pk}"} <= named
    assert "all" not in named
    assert f"article-{newsroom.phone.pk}" in detail["Surrogate-Key"].split()
    assert f"article-{newsroom.chip.pk}" not in detail["Surrogate-Key"].split()
    assert "search" in client.get("/api/v1/search/?q=华为")["Surrogate-Key"].split()
    # Editing another article leaves the phone's answer cached; the list shows both, so it goes.
    with commit_on():
        newsroom.chip.title = "芯片产业再进展"
        newsroom.chip.save()
    assert client.get(f"{LIST}{newsroom.phone.slug}/")["X-Cache"] == "hit"
    assert client.get(LIST)["X-Cache"] == "miss"


def test_errors_are_never_cached(client, newsroom):
    for _ in range(2):
        response = client.get(LIST, {"page": "x"})
        assert response.status_code == 400 and "X-Cache" not in response


def test_configured_origins_may_read_the_api(client, newsroom, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    response = client.get(LIST, HTTP_ORIGIN="https://app.example.com")
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    # From the page cache too: the header is added outside it, for each origin.
    again = client.get(LIST, HTTP_ORIGIN="https://app.example.com")
    assert again["X-Cache"] == "hit" and again["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "Access-Control-Allow-Origin" not in client.get(LIST, HTTP_ORIGIN="https://evil.example.net")
    assert "Access-Control-Allow-Origin" not in client.get("/", HTTP_ORIGIN="https://app.example.com")


def test_a_preflight_request_is_answered_for_configured_origins(client, settings):
    settings.CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
    response = client.options(
        LIST,
        HTTP_ORIGIN="https://app.example.com",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "authorization" in response["Access-Control-Allow-Headers"]


def test_the_schema_is_openapi_json(client, db):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200 and "json" in response["Content-Type"]
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/articles/",
        "/api/v1/articles/{slug}/",
        "/api/v1/articles/by-id/{id}/",
        "/api/v1/categories/",
        "/api/v1/tags/",
        "/api/v1/authors/",
        "/api/v1/search/",
    ):
        assert path in schema["paths"], path
    names = {parameter["name"] for parameter in schema["paths"]["/api/v1/articles/"]["get"]["parameters"]}
    assert {"category", "tag", "author", "published_after", "updated_since", "featured", "page"} <= names


def test_the_documentation_page_loads_only_local_assets(client, db):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    addresses = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert addresses and all(
        address.startswith("/") and not address.startswith("//") for address in addresses
    )
    assert any("swagger-ui" in address for address in addresses)
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "/api/v1/schema/" in script.content.decode()


def test_the_index_lists_the_endpoints(client, db):
    endpoints = client.get("/api/v1/").json()["endpoints"]
    assert endpoints["articles"] == "http://testserver/api/v1/articles/"
    assert set(endpoints) == {"articles", "categories", "tags", "authors", "search", "schema", "docs"}
