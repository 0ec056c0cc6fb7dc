"""sitemap.xml (an index of sections) and the news sitemap of the last two days' articles."""

import datetime as dt

from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
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
    changefreq = "daily"
    limit = 5000

    def items(self):
        return Author.objects.order_by("pk")


SITEMAPS = {
    "news": NewsSitemap,
    "articles": ArticleSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
}


def section(request, section: str):
    """Return one section of the sitemap; the news section in the Google News format."""
    template = "sitemap_news.xml" if section == "news" else "sitemap.xml"
    return sitemap_views.sitemap(request, sitemaps=SITEMAPS, section=section, template_name=template)
