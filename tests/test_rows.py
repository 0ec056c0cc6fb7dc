"""Model instances from plain-SQL rows: the same values the ORM gives, on SQLite and PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles.models import Article, Category
from articles.site.rows import columns, fetch_all
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def article():
    return factories.article(
        "量子计算新突破",
        category=factories.category_path("科技"),
        is_featured=True,
        allow_comments=False,
        front_matter={"headimg": "https://img.example.com/a.jpg", "tags": ["量子", "芯片"]},
    )


def select(fields, order: str = "") -> list[tuple]:
    """Return the rows of a plain-SQL select of ``fields`` from their model's table."""
    return fetch_all(f"SELECT {fields.select_list()} FROM {fields.table} {order}", [])


def test_an_instance_from_a_row_has_the_values_the_orm_gives(article):
    fields = columns(Article)
    [row] = select(fields)
    made, loaded = fields.instance(row), Article.objects.get(pk=article.pk)
    for field in Article._meta.concrete_fields:
        assert getattr(made, field.attname) == getattr(loaded, field.attname), field.name
    assert made.is_featured is True and made.allow_comments is False
    assert made.published_at.tzinfo is not None
    assert made.front_matter["tags"] == ["量子", "芯片"]
    assert not made._state.adding


def test_only_the_fields_named_are_read_and_the_rest_are_deferred(article):
    fields = columns(Article, "id", "title")
    [row] = select(fields)
    made = fields.instance(row)
    assert (made.pk, made.title) == (article.pk, "量子计算新突破")
    assert made.get_deferred_fields() >= {"body", "summary"}


def test_annotations_after_the_fields_become_attributes(article):
    fields = columns(Article, "id", "title", annotations=("rank",))
    [row] = fetch_all(f"SELECT {fields.select_list()}, 7 FROM {fields.table}", [])
    assert len(fields) == 3
    assert fields.instance(row).rank == 7


def test_a_left_join_that_found_nothing_makes_no_instance():
    factories.article("无栏目文章")
    articles, categories = columns(Article, "id", "category_id"), columns(Category)
    [row] = fetch_all(
        f"SELECT {articles.select_list()}, {categories.select_list()} FROM {articles.table} "
        f"LEFT JOIN {categories.table} ON {categories.table}.id = {articles.table}.category_id",
        [],
    )
    assert articles.instance(row).category_id is None
    assert categories.instance(row, start=len(articles)) is None


def test_records_convert_every_row_as_the_orm_does(article):
    second = factories.article("第二篇", is_featured=False)
    fields = columns(Article, "id", "is_featured", "published_at")
    rows = select(fields, "ORDER BY id")
    assert [(record.id, record.is_featured) for record in fields.records(rows)] == [
        (article.pk, True),
        (second.pk, False),
    ]


@pytest.mark.parametrize("prepare", [True, False])
def test_fetch_all_is_one_logged_query_either_way(article, prepare):
    fields = columns(Article, "id")
    with CaptureQueriesContext(connection) as queries:
        rows = fetch_all(
            f"SELECT {fields.select_list()} FROM {fields.table} WHERE id = %s", [article.pk], prepare
        )
    assert rows == [(article.pk,)]
    assert len(queries) == 1 and queries[0]["sql"]
