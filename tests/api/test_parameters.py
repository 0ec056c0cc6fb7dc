"""Bad input is a 400 whose JSON names the parameter and says why; never a 500."""

import pytest

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles/"


def refused(response) -> dict:
    """Return the errors of a 400 answer, by parameter."""
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["detail"]
    return body["errors"]


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("page", "abc"),
        ("page", "0"),
        ("page", "-1"),
        ("page", "1.5"),
        ("page", "１"),
        ("page", "99999999999999999999999"),
        ("page_size", "0"),
        ("page_size", "101"),
        ("published_after", "yesterday"),
        ("published_after", "2024-13-01"),
        ("published_before", "2024-02-30T10:00:00"),
        ("updated_since", "0001-01-01T00:00:00+08:00"),
        ("updated_since", "9999-12-31T23:59:59-08:00"),
        ("featured", "maybe"),
        ("ordering", "title"),
        ("status", "secret"),
        ("fields", "title,password"),
        ("fields", ","),
        ("category", "../etc"),
        ("category", "科技"),
        ("tag", "a b"),
        ("author", "x\x00y"),
    ],
)
def test_a_bad_value_is_refused_naming_the_parameter(client, newsroom, parameter, value):
    assert list(refused(client.get(LIST, {parameter: value}))) == [parameter]


def test_any_offset_iso_8601_allows_is_understood(client, newsroom):
    # PostgreSQL itself refuses offsets beyond ±15:59.
    far_east = "2000-01-01T00:00:00+23:45"
    assert client.get(LIST, {"published_after": far_east}).json()["count"] == 3
    assert client.get(LIST, {"published_before": far_east}).json()["count"] == 0


@pytest.mark.parametrize("parameter", ["category", "tag", "author"])
def test_a_category_tag_or_author_that_does_not_exist_is_refused(client, newsroom, parameter):
    errors = refused(client.get(LIST, {parameter: "no-such-thing"}))
    assert list(errors) == [parameter]


def test_a_known_tag_with_no_visible_article_is_an_empty_list_not_an_error(client, newsroom):
    secret = newsroom.draft.tags.get()
    assert client.get(LIST, {"tag": secret.slug}).json()["count"] == 0


def test_a_page_past_the_end_is_refused(client, newsroom):
    errors = refused(client.get(LIST, {"page": 2}))
    assert list(errors) == ["page"] and "1" in errors["page"][0]


def test_an_unknown_parameter_is_refused_with_the_ones_accepted(client, newsroom):
    errors = refused(client.get(LIST, {"categroy": "keji"}))
    assert "category" in errors["categroy"][0]


def test_a_parameter_given_twice_is_refused(client, newsroom):
    assert list(refused(client.get(f"{LIST}?page=1&page=2"))) == ["page"]


def test_every_bad_parameter_is_named_at_once(client, newsroom):
    assert set(refused(client.get(LIST, {"page": "x", "featured": "x", "published_after": "x"}))) == {
        "page",
        "featured",
        "published_after",
    }


def test_endpoints_without_parameters_refuse_any(client, newsroom):
    for address in ("/api/v1/categories/", f"/api/v1/authors/{newsroom.zhang.slug}/", "/api/v1/"):
        assert list(refused(client.get(address, {"x": "1"}))) == ["x"]


def test_bad_parameters_of_an_article_search_and_lists(client, newsroom):
    assert list(refused(client.get(f"{LIST}{newsroom.phone.slug}/", {"fields": "nope"}))) == ["fields"]
    assert list(refused(client.get("/api/v1/search/", {"q": "x" * 101}))) == ["q"]
    assert list(refused(client.get("/api/v1/search/", {"q": "a\x01b"}))) == ["q"]
    assert list(refused(client.get("/api/v1/authors/", {"kind": "robot"}))) == ["kind"]
    assert list(refused(client.get("/api/v1/tags/", {"page_size": "1000"}))) == ["page_size"]


def test_errors_follow_the_clients_language(client, newsroom):
    english = client.get(LIST, {"page": "x"}, HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get(LIST, {"page": "x"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert english["errors"]["page"] == ["Give a whole number from 1 to 10000."]
    assert chinese["errors"]["page"] != english["errors"]["page"]


def test_an_address_that_names_no_endpoint_is_404_in_json(client, db):
    response = client.get("/api/v1/nothing/here/")
    assert response.status_code == 404 and response.json()["detail"]
    assert client.get("/api/v1/articles").status_code == 301


def test_only_reading_is_allowed(client, newsroom):
    response = client.post(LIST, {"title": "x"})
    assert response.status_code == 405 and response.json()["detail"]
    assert client.delete(f"{LIST}{newsroom.phone.slug}/").status_code == 405
