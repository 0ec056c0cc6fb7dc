import datetime as dt

import feedparser
import pytest
from django.utils import timezone

from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles():
    section = factories.category_path("新媒体", "cnBeta", "最新")
    first = factories.article("特斯拉续航实测", summary="表显里程打62折。", category=section, days_ago=2)
    first.tags.add("特斯拉")
    first.bylines.create(author=factories.author("王小明"))
    second = factories.article(
        "芯片短缺缓解", category=factories.category_path("新媒体", "199IT"), days_ago=1
    )
    second.tags.add("芯片")
    factories.article("草稿", published=False)
    factories.article("定时发布", published_at=timezone.now() + dt.timedelta(hours=3))
    return first, second


def parse(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


@pytest.mark.parametrize("kind, version", [("rss", "rss20"), ("atom", "atom10")])
def test_site_feed_lists_visible_articles_newest_first(client, articles, kind, version):
    response, feed = parse(client, f"/{kind}.xml")
    assert feed.version == version
    assert [entry.title for entry in feed.entries] == ["芯片短缺缓解", "特斯拉续航实测"]
    entry = feed.entries[1]
    assert entry.link == f"http://testserver{articles[0].get_absolute_url()}"
    assert entry.author == "王小明"
    assert [tag.term for tag in entry.tags] == ["特斯拉"]
    assert "表显里程" in entry.summary
    assert entry.published_parsed[:6] == articles[0].published_at.utctimetuple()[:6]


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_category_feed_includes_sub_categories(client, articles, kind):
    _, feed = parse(client, f"/category/xin-mei-ti/{kind}.xml")
    assert len(feed.entries) == 2
    _, feed = parse(client, f"/category/xin-mei-ti/cnbeta/zui-xin/{kind}.xml")
    assert [entry.title for entry in feed.entries] == ["特斯拉续航实测"]
    assert "最新" in feed.feed.title


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_tag_and_author_feeds(client, articles, kind):
    _, feed = parse(client, f"/tag/xin-pian/{kind}.xml")
    assert [entry.title for entry in feed.entries] == ["芯片短缺缓解"]
    _, feed = parse(client, f"/author/wang-xiao-ming/{kind}.xml")
    assert [entry.title for entry in feed.entries] == ["特斯拉续航实测"]


def test_feeds_of_unknown_objects_are_not_found(client):
    assert client.get("/tag/nothing/rss.xml").status_code == 404
    assert client.get("/category/nothing/atom.xml").status_code == 404
    assert client.get("/author/nobody/rss.xml").status_code == 404


def test_feed_answers_conditional_get(client, articles):
    response = client.get("/rss.xml")
    assert client.get("/rss.xml", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    assert client.get("/rss.xml", HTTP_IF_MODIFIED_SINCE=response["Last-Modified"]).status_code == 304


def test_pages_advertise_their_feed(client, articles):
    html = client.get("/category/xin-mei-ti/").content.decode()
    assert 'type="application/rss+xml"' in html and 'href="/category/xin-mei-ti/rss.xml"' in html


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_item_ids_do_not_follow_the_host_header(client, articles, settings, kind):
    settings.ALLOWED_HOSTS = ["news.example.com", "evil.example.org", "testserver"]
    _, first = parse(client, f"/{kind}.xml")
    response = client.get(f"/{kind}.xml", HTTP_HOST="evil.example.org")
    second = feedparser.parse(response.content)
    ids = [entry.id for entry in first.entries]
    assert ids == [entry.id for entry in second.entries]
    created = articles[1].created_at.astimezone(dt.UTC)
    assert ids[0] == f"tag:news.example.com,{created:%Y-%m-%d}:articles/{articles[1].pk}"


def test_item_ids_survive_a_new_address(client, articles, django_capture_on_commit_callbacks):
    _, before = parse(client, "/rss.xml")
    with django_capture_on_commit_callbacks(execute=True):
        articles[1].slug = "xin-de-di-zhi"
        articles[1].save()
    _, after = parse(client, "/rss.xml")
    assert before.entries[0].id == after.entries[0].id
    assert after.entries[0].link.endswith("/articles/xin-de-di-zhi/")


def test_site_url_makes_every_feed_address(client, articles, settings):
    settings.NEWSROOM_SITE_URL = "https://news.example.com"
    _, feed = parse(client, "/atom.xml")
    assert feed.entries[0].id.startswith("tag:news.example.com,")
    assert feed.entries[0].link.startswith("https://news.example.com/articles/")


def test_feeds_keep_nothing_of_a_request(client, articles):
    from django.urls import resolve

    feed = resolve("/rss.xml").func.__wrapped__
    before = dict(vars(feed))
    parse(client, "/rss.xml")
    assert vars(feed) == before
