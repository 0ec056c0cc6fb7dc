"""RSS 2.0 and Atom feeds of the latest articles: the whole site, and each category, tag and author.

The URLconf makes one instance of each feed class and every request (in every thread) shares it,
so the classes keep nothing of a request on ``self``. Each item's id is a ``tag:`` URI (RFC 4151)
made of the site's name and the article's id: it stays the same whatever Host header a reader
used and when the article's address changes, so feed readers never show an article twice.
"""

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed, SyndicationFeed
from django.utils.translation import gettext as _

from articles.cache import surrogate_keys as keys
from articles.models import Article, Author, Category, Tag

FEED_SIZE = 30


class LatestRss(Feed):
    """The newest published articles of the whole site."""

    feed_type: type[SyndicationFeed] = Rss201rev2Feed

    def site_name(self) -> str:
        return settings.NEWSROOM_SITE_NAME or _("Newsroom")

    def title(self, obj) -> str:
        return self.site_name()

    def description(self, obj=None) -> str:
        return _("The latest news from %(site)s") % {"site": self.site_name()}

    def link(self, obj) -> str:
        return site_address(reverse("articles:home"))

    def articles(self, obj):
        return Article.objects.published()

    def shown(self, obj) -> set[str]:
        """Return the surrogate keys of the feed itself (its items add their own)."""
        return {keys.LIST}

    def items(self, obj=None):
        items = list(self.articles(obj).for_listing()[:FEED_SIZE])
        keys.show(*self.shown(obj), *keys.summaries(items))
        for item in items:
            keys.show(*(keys.author(byline.author_id) for byline in item.bylines.all()))
            keys.show(*(keys.tag(tag.pk) for tag in item.tags.all()))
        return items

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        return item.summary or item.safe_body

    def item_link(self, item: Article) -> str:
        return site_address(item.get_absolute_url())

    def item_guid(self, item: Article) -> str:
        return article_tag_uri(item)

    item_guid_is_permalink = False

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return item.revised_at or item.published_at

    def item_author_name(self, item: Article) -> str | None:
        return "、".join(byline.author.name for byline in item.bylines.all()) or None

    def item_categories(self, item: Article) -> list[str]:
        return [tag.name for tag in item.tags.all()]


def site_address(path: str) -> str:
    """Return ``path`` on NEWSROOM_SITE_URL when it is set; else as is (the feed adds the request's host)."""
    return settings.NEWSROOM_SITE_URL + path if settings.NEWSROOM_SITE_URL else path


def site_authority() -> str:
    """Return the host name that owns the feed ids: NEWSROOM_SITE_URL's, else the first allowed host's."""
    if settings.NEWSROOM_SITE_URL:
        return urlsplit(settings.NEWSROOM_SITE_URL).hostname or "localhost"
    for host in settings.ALLOWED_HOSTS:
        name = host.lstrip(".")
        if name and name != "*" and not name.startswith("["):
            return name
    return "localhost"


def article_tag_uri(article: Article) -> str:
    """Return the article's permanent feed id: ``tag:HOST,YYYY-MM-DD:articles/ID`` (RFC 4151), dated
    by the article's creation, which never changes."""
    return f"tag:{site_authority()},{article.created_at.astimezone(dt.UTC):%Y-%m-%d}:articles/{article.pk}"


class LatestAtom(LatestRss):
    feed_type = Atom1Feed
    subtitle = LatestRss.description


class CategoryRss(LatestRss):
    def get_object(self, request, path: str) -> Category:
        return get_object_or_404(Category, path=path)

    def title(self, obj: Category) -> str:
        return f"{obj.name} · {self.site_name()}"

    def link(self, obj: Category) -> str:
        return site_address(obj.get_absolute_url())

    def articles(self, obj: Category):
        return Article.objects.published().in_category(obj)

    def shown(self, obj: Category) -> set[str]:
        return {keys.category(obj.pk), *keys.subtree_lists(Category.objects.subtree(obj))}


class CategoryAtom(CategoryRss):
    feed_type = Atom1Feed
    subtitle = LatestRss.description


class TagRss(LatestRss):
    def get_object(self, request, slug: str) -> Tag:
        return get_object_or_404(Tag, slug=slug)

    def title(self, obj: Tag) -> str:
        return f"#{obj.name} · {self.site_name()}"

    def link(self, obj: Tag) -> str:
        return site_address(obj.get_absolute_url())

    def articles(self, obj: Tag):
        return Article.objects.published().tagged(obj)

    def shown(self, obj: Tag) -> set[str]:
        return {keys.tag(obj.pk), keys.tag_list(obj.pk)}


class TagAtom(TagRss):
    feed_type = Atom1Feed
    subtitle = LatestRss.description


class AuthorRss(LatestRss):
    def get_object(self, request, slug: str) -> Author:
        return get_object_or_404(Author, slug=slug)

    def title(self, obj: Author) -> str:
        return f"{obj.name} · {self.site_name()}"

    def link(self, obj: Author) -> str:
        return site_address(obj.get_absolute_url())

    def articles(self, obj: Author):
        return Article.objects.published().by_author(obj)

    def shown(self, obj: Author) -> set[str]:
        return {keys.author(obj.pk), keys.author_list(obj.pk)}


class AuthorAtom(AuthorRss):
    feed_type = Atom1Feed
    subtitle = LatestRss.description
