"""Categories (the tree), tags and authors."""

import pytest

from articles.models import Category
from tests import factories

pytestmark = pytest.mark.django_db


def test_categories_come_as_a_tree_in_their_order(client, newsroom):
    factories.category_path("科技", "芯片")
    Category.objects.filter(pk=newsroom.finance.pk).update(sort_order=0)
    Category.objects.filter(pk=newsroom.tech.pk).update(sort_order=1)
    tree = client.get("/api/v1/categories/").json()
    assert [node["name"] for node in tree] == ["财经", "科技"]
    tech = tree[1]
    assert (
        tech["path"] == newsroom.tech.path
        and tech["url"] == f"http://testserver/category/{newsroom.tech.path}/"
    )
    assert [child["name"] for child in tech["children"]] == ["手机", "芯片"]
    assert tech["children"][0]["path"] == newsroom.phones.path and tech["children"][0]["children"] == []


def test_categories_take_one_query(
    client, newsroom, no_page_cache, warm_epoch, django_assert_max_num_queries
):
    warm_epoch()
    with django_assert_max_num_queries(1):
        assert client.get("/api/v1/categories/").status_code == 200


def test_tags_of_published_articles_by_name(client, newsroom):
    body = client.get("/api/v1/tags/").json()
    names = [tag["name"] for tag in body["results"]]
    assert body["count"] == 3 and sorted(names) == sorted(["华为", "手机", "芯片"])
    assert "秘密标签" not in names


def test_a_tag_by_its_slug(client, newsroom):
    tag = newsroom.phone.tags.get(name="华为")
    assert client.get(f"/api/v1/tags/{tag.slug}/").json() == {
        "name": "华为",
        "slug": tag.slug,
        "url": f"http://testserver/tag/{tag.slug}/",
    }
    secret = newsroom.draft.tags.get()
    assert client.get(f"/api/v1/tags/{secret.slug}/").status_code == 404


def test_authors_of_published_articles_bylines_and_editors(client, newsroom):
    names = [author["name"] for author in client.get("/api/v1/authors/").json()["results"]]
    assert sorted(names) == sorted(["张三", "李四", "新华社", "王编辑"])
    assert "未发表作者" not in names


def test_authors_by_kind(client, newsroom):
    found = client.get("/api/v1/authors/", {"kind": "organisation"}).json()["results"]
    assert [author["name"] for author in found] == ["新华社"]


def test_an_author_by_their_slug(client, newsroom):
    newsroom.zhang.bio = "科技记者"
    newsroom.zhang.save()
    body = client.get(f"/api/v1/authors/{newsroom.zhang.slug}/").json()
    assert body == {
        "id": newsroom.zhang.pk,
        "name": "张三",
        "slug": newsroom.zhang.slug,
        "kind": "person",
        "url": f"http://testserver/author/{newsroom.zhang.slug}/",
        "bio": "科技记者",
        "website": "",
        "avatar": None,
        "api_url": f"http://testserver/api/v1/authors/{newsroom.zhang.slug}/",
    }
    assert client.get("/api/v1/authors/no-such-person/").status_code == 404


def test_tag_and_author_lists_are_paged(client, newsroom):
    body = client.get("/api/v1/authors/", {"page_size": 3, "page": 2}).json()
    assert (body["count"], body["pages"], len(body["results"])) == (4, 2, 1)
