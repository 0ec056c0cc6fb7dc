"""Model signals keep the search index and the purge log in step with every write, whoever makes it."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from articles.cache import surrogate_keys as keys
from articles.cache.signals import links_added
from articles.models import Article, Category, Purge, Tag
from tests import factories

pytestmark = pytest.mark.django_db


def purged_since(generation: int) -> set[str]:
    """Return every key the purge log names after ``generation``."""
    return {
        key
        for text in Purge.objects.filter(pk__gt=generation).values_list("keys", flat=True)
        for key in text.split()
    }


def last_generation() -> int:
    return Purge.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def index_size() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM article_search")
        return cursor.fetchone()[0]


def test_the_search_index_follows_saves_and_deletes():
    article = factories.article("量子计算新突破", body="<p>研究人员发布量子芯片。</p>")
    assert list(Article.objects.published().search("量子")) == [article]
    article.title, article.body = "天文观测", "<p>望远镜拍到新星系。</p>"
    article.save()
    assert not Article.objects.published().search("量子").exists()
    assert list(Article.objects.published().search("望远镜")) == [article]
    article.delete()
    assert index_size() == 0


def test_saving_a_draft_purges_nothing():
    draft = factories.article("草稿", published=False, category=factories.category_path("科技"))
    generation = last_generation()
    draft.title = "草稿二"
    draft.save()
    assert purged_since(generation) == set()


def test_a_save_of_fields_readers_never_see_purges_nothing():
    article = factories.article("新闻")
    generation = last_generation()
    article.review_note = "请核实数字"
    article.save(update_fields=["review_note"])
    assert purged_since(generation) == set()


def test_publishing_purges_the_article_its_lists_search_and_the_sitemap():
    tech = factories.category_path("科技")
    draft = factories.article("新品发布", published=False, category=tech)
    generation = last_generation()
    draft.status, draft.published_at = Article.Status.PUBLISHED, timezone.now()
    draft.save()
    purged = purged_since(generation)
    assert {
        keys.article(draft.pk),
        keys.category_list(tech.pk),
        keys.LIST,
        keys.SEARCH,
        keys.SITEMAP,
    } <= purged


def test_scheduling_purges_the_lists_it_will_appear_on():
    tech = factories.category_path("科技")
    draft = factories.article("明日新闻", published=False, category=tech)
    generation = last_generation()
    draft.status, draft.published_at = Article.Status.PUBLISHED, timezone.now() + dt.timedelta(hours=2)
    draft.save()
    assert {keys.article(draft.pk), keys.category_list(tech.pk), keys.LIST} <= purged_since(generation)


def test_deleting_a_published_article_purges_the_lists_of_its_tags_and_authors():
    article = factories.article("旧闻")
    article.tags.add("手机")
    author = factories.author("李四")
    article.bylines.create(author=author)
    tag = article.tags.get()
    generation = last_generation()
    article.delete()
    assert {keys.tag_list(tag.pk), keys.author_list(author.pk)} <= purged_since(generation)


def test_a_tag_or_byline_added_to_a_draft_purges_nothing_and_to_a_published_article_its_list():
    draft = factories.article("草稿", published=False)
    published = factories.article("新闻")
    author = factories.author("王五")
    tag = Tag.objects.create(name="芯片")
    generation = last_generation()
    draft.tags.add(tag)
    draft.bylines.create(author=author)
    assert purged_since(generation) == set()
    published.tags.add(tag)
    published.bylines.create(author=author)
    assert {keys.tag_list(tag.pk), keys.author_list(author.pk), keys.article(published.pk)} <= purged_since(
        generation
    )


def test_links_added_in_bulk_purge_only_for_an_article_readers_can_see():
    draft = factories.article("草稿", published=False)
    published = factories.article("新闻")
    generation = last_generation()
    links_added(draft, author_ids=[7], tag_ids=[8])
    assert purged_since(generation) == set()
    links_added(published, author_ids=[7], tag_ids=[8])
    assert {keys.author_list(7), keys.tag_list(8), keys.article(published.pk)} <= purged_since(generation)


def test_moving_a_category_purges_the_lists_above_its_old_and_new_places_and_the_pages_below():
    science = factories.category_path("科学")
    space = factories.category_path("科学", "太空")
    rockets = factories.category_path("科学", "太空", "火箭")
    tech = factories.category_path("科技")
    generation = last_generation()
    space.parent = tech
    space.save()
    purged = purged_since(generation)
    assert {keys.category_list(science.pk), keys.category_list(tech.pk), keys.category(rockets.pk)} <= purged


def test_renaming_a_tag_or_an_author_purges_its_page_and_the_sitemap():
    article = factories.article("新闻")
    article.tags.add("手机")
    tag = article.tags.get()
    author = factories.author("张三")
    generation = last_generation()
    tag.name = "智能手机"
    tag.save()
    author.name = "张三丰"
    author.save()
    assert {keys.tag(tag.pk), keys.author(author.pk), keys.SITEMAP} <= purged_since(generation)


def test_a_new_category_purges_the_lists_above_it_without_looking_below(django_assert_num_queries):
    science = factories.category_path("科学")
    generation = last_generation()
    with django_assert_num_queries(3):  # the insert, the categories above, the purge log
        space = Category.objects.create(parent=science, name="太空")
    assert {keys.category_list(science.pk), keys.category(space.pk)} <= purged_since(generation)
