"""Small helpers that make rows for tests."""

import datetime as dt

from django.utils import timezone

from articles.models import Article, Author, Category, Tag


def category_path(*names: str) -> Category:
    """Return the last category of the hierarchy ``names``, creating each level."""
    parent = None
    for name in names:
        parent, _ = Category.objects.get_or_create(parent=parent, name=name)
    return parent


def article(title: str = "测试文章", *, published: bool = True, days_ago: float = 1, **fields) -> Article:
    """Return a saved article, published ``days_ago`` days ago unless told otherwise."""
    if published:
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - dt.timedelta(days=days_ago))
    return Article.objects.create(title=title, **fields)


def author(name: str = "张三", kind: str = Author.Kind.PERSON) -> Author:
    return Author.objects.get_or_create(name=name, kind=kind)[0]


def wipe_content() -> None:
    """Delete every article, author, tag and category (children before parents: parents are protected)."""
    Article.objects.all().delete()
    Author.objects.all().delete()
    Tag.objects.all().delete()
    for category in Category.objects.order_by("-depth"):
        category.delete()
