"""The search endpoint: the site's own Chinese search, as JSON."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db


def test_a_two_character_chinese_word_is_found(client, newsroom):
    body = client.get("/api/v1/search/", {"q": "张勇"}).json()
    assert body["count"] == 1 and body["results"][0]["title"] == "华为发布新手机"
    assert "<mark>张勇</mark>" in body["results"][0]["snippet"]


def test_title_matches_come_first(client, db):
    factories.article("其他新闻", body="<p>内容提到芯片。</p>", days_ago=1)
    factories.article("芯片专题", body="<p>内容。</p>", days_ago=5)
    assert [item["title"] for item in client.get("/api/v1/search/", {"q": "芯片"}).json()["results"]] == [
        "芯片专题",
        "其他新闻",
    ]


def test_mixed_latin_and_chinese_queries(client, db):
    factories.article("Win11 隐藏功能曝光")
    factories.article("Win10 新闻")
    assert client.get("/api/v1/search/", {"q": "Win11 隐藏功能"}).json()["count"] == 1


def test_unpublished_articles_are_never_found(client, newsroom):
    for title in ("草稿文章", "待审文章", "归档文章", "定时文章"):
        assert client.get("/api/v1/search/", {"q": title}).json()["count"] == 0


def test_search_results_are_paged_and_take_fields(client, db):
    for number in range(5):
        factories.article(f"天气预报{number}", days_ago=number + 1)
    body = client.get("/api/v1/search/", {"q": "天气", "page_size": 2, "page": 3, "fields": "title"}).json()
    assert (body["count"], body["pages"]) == (5, 3)
    assert body["results"] == [{"title": "天气预报4", "snippet": body["results"][0]["snippet"]}]


def test_a_snippet_is_escaped_html(client, db):
    factories.article("安全", summary="<script>alert(1)</script> 安全公告")
    snippet = client.get("/api/v1/search/", {"q": "安全"}).json()["results"][0]["snippet"]
    assert "<script>" not in snippet and "&lt;script&gt;" in snippet


def test_the_words_are_required(client, db):
    for query in ({}, {"q": ""}, {"q": "   "}):
        response = client.get("/api/v1/search/", query)
        assert response.status_code == 400 and list(response.json()["errors"]) == ["q"]
