"""sitemap.xml (an index of sections) and the news sitemap of the last two days' articles."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.db.models import Exists, OuterRef
from django.utils import timezone

from articles.models import Article, Author, Category, Tag

# Google News reads only articles of the last two days.
NEWS_WINDOW = dt.timedelta(days=2)
NEWS_LIMIT = 1000


class ArticleSitemap(Sitemap):
    changefreq = "weekly"
    limit = 5000

    def items(self):
        return (
            Article.objects.published()
            .only("slug", "revised_at", "published_at")
            .order_by("-published_at", "-id")
        )

    def lastmod(self, item: Article):
        # When readers last saw it change, not when a row was last written (an import, a note).
        return item.revised_at or item.published_at


class NewsSitemap(ArticleSitemap):
    limit = NEWS_LIMIT

    def items(self):
        recent = Article.objects.published().filter(published_at__gte=timezone.now() - NEWS_WINDOW)
        return recent.only("slug", "title", "revised_at", "published_at").order_by("-published_at")[
            :NEWS_LIMIT
        ]


class CategorySitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return Category.objects.order_by("path")


class TagSitemap(Sitemap):
    changefreq = "daily"
    limit = 5000

    def items(self):
        return Tag.objects.order_by("pk")


class AuthorSitemap(Sitemap):
    """The pages of people and outlets with published articles in their byline (the others are empty)."""

    changefreq = "daily"
    limit = 5000

    def items(self):
        bylined = Article.objects.published().filter(bylines__author=OuterRef("pk"))
        return Author.objects.filter(Exists(bylined)).order_by("pk")


class EditorSitemap(Sitemap):
    """The pages of the responsible editors (责任编辑) of published articles."""

    changefreq = "daily"
    limit = 5000

    def items(self):
        edited = Article.objects.published().filter(editor=OuterRef("pk"))
        return Author.objects.filter(Exists(edited)).order_by("pk")

    def location(self, item: Author) -> str:
        return item.get_edited_url()


SITEMAPS: dict[str, type[Sitemap[Any]] | Sitemap[Any]] = {
    "news": NewsSitemap,
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "editors": EditorSitemap,
}


def section(request, section: str):
    """Return one section of the sitemap; the news section in the Google News format."""
    template = "sitemap_news.xml" if section == "news" else "sitemap.xml"
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS, section=section, template_name=template)
