"""The page cache: hits cost no query, every change readers can see shows at once and forgets only
the pages that show it, scheduled articles appear on time, and the HTTP caching rules."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from articles.cache import invalidation
from articles.models import Article, Purge
from tests import factories
from tests.admin_forms import change_form_data, editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Run what the code defers to the end of the transaction, as a real commit would."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


@pytest.fixture
def editor_client():
    client = Client()
    client.force_login(editor())
    return client


def cached(client, *addresses):
    """Fill the cache with ``addresses`` and check each is then a hit."""
    for address in addresses:
        assert client.get(address).status_code == 200, address
        assert client.get(address)["X-Cache"] == "hit", address


def s_maxage(response) -> int:
    for part in response["Cache-Control"].split(","):
        name, _, value = part.strip().partition("=")
        if name == "s-maxage":
            return int(value)
    raise AssertionError(f"no s-maxage in {response['Cache-Control']!r}")


class TestHits:
    def test_a_cache_hit_makes_no_query(self, client, django_assert_num_queries):
        article = factories.article("缓存")
        for address in ("/", article.get_absolute_url(), "/search/?q=缓存", "/rss.xml"):
            assert client.get(address)["X-Cache"] == "miss"
            with django_assert_num_queries(0):
                response = client.get(address)
            assert response["X-Cache"] == "hit" and response.status_code == 200

    def test_a_cache_hit_keeps_the_headers_of_the_first_answer(self, client):
        article = factories.article("缓存")
        first = client.get(article.get_absolute_url())
        again = client.get(article.get_absolute_url())
        assert again["X-Cache"] == "hit" and again.content == first.content
        for header in ("Content-Type", "ETag", "Last-Modified", "Vary", "Content-Language", "Surrogate-Key"):
            assert again[header] == first[header], header
        # Added by middleware inside the page cache's, which a hit skips.
        assert again["X-Frame-Options"] == "DENY"
        # What a shared cache may keep counts down from the first answer's.
        assert 0 < s_maxage(again) <= s_maxage(first)

    def test_a_cache_hit_answers_conditional_get(self, client):
        article = factories.article("缓存")
        first = client.get(article.get_absolute_url())
        again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again["X-Cache"] == "hit" and again["ETag"] == first["ETag"]

    def test_pages_that_are_not_public_pages_are_never_stored_nor_shared(self, client):
        client.get("/admin/login/")
        response = client.get("/admin/login/")
        assert "X-Cache" not in response and "private" in response["Cache-Control"]
        missing = client.get("/articles/no-such-article/")
        assert missing.status_code == 404 and "private" in missing["Cache-Control"]

    def test_not_found_is_not_cached(self, client, commit):
        client.get("/articles/later/")
        commit(factories.article, "稍后", slug="later")
        assert client.get("/articles/later/").status_code == 200

    def test_languages_are_cached_apart(self, client):
        factories.article("新闻")
        chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<html lang="zh-hans">' in chinese and '<html lang="en">' in english

    def test_page_cache_can_be_turned_off(self, client, settings):
        settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
        client.get("/")
        response = client.get("/")
        assert "X-Cache" not in response and s_maxage(response) == 0


class TestChangesShowAtOnce:
    def test_publishing_shows_at_once(self, client, commit):
        client.get("/")
        commit(factories.article, "新发布")
        assert "新发布" in client.get("/").content.decode()

    def test_editing_shows_at_once(self, client, commit):
        article = commit(factories.article, "旧标题")
        cached(client, article.get_absolute_url(), "/")
        article.title = "新标题"
        commit(article.save)
        assert "新标题" in client.get(article.get_absolute_url()).content.decode()
        assert "新标题" in client.get("/").content.decode()

    def test_unpublishing_hides_at_once(self, client, commit):
        article = commit(factories.article, "撤稿")
        cached(client, article.get_absolute_url(), "/")
        article.status = Article.Status.DRAFT
        commit(article.save)
        assert client.get(article.get_absolute_url()).status_code == 404
        assert "撤稿" not in client.get("/").content.decode()

    def test_deleting_hides_at_once(self, client, commit):
        article = commit(factories.article, "删除")
        cached(client, "/")
        commit(article.delete)
        assert "删除" not in client.get("/").content.decode()

    def test_tag_and_byline_changes_show_at_once(self, client, commit):
        article = commit(factories.article, "标签")
        cached(client, article.get_absolute_url())
        commit(article.tags.add, "新标签")
        assert "#新标签" in client.get(article.get_absolute_url()).content.decode()
        commit(article.bylines.create, author=factories.author("新作者"))
        assert "新作者" in client.get(article.get_absolute_url()).content.decode()

    def test_renaming_a_tag_or_an_author_shows_on_the_pages_that_name_them(self, client, commit):
        article = commit(factories.article, "署名")
        person = commit(factories.author, "原名")
        commit(article.bylines.create, author=person)
        commit(article.tags.add, "旧标签")
        cached(client, article.get_absolute_url())
        tag = article.tags.get()
        tag.name = "新标签名"
        commit(tag.save)
        person.name = "新名字"
        commit(person.save)
        html = client.get(article.get_absolute_url()).content.decode()
        assert "#新标签名" in html and "新名字" in html

    def test_renaming_a_section_changes_the_navigation_of_every_page(self, client, commit):
        section = commit(factories.category_path, "科技")
        article = commit(factories.article, "导航", category=factories.category_path("财经"))
        cached(client, article.get_absolute_url(), "/")
        section.name = "科学"
        commit(section.save)
        assert "科学" in client.get("/").content.decode()
        assert "科学" in client.get(article.get_absolute_url()).content.decode()

    def test_publishing_between_two_articles_of_a_section_changes_their_previous_and_next(
        self, client, commit
    ):
        # Previous and next are the neighbours within the article's section (article_page.around).
        section = commit(factories.category_path, "要闻")
        older = commit(factories.article, "较早", days_ago=3, category=section)
        newer = commit(factories.article, "较新", days_ago=1, category=section)
        cached(client, older.get_absolute_url(), newer.get_absolute_url())
        commit(factories.article, "插在中间", days_ago=2, category=section)
        assert "插在中间" in client.get(older.get_absolute_url()).content.decode()
        assert "插在中间" in client.get(newer.get_absolute_url()).content.decode()

    def test_restoring_an_older_revision_of_a_published_article_shows_at_once(
        self, client, editor_client, commit
    ):
        # django-reversion writes a restored revision with a raw save: it must purge like any other.
        article = factories.article("修订", published=False)
        url = reverse("admin:articles_article_change", args=[article.pk])
        commit(editor_client.post, url, change_form_data(editor_client.get(url), title="草稿版"))
        published = change_form_data(
            editor_client.get(url),
            title="发布版",
            status="published",
            published_at_0="2024-01-02",
            published_at_1="08:00:00",
        )
        assert commit(editor_client.post, url, published).status_code == 302
        article.refresh_from_db()
        cached(client, article.get_absolute_url(), "/")
        older = Version.objects.get_for_object(article).filter(serialized_data__contains="草稿版").get()
        revision_url = reverse("admin:articles_article_revision", args=[article.pk, older.pk])
        form = change_form_data(editor_client.get(revision_url))
        assert commit(editor_client.post, revision_url, form).status_code == 302
        # A restore brings back the text and keeps the workflow state (issue 12).
        assert Article.objects.get(pk=article.pk).status == Article.Status.PUBLISHED
        assert "草稿版" in client.get(article.get_absolute_url()).content.decode()
        home = client.get("/").content.decode()
        assert "草稿版" in home and "发布版" not in home

    def test_uncommitted_changes_purge_nothing(self, client, django_capture_on_commit_callbacks):
        client.get("/")
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            factories.article("未提交")
        assert callbacks, "invalidation waits for the commit"
        assert client.get("/")["X-Cache"] == "hit"


class TestOnlyWhatChangedIsForgotten:
    def test_saving_a_draft_in_the_admin_leaves_every_cached_page_in_place(
        self, client, editor_client, commit
    ):
        section = factories.category_path("科技")
        published = commit(factories.article, "已发布", category=section)
        commit(published.tags.add, "芯片")
        draft = commit(factories.article, "草稿", published=False, category=section)
        commit(draft.tags.add, "芯片")
        pages = ["/", published.get_absolute_url(), section.get_absolute_url(), "/tag/xin-pian/", "/rss.xml"]
        cached(client, *pages)
        purges = Purge.objects.count()
        url = reverse("admin:articles_article_change", args=[draft.pk])
        for round_number in range(3):
            data = change_form_data(
                editor_client.get(url), body=f"<p>第{round_number}稿</p>", review_note="再改"
            )
            response = commit(editor_client.post, url, data)
            assert response.status_code == 302
        assert Article.objects.get(pk=draft.pk).version == 4
        assert Purge.objects.count() == purges
        for address in pages:
            assert client.get(address)["X-Cache"] == "hit", address

    def test_bookkeeping_saves_purge_nothing(self, client, commit):
        article = commit(factories.article, "记账")
        cached(client, "/", article.get_absolute_url())
        purges = Purge.objects.count()
        article.review_note = "内部备注"
        commit(article.save, update_fields=["review_note", "version", "updated_at"])
        assert Purge.objects.count() == purges
        assert client.get(article.get_absolute_url())["X-Cache"] == "hit"

    def test_editing_an_article_keeps_pages_that_do_not_show_it(self, client, commit):
        science, sport = factories.category_path("科学"), factories.category_path("体育")
        shown = commit(factories.article, "科学新闻", category=science)
        other = commit(factories.article, "体育新闻", category=sport, days_ago=5)
        cached(client, shown.get_absolute_url(), other.get_absolute_url(), science.get_absolute_url())
        cached(client, sport.get_absolute_url())
        shown.title = "科学新闻（更新）"
        commit(shown.save)
        assert client.get(sport.get_absolute_url())["X-Cache"] == "hit"
        assert client.get(science.get_absolute_url())["X-Cache"] == "miss"
        assert client.get(shown.get_absolute_url())["X-Cache"] == "miss"

    def test_publishing_in_one_section_keeps_another_sections_pages(self, client, commit):
        science, sport = factories.category_path("科学"), factories.category_path("体育")
        commit(factories.article, "体育旧闻", category=sport)
        cached(client, sport.get_absolute_url(), "/")
        commit(factories.article, "科学新闻", category=science)
        assert client.get(sport.get_absolute_url())["X-Cache"] == "hit"
        assert "科学新闻" in client.get("/").content.decode()

    def test_a_parent_section_shows_what_is_published_in_a_new_child_section(self, client, commit):
        parent = commit(factories.category_path, "新媒体")
        cached(client, parent.get_absolute_url())
        child = commit(factories.category_path, "新媒体", "快科技")
        commit(factories.article, "子栏目新闻", category=child)
        assert "子栏目新闻" in client.get(parent.get_absolute_url()).content.decode()


class TestScheduling:
    def test_scheduled_article_appears_on_time_despite_the_cache(self, client, commit):
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            commit(factories.article, "已发布")
            commit(factories.article, "定时发布", published_at=now + dt.timedelta(seconds=90))
            assert "定时发布" not in client.get("/").content.decode()
            response = client.get("/")
            assert response["X-Cache"] == "hit" and s_maxage(response) <= 90
        with time_machine.travel(now + dt.timedelta(seconds=89), tick=False):
            assert client.get("/")["X-Cache"] == "hit"
        with time_machine.travel(now + dt.timedelta(seconds=90, microseconds=1000), tick=False):
            assert "定时发布" in client.get("/").content.decode()

    def test_a_scheduled_article_shortens_only_the_pages_it_will_appear_on(self, client, commit):
        now = timezone.now()
        science, sport = factories.category_path("科学"), factories.category_path("体育")
        with time_machine.travel(now, tick=False):
            commit(factories.article, "体育旧闻", category=sport)
            commit(factories.article, "科学旧闻", category=science)
            commit(
                factories.article, "科学定时", category=science, published_at=now + dt.timedelta(seconds=90)
            )
            assert s_maxage(client.get(science.get_absolute_url())) <= 90
            assert s_maxage(client.get("/")) <= 90
            assert s_maxage(client.get(sport.get_absolute_url())) == 600

    def test_rescheduling_earlier_reaches_pages_cached_before(self, client, commit):
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            article = commit(factories.article, "改期", published_at=now + dt.timedelta(hours=1))
            cached(client, "/")
            article.published_at = now + dt.timedelta(seconds=30)
            commit(article.save)
            assert s_maxage(client.get("/")) <= 30
        with time_machine.travel(now + dt.timedelta(seconds=31), tick=False):
            assert "改期" in client.get("/").content.decode()

    def test_scheduled_article_page_is_not_served_early_from_a_not_found(self, client, commit):
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            article = commit(factories.article, "定时", published_at=now + dt.timedelta(hours=1))
            assert client.get(article.get_absolute_url()).status_code == 404
        with time_machine.travel(now + dt.timedelta(hours=1, seconds=1), tick=False):
            assert client.get(article.get_absolute_url()).status_code == 200


class TestHeaders:
    def test_public_pages_name_what_they_show_in_surrogate_key(self, client, commit):
        section = factories.category_path("科技")
        article = commit(factories.article, "键", category=section, editor=factories.author("编辑"))
        commit(article.tags.add, "芯片")
        commit(article.bylines.create, author=factories.author("记者"))
        tag = article.tags.get()
        home = set(client.get("/")["Surrogate-Key"].split())
        assert {"list", "nav", f"article-{article.pk}", f"category-{section.pk}"} <= home
        page = set(client.get(article.get_absolute_url())["Surrogate-Key"].split())
        assert {
            f"article-{article.pk}",
            f"category-{section.pk}",
            f"list-category-{section.pk}",
            f"tag-{tag.pk}",
            f"list-tag-{tag.pk}",
            f"author-{article.editor_id}",
            f"author-{article.bylines.get().author_id}",
            "nav",
        } <= page
        assert set(client.get(tag.get_absolute_url())["Surrogate-Key"].split()) >= {
            f"tag-{tag.pk}",
            f"list-tag-{tag.pk}",
        }
        assert client.get("/sitemap.xml")["Surrogate-Key"] == "sitemap"
        assert client.get("/robots.txt")["Surrogate-Key"] == "all"

    def test_shareable_pages_say_so_and_for_how_long(self, client):
        factories.article("新闻")
        response = client.get("/")
        directives = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"public", "max-age=0", "s-maxage=600", "must-revalidate"} == directives
        assert response["ETag"] and response["Last-Modified"]

    def test_readers_with_a_session_get_private_pages_from_outside_the_cache(self, client, django_user_model):
        factories.article("新闻")
        client.get("/")
        client.force_login(django_user_model.objects.create_user("editor"))
        response = client.get("/")
        assert "X-Cache" not in response and "Surrogate-Key" not in response
        assert response["Cache-Control"].startswith("private")

    def test_admin_and_preview_pages_are_never_storable(self, editor_client):
        article = factories.article("预览", published=False)
        for address in (
            reverse("admin:articles_article_change", args=[article.pk]),
            reverse("admin:articles_article_preview", args=[article.pk]),
        ):
            cache_control = editor_client.get(address)["Cache-Control"]
            assert "private" in cache_control and "no-store" in cache_control, address

    def test_article_page_answers_conditional_get_from_outside_the_cache(self, client, commit, settings):
        settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
        article = commit(factories.article, "条件请求")
        first = client.get(article.get_absolute_url())
        assert first["ETag"] and first["Last-Modified"]
        again = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304 and again.content == b""
        article.title = "改过"
        commit(article.save)
        changed = client.get(article.get_absolute_url(), HTTP_IF_NONE_MATCH=first["ETag"])
        assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


class TestPurgedSignal:
    def test_a_committed_change_sends_its_keys_once(self, commit):
        sent = []

        def receiver(sender, keys, **kwargs):
            sent.append(keys)

        invalidation.surrogate_keys_purged.connect(receiver)
        try:
            article = commit(factories.article, "信号")
            assert len(sent) == 1 and isinstance(sent[0], frozenset)
            assert {f"article-{article.pk}", "list", "all"} <= sent[0]
            commit(factories.article, "草稿", published=False)
            assert len(sent) == 1
        finally:
            invalidation.surrogate_keys_purged.disconnect(receiver)

    def test_a_failing_receiver_never_fails_the_change(self, editor_client, commit, caplog):
        article = commit(factories.article, "接收方出错")

        def broken(sender, keys, **kwargs):
            raise ConnectionError("varnish is down")

        invalidation.surrogate_keys_purged.connect(broken)
        try:
            url = reverse("admin:articles_article_change", args=[article.pk])
            response = commit(
                editor_client.post, url, change_form_data(editor_client.get(url), title="照样保存")
            )
        finally:
            invalidation.surrogate_keys_purged.disconnect(broken)
        assert response.status_code == 302
        assert Article.objects.get(pk=article.pk).title == "照样保存"
        assert "surrogate_keys_purged" in caplog.text


def test_requests_with_an_authorization_header_never_meet_the_page_cache(client):
    article = factories.article("凭据")
    client.get(article.get_absolute_url())
    assert client.get(article.get_absolute_url())["X-Cache"] == "hit"
    with_credentials = client.get(article.get_absolute_url(), HTTP_AUTHORIZATION="Token abc")
    assert with_credentials.status_code == 200 and "X-Cache" not in with_credentials
    # Nor is what they are given stored for others.
    client.get("/search/?q=凭据", HTTP_AUTHORIZATION="Token abc")
    assert client.get("/search/?q=凭据")["X-Cache"] == "miss"


class TestReaderSitePages:
    """The archive index, editor pages, sub-sections, numbered pages and QR codes name what they show."""

    def test_the_archive_index_counts_an_article_published_anywhere(self, client, commit):
        commit(factories.article, "旧闻", days_ago=400)
        cached(client, "/archive/")
        new = commit(factories.article, "新闻", days_ago=0.1)
        html = client.get("/archive/").content.decode()
        assert f'href="/archive/{timezone.localtime(new.published_at):%Y/%m}/"' in html

    def test_an_editor_page_lists_a_newly_published_article_the_person_edited(self, client, commit):
        person = commit(factories.author, "王编辑")
        commit(factories.article, "第一篇", editor=person)
        cached(client, person.get_edited_url())
        commit(factories.article, "第二篇", editor=person)
        assert "第二篇" in client.get(person.get_edited_url()).content.decode()

    def test_an_editor_page_is_left_alone_by_articles_others_edited(self, client, commit, clock):
        person, other = commit(factories.author, "王编辑"), commit(factories.author, "李编辑")
        elsewhere = commit(factories.category_path, "别处")
        commit(factories.article, "第一篇", editor=person)
        cached(client, person.get_edited_url())
        commit(factories.article, "别人的", editor=other, category=elsewhere)
        clock.advance(2)
        assert client.get(person.get_edited_url())["X-Cache"] == "hit"

    def test_a_section_page_shows_a_new_or_renamed_sub_section(self, client, commit):
        section = commit(factories.category_path, "科技")
        commit(factories.article, "科技新闻", category=section)
        cached(client, section.get_absolute_url())
        child = commit(factories.category_path, "科技", "手机")
        assert "手机" in client.get(section.get_absolute_url()).content.decode()
        child.name = "移动设备"
        commit(child.save)
        assert "移动设备" in client.get(section.get_absolute_url()).content.decode()

    def test_a_new_article_adds_a_numbered_page_to_its_listings(self, client, commit):
        section = commit(factories.category_path, "科技")
        for number in range(20):
            commit(factories.article, f"文章{number}", category=section, days_ago=2 + number / 10)
        cached(client, "/", section.get_absolute_url())
        assert 'href="?page=2"' not in client.get("/").content.decode()
        commit(factories.article, "第二十一篇", category=section)
        for address in ("/", section.get_absolute_url()):
            assert 'href="?page=2"' in client.get(address).content.decode(), address

    def test_listing_counts_are_read_again_after_a_change_even_without_the_page_cache(
        self, client, commit, settings
    ):
        settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
        for number in range(21):
            commit(factories.article, f"文章{number}", days_ago=2 + number / 10)
        assert 'href="?page=2"' in client.get("/").content.decode()
        assert 'href="?page=3"' not in client.get("/").content.decode()
        for number in range(20):
            commit(factories.article, f"新文章{number}", days_ago=1)
        assert 'href="?page=3"' in client.get("/").content.decode()

    def test_a_listing_count_expires_when_a_scheduled_article_joins_the_listing(
        self, client, commit, settings
    ):
        settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            for number in range(20):
                commit(factories.article, f"文章{number}", days_ago=2 + number / 10)
            commit(factories.article, "定时发布", published_at=now + dt.timedelta(seconds=90))
            assert 'href="?page=2"' not in client.get("/").content.decode()
        with time_machine.travel(now + dt.timedelta(seconds=91), tick=False):
            assert 'href="?page=2"' in client.get("/").content.decode()

    def test_the_qr_code_changes_with_the_article_s_address(self, client, commit):
        article = commit(factories.article, "二维码", slug="er-wei-ma")
        cached(client, "/articles/er-wei-ma/share.svg")
        article.slug = "xin-di-zhi"
        commit(article.save)
        assert client.get("/articles/er-wei-ma/share.svg").status_code == 404

    def test_a_trashed_article_leaves_every_reader_page(self, client, commit):
        person = commit(factories.author, "王编辑")
        section = commit(factories.category_path, "科技")
        article = commit(factories.article, "要删的", editor=person, category=section)
        month = f"/archive/{timezone.localtime(article.published_at):%Y/%m}/"
        addresses = ["/", section.get_absolute_url(), person.get_edited_url(), month, "/search/?q=要删"]
        cached(client, article.get_absolute_url(), *addresses[:-1])
        commit(article.move_to_trash)
        assert client.get(article.get_absolute_url()).status_code == 404
        assert client.get(person.get_edited_url()).status_code == 404  # nothing left that the person edited
        for address in addresses[:2] + addresses[3:]:
            assert "要删的" not in client.get(address).content.decode(), address

    def test_an_edit_after_publication_shows_its_revision_time_and_languages_at_once(self, client, commit):
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            article = commit(factories.article, "修订时间", body="<p>简体中文的正文。</p>")
            cached(client, article.get_absolute_url(), "/sitemap-articles.xml")
        with time_machine.travel(now + dt.timedelta(hours=2), tick=False):
            article.body = "<p>這是繁體中文的內容，經過編輯修訂。</p>"
            commit(article.save)
            html = client.get(article.get_absolute_url()).content.decode()
            revised = timezone.localtime(article.revised_at)
            assert revised > timezone.localtime(now) + dt.timedelta(hours=1)
            assert f'"dateModified": "{revised.isoformat()}"' in html
            assert 'class="body" lang="zh-Hant"' in html
            assert f"<lastmod>{revised:%Y-%m-%d}" in client.get("/sitemap-articles.xml").content.decode()
