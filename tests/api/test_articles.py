"""The article endpoints: what an article says, every filter, ordering, pages, fields, query counts."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from articles.models import Article
from tests import factories
from tests.api.conftest import titles

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles/"


class TestArticleList:
    def test_lists_what_readers_see_newest_first(self, client, newsroom):
        assert titles(client.get(LIST)) == ["华为发布新手机", "芯片产业新进展", "股市收盘"]

    def test_gives_counts_and_links_to_the_next_and_previous_pages(self, client, newsroom):
        first = client.get(LIST, {"page_size": 2}).json()
        assert (first["count"], first["page"], first["pages"], first["page_size"]) == (3, 1, 2, 2)
        assert first["previous"] is None
        assert first["next"] == "http://testserver/api/v1/articles/?page_size=2&page=2"
        second = client.get(first["next"]).json()
        assert [item["title"] for item in second["results"]] == ["股市收盘"]
        assert (
            second["next"] is None and second["previous"] == "http://testserver/api/v1/articles/?page_size=2"
        )

    def test_an_empty_list_is_a_page_of_nothing(self, client, db):
        body = client.get(LIST).json()
        assert (body["count"], body["pages"], body["results"]) == (0, 1, [])

    def test_a_list_item_carries_all_but_the_long_texts(self, client, newsroom):
        item = client.get(LIST).json()["results"][0]
        assert "body" not in item and "credits" not in item and "rights_notice" not in item
        assert item["title"] == "华为发布新手机" and item["summary"] == "华为今天发布了新款手机。"
        assert [byline["name"] for byline in item["bylines"]] == ["张三", "新华社"]
        assert [tag["name"] for tag in item["tags"]] == ["华为", "手机"]

    def test_fields_chooses_what_each_item_carries(self, client, newsroom):
        item = client.get(LIST, {"fields": "id,title,body"}).json()["results"][0]
        assert item == {"id": newsroom.phone.pk, "title": "华为发布新手机", "body": newsroom.phone.body}


class TestFilters:
    def test_category_includes_its_sub_categories(self, client, newsroom):
        assert titles(client.get(LIST, {"category": newsroom.tech.path})) == [
            "华为发布新手机",
            "芯片产业新进展",
        ]
        assert titles(client.get(LIST, {"category": newsroom.phones.path})) == ["华为发布新手机"]
        assert titles(client.get(LIST, {"category": newsroom.finance.path + "/"})) == ["股市收盘"]

    def test_tag(self, client, newsroom):
        assert titles(client.get(LIST, {"tag": newsroom.phone.tags.get(name="华为").slug})) == [
            "华为发布新手机"
        ]

    def test_author_in_any_byline_position(self, client, newsroom):
        assert titles(client.get(LIST, {"author": newsroom.li.slug})) == ["芯片产业新进展", "股市收盘"]
        assert titles(client.get(LIST, {"author": newsroom.agency.slug})) == ["华为发布新手机"]

    def test_publication_time_range_after_inclusive_before_exclusive(self, client, newsroom):
        after = timezone.localtime(newsroom.chip.published_at).isoformat()
        assert titles(client.get(LIST, {"published_after": after})) == ["华为发布新手机", "芯片产业新进展"]
        assert titles(client.get(LIST, {"published_before": after})) == ["股市收盘"]
        both = {"published_after": after, "published_before": newsroom.phone.published_at.isoformat()}
        assert titles(client.get(LIST, both)) == ["芯片产业新进展"]

    def test_a_date_without_a_time_is_the_start_of_that_day_in_shanghai(self, client, db):
        midnight = dt.datetime(2024, 5, 1, 0, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
        factories.article("五月一日零点", published_at=midnight, status="published")
        factories.article(
            "四月三十日深夜", published_at=midnight - dt.timedelta(minutes=1), status="published"
        )
        assert titles(client.get(LIST, {"published_after": "2024-05-01"})) == ["五月一日零点"]
        assert titles(client.get(LIST, {"published_before": "2024-05-01T00:00:00"})) == ["四月三十日深夜"]

    def test_an_unencoded_plus_in_the_offset_is_understood(self, client, newsroom):
        after = timezone.localtime(newsroom.chip.published_at).strftime("%Y-%m-%dT%H:%M:%S.%f")
        response = client.get(f"{LIST}?published_after={after}+08:00")
        assert titles(response) == ["华为发布新手机", "芯片产业新进展"]

    def test_updated_since_finds_changed_articles_and_those_that_appeared_since(self, client, newsroom):
        since = timezone.now() + dt.timedelta(minutes=1)
        Article.objects.filter(pk=newsroom.market.pk).update(updated_at=since + dt.timedelta(seconds=1))
        # Saved long ago, appearing (published) only after the client last synchronised.
        Article.objects.filter(pk=newsroom.chip.pk).update(published_at=since + dt.timedelta(seconds=2))
        with_later_clock = since + dt.timedelta(minutes=5)
        with time_machine.travel(with_later_clock, tick=False):
            found = titles(client.get(LIST, {"updated_since": since.isoformat()}))
        assert found == ["芯片产业新进展", "股市收盘"]

    def test_featured(self, client, newsroom):
        assert titles(client.get(LIST, {"featured": "true"})) == ["华为发布新手机"]
        assert titles(client.get(LIST, {"featured": "false"})) == ["芯片产业新进展", "股市收盘"]

    def test_filters_combine(self, client, newsroom):
        assert titles(client.get(LIST, {"category": newsroom.tech.path, "author": newsroom.li.slug})) == [
            "芯片产业新进展"
        ]

    @pytest.mark.parametrize(
        ("ordering", "expected"),
        [
            ("-published_at", ["华为发布新手机", "芯片产业新进展", "股市收盘"]),
            ("published_at", ["股市收盘", "芯片产业新进展", "华为发布新手机"]),
            ("updated_at", ["华为发布新手机", "芯片产业新进展", "股市收盘"]),
            ("-updated_at", ["股市收盘", "芯片产业新进展", "华为发布新手机"]),
        ],
    )
    def test_ordering(self, client, newsroom, ordering, expected):
        assert titles(client.get(LIST, {"ordering": ordering})) == expected

    def test_articles_published_at_the_same_time_keep_one_order_across_pages(self, client, db):
        moment = timezone.now() - dt.timedelta(hours=1)
        made = [
            factories.article(f"同时{number}", published_at=moment, status="published") for number in range(5)
        ]
        seen = []
        for page in (1, 2, 3):
            seen += titles(client.get(LIST, {"page_size": 2, "page": page}))
        assert seen == [article.title for article in reversed(made)]


class TestArticleDetail:
    def test_by_slug_carries_everything_a_client_renders(self, client, newsroom):
        article = newsroom.phone
        body = client.get(f"/api/v1/articles/{article.slug}/").json()
        assert body["id"] == article.pk and body["slug"] == article.slug
        assert (body["title"], body["subtitle"], body["summary"]) == (
            "华为发布新手机",
            "折叠屏",
            "华为今天发布了新款手机。",
        )
        assert body["body"] == "<p>华为在深圳发布新款折叠屏手机，张勇出席。</p>"
        assert body["status"] == "published" and body["featured"] is True
        assert body["published_at"] == timezone.localtime(article.published_at).isoformat(timespec="seconds")
        assert body["published_at"].endswith("+08:00")
        assert body["updated_at"].endswith("+08:00")
        assert body["url"] == f"http://testserver/articles/{article.slug}/"
        assert body["api_url"] == f"http://testserver/api/v1/articles/{article.slug}/"
        assert body["category"]["path"] == newsroom.phones.path and body["category"]["name"] == "手机"
        assert [(part["name"], part["path"]) for part in body["category_path"]] == [
            ("科技", newsroom.tech.path),
            ("手机", newsroom.phones.path),
        ]
        assert body["category_path"][0]["url"] == f"http://testserver/category/{newsroom.tech.path}/"
        assert [(b["name"], b["kind"]) for b in body["bylines"]] == [
            ("张三", "person"),
            ("新华社", "organisation"),
        ]
        assert body["bylines"][0]["url"] == f"http://testserver/author/{newsroom.zhang.slug}/"
        assert body["editor"]["name"] == "王编辑"
        assert [tag["name"] for tag in body["tags"]] == ["华为", "手机"]
        assert (body["source_name"], body["source_url"]) == ("新浪科技", "https://tech.sina.com.cn/doc.shtml")
        assert body["lead_image"] == {
            "url": "https://img.example.com/lead.jpg",
            "srcset": "",
            "renditions": [],
            "caption": "发布会现场",
            "credit": "",
        }
        assert (body["credits"], body["rights_notice"]) == ("作者：张三", "本文由新浪科技原创发布")

    def test_by_id_is_the_same_article(self, client, newsroom):
        by_slug = client.get(f"/api/v1/articles/{newsroom.phone.slug}/").json()
        assert client.get(f"/api/v1/articles/by-id/{newsroom.phone.pk}/").json() == by_slug

    def test_an_article_without_category_editor_or_image_has_nulls(self, client, db):
        article = factories.article("简讯")
        body = client.get(f"/api/v1/articles/{article.slug}/").json()
        assert (body["category"], body["category_path"], body["editor"], body["lead_image"]) == (
            None,
            [],
            None,
            None,
        )

    def test_an_uploaded_lead_image_carries_its_renditions_as_srcset(self, client, db, media):
        article = factories.article_with_lead_image(size=(1200, 600))
        image = client.get(f"/api/v1/articles/{article.slug}/").json()["lead_image"]
        assert image["url"] == f"http://testserver/media/{article.lead_image.name}"
        assert [copy["width"] for copy in image["renditions"]] == [480, 960, 1200]
        assert image["srcset"] == ", ".join(f"{copy['url']} {copy['width']}w" for copy in image["renditions"])
        assert image["renditions"][0]["url"].startswith("http://testserver/media/renditions/")

    def test_fields_chooses_what_the_article_carries(self, client, newsroom):
        body = client.get(f"/api/v1/articles/{newsroom.phone.slug}/", {"fields": "title,tags"}).json()
        assert list(body) == ["title", "tags"]

    def test_an_old_slug_redirects_to_the_article(self, client, newsroom):
        old = newsroom.phone.slug
        newsroom.phone.slug = "hua-wei-xin-ji"
        newsroom.phone.save()
        response = client.get(f"/api/v1/articles/{old}/", {"fields": "title"})
        assert response.status_code == 301
        assert response["Location"] == "/api/v1/articles/hua-wei-xin-ji/?fields=title"

    def test_unknown_slug_and_id_are_404_in_json(self, client, db):
        for address in ("/api/v1/articles/no-such-article/", "/api/v1/articles/by-id/999999/"):
            response = client.get(address)
            assert response.status_code == 404 and "detail" in response.json()

    def test_an_id_beyond_the_database_range_is_404_not_an_error(self, client, db):
        assert client.get(f"/api/v1/articles/by-id/{2**64}/").status_code == 404


class TestQueryCounts:
    @pytest.fixture
    def archive(self, db):
        section = factories.category_path("新闻", "国内")
        people = [factories.author(f"作者{number}") for number in range(3)]
        editor = factories.author("编辑")
        for number in range(30):
            article = factories.article(f"文章{number}", days_ago=number + 1, category=section, editor=editor)
            article.tags.add(f"标签{number % 4}", f"话题{number % 3}")
            for position, person in enumerate(people[: 1 + number % 3]):
                article.bylines.create(author=person, position=position)
        return section

    @pytest.mark.parametrize("size", [1, 10, 30])
    def test_a_list_takes_three_queries_whatever_the_page_size(
        self, client, archive, no_page_cache, warm_epoch, django_assert_max_num_queries, size
    ):
        # Its count, its rows with their category and editor, then every byline and tag of the page.
        warm_epoch()
        for query in ({}, {"category": archive.path, "tag": "biao-qian-1", "featured": "false"}, {"page": 2}):
            with django_assert_max_num_queries(3):
                response = client.get(LIST, {"page_size": size, **query})
            assert response.status_code in (200, 400)
        with django_assert_max_num_queries(3):
            assert len(client.get(LIST, {"page_size": size}).json()["results"]) == size

    def test_an_article_takes_at_most_three_queries(
        self, client, archive, no_page_cache, warm_epoch, django_assert_max_num_queries
    ):
        article = Article.objects.published().first()
        warm_epoch()
        for address in (f"/api/v1/articles/{article.slug}/", f"/api/v1/articles/by-id/{article.pk}/"):
            with django_assert_max_num_queries(3):
                assert client.get(address).status_code == 200

    def test_search_takes_three_queries(
        self, client, archive, no_page_cache, warm_epoch, django_assert_max_num_queries
    ):
        warm_epoch()
        with django_assert_max_num_queries(3):
            assert client.get("/api/v1/search/", {"q": "文章", "page_size": 30}).json()["count"] == 30
