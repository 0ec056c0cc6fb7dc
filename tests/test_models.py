import datetime as dt

import pytest
import time_machine
from django.db import IntegrityError
from django.utils import timezone

from articles.models import Article, Category, SlugRedirect, Tag
from articles.site import article_page
from tests import factories

pytestmark = pytest.mark.django_db


class TestCategoryTree:
    def test_full_path_and_url_path(self):
        section = factories.category_path("新媒体", "快科技（原驱动之家）", "最新新闻")
        assert str(section) == "新媒体 / 快科技（原驱动之家） / 最新新闻"
        assert section.path == "xin-mei-ti/kuai-ke-ji-yuan-qu-dong-zhi-jia/zui-xin-xin-wen"
        assert (
            section.get_absolute_url()
            == "/category/xin-mei-ti/kuai-ke-ji-yuan-qu-dong-zhi-jia/zui-xin-xin-wen/"
        )
        assert section.depth == 2

    def test_descendants_at_any_depth_in_one_query(self, django_assert_num_queries):
        top = factories.category_path("新媒体")
        factories.category_path("新媒体", "cnBeta", "最新")
        factories.category_path("新媒体", "199IT", "首页更新")
        factories.category_path("二次元", "AcFun")
        with django_assert_num_queries(1):
            names = sorted(category.name for category in top.descendants())
        assert names == ["199IT", "cnBeta", "最新", "首页更新"]

    def test_ancestors_top_first_in_one_query(self, django_assert_num_queries):
        section = factories.category_path("新媒体", "cnBeta", "最新")
        with django_assert_num_queries(1):
            assert [c.name for c in section.ancestors()] == ["新媒体", "cnBeta"]

    def test_renaming_a_slug_moves_the_whole_subtree(self):
        section = factories.category_path("新媒体", "cnBeta", "最新")
        feed = section.parent
        feed.slug = "cnbeta-news"
        feed.save()
        section.refresh_from_db()
        assert section.path == "xin-mei-ti/cnbeta-news/zui-xin"

    def test_slug_is_unique_among_siblings_only(self):
        factories.category_path("新媒体", "最新")
        factories.category_path("二次元", "最新")
        with pytest.raises(IntegrityError):
            Category.objects.create(parent=Category.objects.get(name="新媒体"), name="最新 ", slug="zui-xin")

    def test_top_level_slugs_are_unique(self):
        Category.objects.create(name="新闻")
        with pytest.raises(IntegrityError):
            Category.objects.create(name="新闻二", slug="xin-wen")

    def test_category_cannot_be_its_own_ancestor(self):
        top = factories.category_path("新媒体")
        child = factories.category_path("新媒体", "cnBeta")
        top.parent = child
        with pytest.raises(Exception, match="自己下面"):
            top.full_clean()

    def test_subtree_at_a_path_starts_with_its_category(self, django_assert_num_queries):
        top = factories.category_path("新媒体")
        below = factories.category_path("新媒体", "cnBeta", "最新")
        factories.category_path("新媒体外")  # a sibling whose path starts the same way
        with django_assert_num_queries(1):
            subtree = Category.objects.subtree_at(top.path)
        assert subtree[0] == top and set(subtree) == {top, below.parent, below}
        assert Category.objects.subtree_at("no/such/path") == []

    def test_in_categories_matches_in_category(self):
        top = factories.category_path("新媒体")
        inside = factories.article("内", category=factories.category_path("新媒体", "cnBeta"))
        factories.article("外", category=factories.category_path("二次元"))
        by_list = Article.objects.published().in_categories(Category.objects.subtree_at(top.path))
        assert list(by_list) == list(Article.objects.published().in_category(top)) == [inside]


class TestDeepPages:
    def test_a_deep_page_holds_what_slicing_gives(self, django_assert_num_queries):
        category = factories.category_path("新媒体")
        for number in range(30):
            factories.article(f"第{number}篇", category=category, days_ago=number % 7 + number / 100)
        listing = Article.objects.published().in_category(category).for_summaries()
        with django_assert_num_queries(1):
            page = listing.page(20, 5)
        assert [a.pk for a in page] == [a.pk for a in listing[20:25]]
        with django_assert_num_queries(0):
            assert all(article.category == category for article in page)


class TestArticleSlugs:
    def test_chinese_title_gets_a_pinyin_slug(self):
        article = factories.article("阿里张勇连线300家平台商家")
        assert article.slug == "a-li-zhang-yong-lian-xian-300-jia-ping-tai-shang-jia"

    def test_same_title_gets_distinct_slugs(self):
        first = factories.article("特斯拉续航实测")
        second = factories.article("特斯拉续航实测")
        assert first.slug == "te-si-la-xu-hang-shi-ce"
        assert second.slug == "te-si-la-xu-hang-shi-ce-2"

    def test_slug_is_stable_when_the_title_changes(self):
        article = factories.article("旧标题")
        article.title = "新标题"
        article.save()
        assert article.slug == "jiu-biao-ti"

    def test_changing_a_published_slug_keeps_the_old_url_redirecting(self, client):
        article = factories.article("旧标题")
        article.slug = "new-title"
        article.save()
        assert SlugRedirect.objects.get(old_slug="jiu-biao-ti").article == article
        response = client.get("/articles/jiu-biao-ti/")
        assert response.status_code == 301
        assert response["Location"] == "/articles/new-title/"

    def test_a_new_article_does_not_take_a_slug_that_redirects(self):
        article = factories.article("旧标题")
        article.slug = "new-title"
        article.save()
        assert factories.article("旧标题").slug == "jiu-biao-ti-2"

    def test_draft_slug_changes_leave_no_redirect(self):
        article = factories.article("草稿", published=False)
        article.slug = "draft-renamed"
        article.save()
        assert not SlugRedirect.objects.exists()


class TestPublished:
    def test_hides_drafts_review_and_archived(self):
        factories.article("草稿", published=False)
        factories.article("审核中", published=False, status=Article.Status.REVIEW)
        factories.article("归档", status=Article.Status.ARCHIVED)
        live = factories.article("已发布")
        assert list(Article.objects.published()) == [live]

    def test_scheduled_article_appears_by_itself_when_its_time_comes(self):
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            scheduled = factories.article("定时发布", published_at=now + dt.timedelta(hours=2))
            assert not Article.objects.published().exists()
            assert scheduled.is_scheduled
        with time_machine.travel(now + dt.timedelta(hours=2, seconds=1), tick=False):
            assert list(Article.objects.published()) == [scheduled]
            assert scheduled.is_published

    def test_publishing_without_a_time_publishes_now(self):
        article = Article.objects.create(title="马上发布", status=Article.Status.PUBLISHED)
        assert article.published_at is not None and article.is_published

    def test_listing_loads_related_data_in_constant_queries(self, django_assert_num_queries):
        section = factories.category_path("新媒体", "cnBeta")
        for number in range(12):
            article = factories.article(f"文章{number}", category=section, editor=factories.author("编辑"))
            article.tags.add(*[f"标签{n}" for n in range(number % 4)])
            article.bylines.create(author=factories.author(f"作者{number}"))
        with django_assert_num_queries(3):
            for article in Article.objects.published().for_listing():
                assert article.category.name_path and article.editor.name
                [byline.author.name for byline in article.bylines.all()]
                [tag.name for tag in article.tags.all()]

    def test_in_category_includes_descendants(self):
        top = factories.category_path("新媒体")
        inside = factories.article("子分类文章", category=factories.category_path("新媒体", "cnBeta", "最新"))
        factories.article("别处", category=factories.category_path("二次元"))
        assert list(Article.objects.published().in_category(top)) == [inside]


def field_values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}


class TestArticlePageReads:
    """The article page's plain-SQL reads give what the ORM gives, and only what readers may see."""

    def test_page_holds_the_article_category_and_editor_as_the_orm_loads_them(
        self, django_assert_num_queries
    ):
        article = factories.article(
            "全部字段",
            subtitle="副标题",
            category=factories.category_path("新媒体", "快科技"),
            editor=factories.author("雪花"),
            is_featured=True,
            allow_comments=False,
            lead_image_url="https://img.example.com/lead.png",
            front_matter={"来源": "快科技", "评分": 4.5},
            import_notes=["原文无日期"],
        )
        stored = Article.objects.select_related("category", "editor").get(pk=article.pk)
        with django_assert_num_queries(1):
            page = article_page.published_page(article.slug)
            assert page.article.category.name and page.article.editor.name
        assert field_values(page.article) == field_values(stored)
        assert field_values(page.article.category) == field_values(stored.category)
        assert field_values(page.article.editor) == field_values(stored.editor)
        assert page.article.is_featured is True and page.article.published_at.tzinfo is not None

    def test_article_without_category_or_editor_has_none(self, django_assert_num_queries):
        article = factories.article("无栏目")
        page = article_page.published_page(article.slug)
        with django_assert_num_queries(0):
            assert page.article.category is None and page.article.editor is None

    @pytest.mark.parametrize("status", ["draft", "review", "archived"])
    def test_unpublished_article_has_no_page(self, status):
        article = factories.article("未发布", published=False, status=status, published_at=timezone.now())
        with pytest.raises(Article.DoesNotExist):
            article_page.published_page(article.slug)

    def test_scheduled_article_gets_its_page_when_its_time_comes(self):
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            scheduled = factories.article("定时发布", published_at=now + dt.timedelta(hours=2))
            with pytest.raises(Article.DoesNotExist):
                article_page.published_page(scheduled.slug)
        with time_machine.travel(now + dt.timedelta(hours=2, seconds=1), tick=False):
            assert article_page.published_page(scheduled.slug).article == scheduled

    def test_bylines_follow_their_position_and_tags_the_order_given(self):
        # 乙 exists first, so neither tag ids nor names give the order the tags were added in.
        factories.article("别的文章").tags.add("乙")
        article = factories.article("有序")
        article.tags.add("甲", "乙", "丙")
        article.bylines.create(author=factories.author("后"), position=1)
        article.bylines.create(author=factories.author("先"), position=0)
        for page in (article_page.published_page(article.slug), article_page.page_of(article)):
            assert [byline.author.name for byline in page.bylines] == ["先", "后"]
            assert (
                [tag.name for tag in page.tags] == ["甲", "乙", "丙"] == [t.name for t in article.tags.all()]
            )
            assert all(byline.article is page.article for byline in page.bylines)

    def test_pages_of_a_listing_read_every_byline_and_tag_in_one_query(self, django_assert_num_queries):
        factories.article("别的文章").tags.add("乙")
        first, second, bare = factories.article("一"), factories.article("二"), factories.article("三")
        first.tags.add("甲", "乙")
        second.tags.add("乙", "丙")
        first.bylines.create(author=factories.author("后"), position=1)
        first.bylines.create(author=factories.author("先"), position=0)
        second.bylines.create(author=factories.author("后"), position=0)
        listing = list(Article.objects.filter(pk__in=[second.pk, bare.pk, first.pk]).order_by("title"))
        with django_assert_num_queries(1):
            pages = article_page.pages_of(listing)
        assert [page.article for page in pages] == listing
        by_title = {page.article.title: page for page in pages}
        assert [byline.author.name for byline in by_title["一"].bylines] == ["先", "后"]
        assert [tag.name for tag in by_title["一"].tags] == ["甲", "乙"]
        assert [tag.name for tag in by_title["二"].tags] == ["乙", "丙"]
        assert (by_title["三"].bylines, by_title["三"].tags) == ([], [])
        assert by_title["一"].bylines[0].article is by_title["一"].article
        for page in pages:
            single = article_page.page_of(page.article)
            assert [b.pk for b in page.bylines] == [b.pk for b in single.bylines]
            assert [tag.pk for tag in page.tags] == [tag.pk for tag in single.tags]
        assert article_page.pages_of([]) == []

    def test_related_previous_and_next_show_only_published_articles(self):
        section = factories.category_path("新媒体")
        article = factories.article("本文", category=section, days_ago=2)
        article.tags.add("共享")
        hidden = [
            factories.article("定时", category=section, published_at=timezone.now() + dt.timedelta(hours=1)),
            factories.article("草稿", published=False, category=section, published_at=timezone.now()),
            factories.article(
                "审核中", published=False, status="review", category=section, published_at=timezone.now()
            ),
            factories.article("归档", status="archived", category=section, days_ago=1.5),
            factories.article(
                "早先草稿",
                published=False,
                category=section,
                published_at=timezone.now() - dt.timedelta(days=2.5),
            ),
        ]
        for other in hidden:
            other.tags.add("共享")
        earlier = factories.article("上一篇", category=section, days_ago=3)
        later = factories.article("下一篇", category=section, days_ago=1)
        related = factories.article("相关", days_ago=10)
        related.tags.add("共享")
        page = article_page.published_page(article.slug)
        around = article_page.around(page.article, [tag.pk for tag in page.tags])
        assert (around.previous, around.next) == (earlier, later)
        assert around.related == [related, later, earlier]
        assert around.related[0].shared_tags == 1 and around.related[0].title == "相关"

    def test_previous_and_next_stay_in_the_article_category(self):
        section, other = factories.category_path("新媒体", "cnBeta"), factories.category_path("二次元")
        factories.article("别的栏目更早", category=other, days_ago=2)
        earlier = factories.article("同栏目更早", category=section, days_ago=5)
        article = factories.article("本文", category=section, days_ago=1)
        factories.article("别的栏目更晚", category=other, days_ago=0.5)
        factories.article("上级栏目更晚", category=section.parent, days_ago=0.2)
        around = article_page.around(article, [])
        assert (around.previous, around.next) == (earlier, None)


class TestTags:
    def test_chinese_tag_gets_a_pinyin_slug(self):
        article = factories.article()
        article.tags.add("阿里巴巴")
        assert Tag.objects.get(name="阿里巴巴").slug == "a-li-ba-ba"

    def test_tag_keeps_its_source_slug(self):
        tag = Tag.objects.create(name="张勇", source_slug="zhangyong")
        assert tag.slug == "zhangyong"

    def test_tag_query_uses_the_real_foreign_key(self):
        article = factories.article()
        article.tags.add("芯片")
        tag = Tag.objects.get(name="芯片")
        assert list(Article.objects.tagged(tag)) == [article]
        assert "content_type" not in str(Article.objects.tagged(tag).query)


def test_body_is_sanitised_on_every_save():
    article = factories.article(body='<p onclick="x()">正文<script>alert(1)</script></p>')
    assert article.body == "<p>正文</p>"
    Article.objects.filter(pk=article.pk).update(body="<p>ok</p>")
    article.refresh_from_db()
    article.body = '<img src="javascript:alert(1)">'
    article.save()
    assert article.body == "<img>"


def test_each_save_counts_a_new_version():
    article = factories.article()
    article.save()
    article.save()
    assert article.version == 3


class TestWhatTheTextTells:
    def test_languages_and_reading_time_are_stored_when_saved(self):
        article = factories.article(
            "《劇場版 幼女戦記》全新主視覺圖釋出", body="<p>" + "廣播劇節目也即將復活！" * 100 + "</p>"
        )
        article.refresh_from_db()
        assert (article.title_language, article.body_language) == ("zh-Hant", "zh-Hant")
        assert article.reading_minutes == 3
        article.title, article.body = "180秒で君の耳を幸せにできるか？", "<p>正文。</p>"
        article.save()
        article.refresh_from_db()
        assert (article.title_language, article.body_language, article.reading_minutes) == (
            "ja",
            "zh-Hans",
            1,
        )

    def test_credit_lines_leave_out_the_rights_notice(self):
        notice = "本文由@ToBeSaaS 原创发布于人人都是产品经理。未经许可，禁止转载。"
        article = factories.article(
            credits=f"作者：戴珂；公众号：ToBeSaaS\n{notice}\n题图来自 Unsplash，基于 CC0 协议",
            rights_notice=notice,
        )
        assert article.credit_lines() == ["作者：戴珂；公众号：ToBeSaaS", "题图来自 Unsplash，基于 CC0 协议"]


class TestRevisionTime:
    def test_a_new_article_is_revised_when_it_is_published(self):
        article = factories.article("新闻", days_ago=3)
        assert article.revised_at == article.published_at
        assert factories.article("草稿", published=False).revised_at is None

    def test_an_edit_readers_see_moves_it_to_now(self):
        article = factories.article("新闻", days_ago=3)
        now = timezone.now()
        with time_machine.travel(now, tick=False):
            article.body = "<p>更正：数字有误。</p>"
            article.save()
        assert article.revised_at == now

    def test_bookkeeping_and_drafts_leave_it_alone(self):
        article = factories.article("新闻", days_ago=3)
        article.review_note = "看过了"
        article.is_featured = True
        article.save()
        assert article.revised_at == article.published_at
        draft = factories.article("草稿", published=False)
        draft.body = "<p>改了。</p>"
        draft.save()
        assert draft.revised_at is None

    def test_publishing_a_draft_revises_it_at_its_publication(self):
        draft = factories.article("草稿", published=False)
        draft.body = "<p>定稿。</p>"
        draft.status = Article.Status.PUBLISHED
        draft.save()
        assert draft.revised_at == draft.published_at
