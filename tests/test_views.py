import datetime as dt
import json
import re

import pytest
import time_machine
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone

from articles.models import Article
from articles.site import article_page
from tests import factories

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def no_page_cache(settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0


def full_article(**fields):
    section = factories.category_path("新媒体", "快科技（原驱动之家）", "最新新闻")
    article = factories.article(
        "阿里张勇连线300家平台商家",
        subtitle="副标题在这里",
        summary="张勇与商家交流。",
        body="<p>正文第一段。</p>",
        category=section,
        editor=factories.author("雪花"),
        source_name="新浪科技",
        source_url="https://tech.sina.com.cn/i/2022-01-15/doc.shtml",
        lead_image_url="https://img1.mydrivers.com/img/20220115/lead.png",
        published_at=dt.datetime(2022, 1, 15, 20, 8, 45, tzinfo=dt.UTC),
        **fields,
    )
    article.tags.add("阿里巴巴", "张勇")
    article.bylines.create(author=factories.author("王小明"), position=0)
    article.bylines.create(author=factories.author("快科技", kind="organisation"), position=1)
    return article


class TestHome:
    def test_lists_published_articles_newest_first(self, client):
        factories.article("旧闻", days_ago=3)
        factories.article("新闻", days_ago=1)
        factories.article("草稿", published=False)
        factories.article("定时", published_at=timezone.now() + dt.timedelta(hours=1), status="published")
        html = client.get("/").content.decode()
        assert html.index("新闻") < html.index("旧闻")
        assert "草稿" not in html and "定时" not in html

    def test_featured_articles_are_shown_once_on_the_first_page(self, client):
        factories.article("头条新闻", is_featured=True)
        html = client.get("/").content.decode()
        assert 'class="featured"' in html
        assert html.count("头条新闻") == 1 + html.count("<title>头条新闻")


class TestArticlePage:
    def test_shows_every_part_of_the_article(self, client):
        article = full_article()
        related = factories.article("阿里巴巴财报", category=article.category)
        related.tags.add("阿里巴巴")
        html = client.get(article.get_absolute_url()).content.decode()
        assert '<h1 lang="zh-Hans">阿里张勇连线300家平台商家</h1>' in html
        assert "副标题在这里" in html and "<p>正文第一段。</p>" in html
        assert 'href="/author/wang-xiao-ming/"' in html and 'href="/author/kuai-ke-ji/"' in html
        # 20:08 GMT is 04:08 the next morning in Shanghai.
        assert "2022年1月16日 04:08" in html
        assert 'datetime="2022-01-16T04:08:45+08:00"' in html
        breadcrumb = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S).group(0)
        assert breadcrumb.index("新媒体") < breadcrumb.index("快科技") < breadcrumb.index("最新新闻")
        assert 'href="/category/xin-mei-ti/"' in breadcrumb
        assert 'href="https://tech.sina.com.cn/i/2022-01-15/doc.shtml"' in html and "新浪科技" in html
        assert "雪花" in html
        assert 'href="/tag/a-li-ba-ba/"' in html and "#张勇" in html
        assert 'class="related"' in html and "阿里巴巴财报" in html

    def test_remote_lead_image_is_lazy_and_sends_no_referrer(self, client):
        html = client.get(full_article().get_absolute_url()).content.decode()
        image = re.search(r'<img src="https://img1.mydrivers.com[^>]*>', html).group(0)
        assert 'loading="lazy"' in image and 'referrerpolicy="no-referrer"' in image and "alt=" in image

    def test_uploaded_lead_image_has_a_srcset_of_its_renditions(self, client, media):
        article = factories.article_with_lead_image()
        html = client.get(article.get_absolute_url()).content.decode()
        assert re.search(r'srcset="[^"]*480w\.jpg 480w, [^"]*960w\.jpg 960w', html)
        assert 'sizes="' in html

    def test_previous_and_next_follow_publication_order(self, client):
        first = factories.article("第一篇", days_ago=3)
        second = factories.article("第二篇", days_ago=2)
        third = factories.article("第三篇", days_ago=1)
        html = client.get(second.get_absolute_url()).content.decode()
        assert f'rel="prev" href="{first.get_absolute_url()}"' in html
        assert f'rel="next" href="{third.get_absolute_url()}"' in html

    def test_next_skips_drafts_and_scheduled_articles(self, client):
        only = factories.article("唯一")
        factories.article("草稿", published=False)
        factories.article("定时", published_at=timezone.now() + dt.timedelta(days=1))
        html = client.get(only.get_absolute_url()).content.decode()
        assert 'rel="next"' not in html and 'rel="prev"' not in html

    def test_related_articles_prefer_shared_tags(self):
        article = full_article()
        two_tags = factories.article("两个标签")
        two_tags.tags.add("阿里巴巴", "张勇")
        one_tag = factories.article("一个标签", days_ago=0.5)
        one_tag.tags.add("张勇")
        factories.article("同栏目", category=article.category, days_ago=0.1)
        factories.article("无关")
        around = article_page.around(article, list(article.tags.values_list("pk", flat=True)))
        assert [a.title for a in around.related] == ["两个标签", "一个标签", "同栏目"]

    def test_page_is_the_same_once_its_statements_are_prepared(self, client, no_page_cache):
        # PostgreSQL: psycopg prepares a statement on its sixth run (settings: prepare_threshold).
        article = full_article()
        first = client.get(article.get_absolute_url()).content
        for _ in range(6):
            assert client.get(article.get_absolute_url()).content == first
        if connection.settings_dict["OPTIONS"].get("prepare_threshold") is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT statement FROM pg_prepared_statements WHERE NOT from_sql")
                prepared = [statement for (statement,) in cursor.fetchall()]
            assert any("UNION ALL" in statement and "articles_byline" in statement for statement in prepared)

    @pytest.mark.parametrize("status", ["draft", "review", "archived"])
    def test_unpublished_article_is_not_found(self, client, status):
        article = factories.article("未发布", published=False, status=status)
        assert client.get(article.get_absolute_url()).status_code == 404

    def test_scheduled_article_appears_at_its_time(self, client):
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            article = factories.article("定时发布", published_at=now + dt.timedelta(hours=2))
            assert client.get(article.get_absolute_url()).status_code == 404
        with time_machine.travel(now + dt.timedelta(hours=2, seconds=1), tick=False):
            assert client.get(article.get_absolute_url()).status_code == 200


class TestListings:
    def test_category_page_includes_sub_categories(self, client):
        inside = factories.article("子栏目文章", category=factories.category_path("新媒体", "cnBeta", "最新"))
        factories.article("别的栏目", category=factories.category_path("二次元"))
        html = client.get("/category/xin-mei-ti/").content.decode()
        assert inside.title in html and "别的栏目" not in html
        assert client.get("/category/xin-mei-ti/cnbeta/zui-xin/").status_code == 200
        assert client.get("/category/xin-mei-ti/nothing/").status_code == 404

    def test_tag_page(self, client):
        tagged = factories.article("有标签")
        tagged.tags.add("芯片")
        factories.article("无标签")
        html = client.get("/tag/xin-pian/").content.decode()
        assert "有标签" in html and "无标签" not in html
        assert client.get("/tag/no-such-tag/").status_code == 404

    def test_author_page(self, client):
        article = factories.article("署名文章")
        article.bylines.create(author=factories.author("李四"))
        factories.article("别人的")
        html = client.get("/author/li-si/").content.decode()
        assert "署名文章" in html and "别人的" not in html
        assert client.get("/author/nobody/").status_code == 404

    def test_date_archives_use_shanghai_days(self, client):
        # 2022-01-15 20:08 UTC is already 16 January in Shanghai.
        factories.article("深夜新闻", published_at=dt.datetime(2022, 1, 15, 20, 8, tzinfo=dt.UTC))
        factories.article("白天新闻", published_at=dt.datetime(2022, 1, 15, 3, 0, tzinfo=dt.UTC))
        day_15 = client.get("/archive/2022/01/15/").content.decode()
        day_16 = client.get("/archive/2022/01/16/").content.decode()
        assert "白天新闻" in day_15 and "深夜新闻" not in day_15
        assert "深夜新闻" in day_16
        month = client.get("/archive/2022/01/").content.decode()
        assert "白天新闻" in month and "深夜新闻" in month
        assert "深夜新闻" in client.get("/archive/2022/").content.decode()
        assert "深夜新闻" not in client.get("/archive/2021/").content.decode()

    def test_december_archive_ends_at_new_year(self, client):
        factories.article("除夕", published_at=dt.datetime(2021, 12, 31, 15, 59, tzinfo=dt.UTC))
        factories.article("元旦", published_at=dt.datetime(2021, 12, 31, 16, 0, tzinfo=dt.UTC))
        html = client.get("/archive/2021/12/").content.decode()
        assert "除夕" in html and "元旦" not in html

    @pytest.mark.parametrize("address", ["/archive/2022/02/30/", "/archive/2022/13/", "/archive/2022/00/"])
    def test_impossible_dates_are_not_found(self, client, address):
        assert client.get(address).status_code == 404


class TestPagination:
    @pytest.fixture
    def twenty_five(self):
        return [factories.article(f"文章{number:02d}", days_ago=number + 1) for number in range(25)]

    def test_pages_split_at_twenty(self, client, twenty_five):
        first = client.get("/").content.decode()
        second = client.get("/?page=2").content.decode()
        assert "文章00" in first and "文章19" in first and "文章20" not in first
        assert "文章20" in second and "文章24" in second and "文章19" not in second
        assert 'rel="next" href="?page=2"' in first and 'rel="prev"' not in first
        assert 'rel="prev" href="?page=1"' in second and 'rel="next"' not in second

    def test_exactly_full_last_page_has_no_next(self, client):
        for number in range(20):
            factories.article(f"文章{number}")
        assert 'rel="next"' not in client.get("/").content.decode()
        assert client.get("/?page=2").status_code == 404

    @pytest.mark.parametrize("page", ["3", "0", "-1", "abc", "99999999999"])
    def test_pages_that_do_not_exist_are_not_found(self, client, twenty_five, page):
        assert client.get(f"/?page={page}").status_code == 404

    def test_empty_site_has_a_first_page(self, client):
        response = client.get("/")
        assert response.status_code == 200


class TestErrorPages:
    def test_unknown_address_gets_the_404_page(self, client):
        response = client.get("/no/such/page/")
        assert response.status_code == 404
        html = response.content.decode()
        assert "<main" in html and 'name="robots" content="noindex"' in html

    def test_500_page_stands_alone(self):
        html = render_to_string("500.html")
        assert "<main>" in html and "服务器错误" in html and "{%" not in html


class TestMetadata:
    def test_article_page_metadata(self, client, settings):
        settings.ALLOWED_HOSTS = ["news.example.com"]
        article = full_article()
        html = client.get(article.get_absolute_url(), HTTP_HOST="news.example.com").content.decode()
        url = f"http://news.example.com{article.get_absolute_url()}"
        assert "<title>阿里张勇连线300家平台商家 · " in html
        assert '<meta name="description" content="张勇与商家交流。">' in html
        assert f'<link rel="canonical" href="{url}">' in html
        assert '<meta property="og:type" content="article">' in html
        assert '<meta property="og:title" content="阿里张勇连线300家平台商家">' in html
        assert f'<meta property="og:url" content="{url}">' in html
        assert '<meta property="og:image" content="https://img1.mydrivers.com/img/20220115/lead.png">' in html
        assert '<meta name="twitter:card" content="summary_large_image">' in html
        data = json.loads(
            re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
        )
        assert data["@type"] == "NewsArticle"
        assert data["headline"] == article.title
        assert data["datePublished"] == "2022-01-16T04:08:45+08:00"
        assert [author["name"] for author in data["author"]] == ["王小明", "快科技"]
        assert data["author"][1]["@type"] == "Organization"
        assert data["image"] == ["https://img1.mydrivers.com/img/20220115/lead.png"]

    def test_structured_data_cannot_close_its_script(self, client):
        article = factories.article("</script><script>alert(1)</script>")
        html = client.get(article.get_absolute_url()).content.decode()
        assert "</script><script>alert(1)" not in html

    def test_site_url_setting_makes_canonical_addresses(self, client, settings):
        settings.NEWSROOM_SITE_URL = "https://news.example.com"
        html = client.get("/?page=1").content.decode()
        assert '<link rel="canonical" href="https://news.example.com/">' in html

    def test_listing_pages_have_canonical_with_page_number(self, client):
        for number in range(21):
            factories.article(f"文章{number}")
        html = client.get("/?page=2").content.decode()
        assert '<link rel="canonical" href="http://testserver/?page=2">' in html
        assert '<meta property="og:type" content="website">' in html

    def test_robots_txt_points_at_the_sitemap(self, client):
        response = client.get("/robots.txt")
        assert response["Content-Type"].startswith("text/plain")
        assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
        assert "Disallow: /admin/" in response.content.decode()


class TestSitemaps:
    def test_index_lists_the_sections(self, client):
        factories.article("新闻")
        xml = client.get("/sitemap.xml").content.decode()
        for section in ("news", "articles", "categories", "tags", "authors"):
            assert f"http://testserver/sitemap-{section}.xml" in xml

    def test_articles_section_holds_only_published_articles(self, client):
        live = factories.article("已发布")
        draft = factories.article("草稿", published=False)
        xml = client.get("/sitemap-articles.xml").content.decode()
        assert f"http://testserver{live.get_absolute_url()}" in xml
        assert draft.get_absolute_url() not in xml

    def test_news_sitemap_holds_the_last_two_days(self, client):
        recent = factories.article("今日新闻", days_ago=0.5)
        old = factories.article("上周新闻", days_ago=7)
        xml = client.get("/sitemap-news.xml").content.decode()
        assert "xmlns:news=" in xml
        assert f"<loc>http://testserver{recent.get_absolute_url()}</loc>" in xml
        assert "<news:title>今日新闻</news:title>" in xml
        assert old.get_absolute_url() not in xml


class TestQueryCounts:
    """Bounds without the page cache (the purge log and navigation read once per process, first)."""

    @pytest.fixture
    def archive(self):
        def build(articles: int, tags: int, bylines: int):
            section = factories.category_path("新媒体", "cnBeta", "最新")
            made = []
            for number in range(articles):
                article = factories.article(
                    f"文章{number}", category=section, editor=factories.author("编辑"), days_ago=number / 10
                )
                article.tags.add(*[f"标签{n}" for n in range(tags)])
                for position in range(bylines):
                    article.bylines.create(author=factories.author(f"作者{position}"), position=position)
                made.append(article)
            return made

        return build

    @pytest.mark.parametrize("size", [(3, 1, 1), (45, 6, 3)])
    def test_public_pages_need_a_constant_number_of_queries(
        self, client, archive, no_page_cache, django_assert_max_num_queries, size
    ):
        articles = archive(*size)
        middle = articles[len(articles) // 2]
        # What a process reads once, not per page: the purge log and the navigation.
        client.get("/")
        bounds = {
            # The page and its surroundings.
            middle.get_absolute_url(): 4,
            "/": 4,
            "/?page=2" if len(articles) > 20 else "/": 4,
            "/category/xin-mei-ti/": 4,
            "/category/xin-mei-ti/cnbeta/zui-xin/": 4,
            "/tag/biao-qian-0/": 4,
            "/author/zuo-zhe-0/": 4,
            "/editor/bian-ji/": 4,
            "/archive/": 4,
            f"/archive/{timezone.localtime(middle.published_at):%Y/%m}/": 4,
            "/search/?q=文章": 4,
        }
        for address, bound in bounds.items():
            with django_assert_max_num_queries(bound):
                assert client.get(address).status_code == 200, address


class TestLanguages:
    def test_interface_is_in_simplified_chinese_by_default(self, client):
        html = client.get("/").content.decode()
        assert '<html lang="zh-hans">' in html and "跳到正文" in html and "搜索" in html

    def test_english_is_available(self, client):
        html = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert '<html lang="en">' in html and "Skip to content" in html


class TestSitemapDates:
    def test_lastmod_is_when_readers_last_saw_a_change_not_the_import(self, client):
        published = dt.datetime(2022, 1, 15, 12, 0, tzinfo=dt.UTC)
        article = factories.article("旧闻", published_at=published)
        article.review_note = "批注"
        article.save()
        Article.objects.filter(pk=article.pk).update(updated_at=timezone.now())
        xml = client.get("/sitemap-articles.xml").content.decode()
        assert "<lastmod>2022-01-15</lastmod>" in xml


class TestNavigation:
    def test_category_page_links_its_sub_categories_and_shows_its_path(self, client):
        factories.article("文章", category=factories.category_path("新媒体", "cnBeta", "最新"))
        factories.category_path("新媒体", "199IT")
        factories.category_path("二次元", "AcFun")
        html = client.get("/category/xin-mei-ti/cnbeta/").content.decode()
        breadcrumb = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S).group(0)
        assert breadcrumb.index("新媒体") < breadcrumb.index("cnBeta")
        children = re.search(r'<nav class="subsections".*?</nav>', html, re.S).group(0)
        assert 'href="/category/xin-mei-ti/cnbeta/zui-xin/"' in children and "199IT" not in children
        top = client.get("/category/xin-mei-ti/").content.decode()
        children = re.search(r'<nav class="subsections".*?</nav>', top, re.S).group(0)
        assert "cnBeta" in children and "199IT" in children and "最新" not in children

    def test_archive_index_lists_years_and_months_with_counts(self, client):
        for day in (3, 4, 20):
            factories.article(f"一月{day}", published_at=dt.datetime(2022, 1, day, 12, tzinfo=dt.UTC))
        factories.article("二月", published_at=dt.datetime(2022, 2, 1, 12, tzinfo=dt.UTC))
        # 16:30 UTC on 31 December is already 1 January in Shanghai.
        factories.article("新年", published_at=dt.datetime(2022, 12, 31, 16, 30, tzinfo=dt.UTC))
        factories.article("草稿", published=False, published_at=dt.datetime(2021, 5, 1, tzinfo=dt.UTC))
        html = client.get("/archive/").content.decode()
        assert html.index('href="/archive/2023/"') < html.index('href="/archive/2022/"')
        assert re.search(r'href="/archive/2022/01/">2022年1月</a> <span class="count">3 篇</span>', html)
        assert re.search(r'href="/archive/2022/02/">2022年2月</a> <span class="count">1 篇</span>', html)
        assert 'href="/archive/2023/01/"' in html and "2021" not in html

    def test_every_page_links_the_archive(self, client):
        article = factories.article("文章")
        for address in ("/", article.get_absolute_url(), "/search/?q=文章", "/no/such/page/"):
            assert 'href="/archive/"' in client.get(address).content.decode(), address

    def test_month_page_shows_its_place_in_the_archive(self, client):
        factories.article("文章", published_at=dt.datetime(2022, 1, 15, 3, tzinfo=dt.UTC))
        html = client.get("/archive/2022/01/").content.decode()
        breadcrumb = re.search(r'<nav class="breadcrumb".*?</nav>', html, re.S).group(0)
        assert 'href="/archive/"' in breadcrumb and 'href="/archive/2022/"' in breadcrumb


class TestNumberedPages:
    @pytest.fixture
    def archive(self):
        section = factories.category_path("新媒体")
        for number in range(20 * 9 + 3):
            factories.article(f"文章{number:03d}", category=section, days_ago=number / 100)

    def page_links(self, html):
        nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S).group(0)
        return re.findall(r"<li>(?:<a [^>]*>|<span aria-current=\"page\"[^>]*>)(\d+)<", nav), nav

    def test_first_last_and_a_window_around_the_current_page(self, client, archive):
        numbers, nav = self.page_links(client.get("/?page=5").content.decode())
        assert numbers == ["1", "3", "4", "5", "6", "7", "10"]
        assert nav.count("…") == 2
        assert '<span aria-current="page" aria-label="第 5 页">5</span>' in nav
        assert 'rel="prev" href="?page=4"' in nav and 'rel="next" href="?page=6"' in nav

    def test_the_ends_have_no_gap_on_their_side(self, client, archive):
        numbers, nav = self.page_links(client.get("/category/xin-mei-ti/").content.decode())
        assert numbers == ["1", "2", "3", "10"] and 'rel="prev"' not in nav
        numbers, nav = self.page_links(client.get("/category/xin-mei-ti/?page=10").content.decode())
        assert numbers == ["1", "8", "9", "10"] and 'rel="next"' not in nav
        assert client.get("/category/xin-mei-ti/?page=11").status_code == 404

    def test_search_pages_keep_the_words(self, client, archive):
        _numbers, nav = self.page_links(client.get("/search/?q=文章&page=2").content.decode())
        assert 'href="?q=%E6%96%87%E7%AB%A0&amp;page=3"' in nav

    def test_a_new_article_moves_the_last_page(self, client, archive, django_capture_on_commit_callbacks):
        assert self.page_links(client.get("/").content.decode())[0][-1] == "10"
        with django_capture_on_commit_callbacks(execute=True):
            for number in range(18):
                factories.article(f"新文章{number}")
        assert self.page_links(client.get("/").content.decode())[0][-1] == "11"


class TestEditorPages:
    def test_editor_page_lists_the_articles_the_person_edited(self, client):
        editor = factories.author("雪花")
        edited = factories.article("她编辑的", editor=editor)
        factories.article("别人编辑的", editor=factories.author("万南"))
        factories.article("未发布", editor=editor, published=False)
        html = client.get(edited.get_absolute_url()).content.decode()
        assert '责任编辑：<a href="/editor/xue-hua/">雪花</a>' in html
        page = client.get("/editor/xue-hua/").content.decode()
        assert "她编辑的" in page and "别人编辑的" not in page and "未发布" not in page
        assert "<h1>责任编辑：雪花</h1>" in page

    def test_a_person_who_edited_nothing_published_has_no_editor_page(self, client):
        factories.article("未发布", editor=factories.author("雪花"), published=False)
        assert client.get("/editor/xue-hua/").status_code == 404
        assert client.get("/editor/nobody/").status_code == 404

    def test_sitemap_lists_editor_pages_with_something_on_them(self, client):
        factories.article("文章", editor=factories.author("雪花"))
        factories.article("未发布", editor=factories.author("万南"), published=False)
        factories.author("无文章")
        xml = client.get("/sitemap-editors.xml").content.decode()
        assert "/editor/xue-hua/" in xml and "wan-nan" not in xml
        assert "wu-wen-zhang" not in client.get("/sitemap-authors.xml").content.decode()


class TestArticleExtras:
    def test_rights_notice_is_shown_once(self, client):
        notice = "本文由@ToBeSaaS 原创发布于人人都是产品经理。未经许可，禁止转载。"
        article = factories.article(
            "产品文章",
            credits=f"作者：戴珂；公众号：ToBeSaaS\n{notice}\n题图来自 Unsplash，基于 CC0 协议",
            rights_notice=notice,
        )
        html = client.get(article.get_absolute_url()).content.decode()
        assert html.count("未经许可，禁止转载") == 1
        assert "作者：戴珂；公众号：ToBeSaaS<br>题图来自 Unsplash" in html

    def test_reading_time_is_shown(self, client):
        article = factories.article("长文", body="<p>" + "字" * 1000 + "</p>")
        assert (
            '<span class="reading-time">约 3 分钟读完</span>'
            in client.get(article.get_absolute_url()).content.decode()
        )

    def test_japanese_and_traditional_text_carry_lang_marks(self, client):
        article = factories.article(
            "《劇場版 幼女戦記》全新主視覺圖釋出",
            body="<p>廣播劇節目也即將復活！</p>",
            summary="廣播劇節目也即將復活",
        )
        japanese = factories.article("180秒で君の耳を幸せにできるか？", days_ago=2)
        html = client.get(article.get_absolute_url()).content.decode()
        assert '<h1 lang="zh-Hant">' in html and '<div class="body" lang="zh-Hant">' in html
        listing = client.get("/").content.decode()
        assert f'<h2 lang="ja"><a href="{japanese.get_absolute_url()}">' in listing
        assert '<p lang="zh-Hant">廣播劇節目也即將復活</p>' in listing

    def test_share_links_need_no_third_party_script(self, client, settings):
        settings.NEWSROOM_SITE_URL = "https://news.example.com"
        article = factories.article("分享这篇", slug="fen-xiang")
        html = client.get(article.get_absolute_url()).content.decode()
        share = re.search(r'<section class="share".*?</section>', html, re.S).group(0)
        assert 'data-address="https://news.example.com/articles/fen-xiang/"' in share
        assert (
            'href="https://service.weibo.com/share/share.php?url=https%3A%2F%2Fnews.example.com%2Farticles'
            '%2Ffen-xiang%2F&amp;title=%E5%88%86%E4%BA%AB%E8%BF%99%E7%AF%87"'
        ) in share
        assert '<img src="/articles/fen-xiang/share.svg"' in share
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert all('type="application/ld+json"' in tag or 'src="/static/' in tag for tag in scripts)
        assert not re.search(r"<[^>]+\son[a-z]+=", html), "an inline event handler"

    def test_the_qr_code_holds_the_article_address(
        self, client, settings, django_capture_on_commit_callbacks
    ):
        settings.NEWSROOM_SITE_URL = "https://news.example.com"
        article = factories.article("分享这篇", slug="fen-xiang")
        response = client.get("/articles/fen-xiang/share.svg")
        assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
        assert response["Surrogate-Key"] == f"article-{article.pk}"
        svg = response.content.decode()
        assert svg.startswith("<svg") and "<title>https://news.example.com/articles/fen-xiang/</title>" in svg
        assert "<script" not in svg
        # Withdrawing the article purges its code from the page cache.
        article.status = Article.Status.DRAFT
        with django_capture_on_commit_callbacks(execute=True):
            article.save()
        assert client.get("/articles/fen-xiang/share.svg").status_code == 404
