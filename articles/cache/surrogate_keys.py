"""Surrogate keys: what a public page shows, and what a change makes stale, in one vocabulary.

Every public page names the things it shows (``show()``, collected while ``public_page`` renders
it); every change readers can see names the things it changed (``articles.cache.signals``). A change
purges exactly the pages that share a key with it, in the page cache and in any HTTP cache in
front (the ``Surrogate-Key`` header; Varnish's xkey). The keys:

=======================  ==========================================================================
``article-<id>``         the article: its page, its summary in lists, its link anywhere
``category-<id>``        a category's name, address and place in the tree (breadcrumbs, headers,
                         a section page's sub-section links)
``tag-<id>``             a tag's name and address
``author-<id>``          an author's name, address and biography
``list``                 the site-wide lists: home page (with its featured articles), the archive
                         index (every month's count) and site feeds
``list-category-<id>``   the articles filed in that very category (a category page shows its
                         whole subtree, so it names the list of each category in it)
``list-tag-<id>``        the articles carrying the tag
``list-author-<id>``     the articles the author wrote or edited (their author and editor pages)
``day-<yyyy-mm-dd>``,    the articles published that day, month or year (Shanghai time): date
``month-<yyyy-mm>``,     archives, and an article page's previous and next articles
``year-<yyyy>``
``search``               search results (any visible text may match)
``nav``                  the section navigation on every HTML page
``sitemap``              the sitemaps (every article's last change, every category, tag, author)
``all``                  a page that names nothing else; every change purges it
=======================  ==========================================================================

A list key changes when an article joins or leaves the list or moves in it (publication,
unpublication, a new time, category, tag or byline); editing an article that stays where it is
changes only ``article-<id>`` (and ``search``, ``sitemap``).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterable, Iterator

from django.utils import timezone

ALL = "all"
NAVIGATION = "nav"
LIST = "list"
SEARCH = "search"
SITEMAP = "sitemap"
# An article page whose neighbours are further apart than this names months, then years, not days.
MOST_DAYS = 3
MOST_MONTHS = 3

_shown: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("newsroom_shown_keys", default=None)


def article(pk: int) -> str:
    return f"article-{pk}"


def category(pk: int) -> str:
    return f"category-{pk}"


def tag(pk: int) -> str:
    return f"tag-{pk}"


def author(pk: int) -> str:
    return f"author-{pk}"


def category_list(pk: int) -> str:
    return f"list-category-{pk}"


def tag_list(pk: int) -> str:
    return f"list-tag-{pk}"


def author_list(pk: int) -> str:
    return f"list-author-{pk}"


def dates(moment: dt.datetime) -> tuple[str, str, str]:
    """Return the day, month and year keys of ``moment``, in the site's time zone."""
    day = timezone.localtime(moment).date()
    return f"day-{day:%Y-%m-%d}", f"month-{day:%Y-%m}", f"year-{day:%Y}"


# --- what a page shows ---------------------------------------------------------------


def show(*keys: str) -> None:
    """Say that the page being rendered shows the things ``keys`` name (no effect outside a public page)."""
    shown = _shown.get()
    if shown is not None:
        shown.update(keys)


@contextlib.contextmanager
def collecting(keys: Iterable[str] = ()) -> Iterator[set[str]]:
    """Collect, in the set given, the keys shown while the block runs (``public_page`` uses it)."""
    shown = set(keys)
    token = _shown.set(shown)
    try:
        yield shown
    finally:
        _shown.reset(token)


def summaries(articles: Iterable) -> set[str]:
    """Return the keys of article summaries in a list: each article and the category it links to."""
    keys = set()
    for item in articles:
        keys.add(article(item.pk))
        if item.category_id:
            keys.add(category(item.category_id))
    return keys


def subtree_lists(categories: Iterable) -> set[str]:
    """Return the list keys of a category page showing ``categories`` (a category and those below)."""
    return {category_list(item.pk) for item in categories}


def article_page(page, related: Iterable, previous, following, related_tags: int) -> set[str]:
    """Return the keys of an article's page: the article, its category, tags and people, the related
    articles and the lists they come from, and its previous and next articles."""
    item = page.article
    keys = {article(item.pk)}
    if item.category_id:
        # The related articles come from the newest of the category and of the first tags.
        keys |= {category(item.category_id), category_list(item.category_id)}
    if item.editor_id:
        keys.add(author(item.editor_id))
    keys |= {author(byline.author_id) for byline in page.bylines}
    keys |= {tag(each.pk) for each in page.tags}
    keys |= {tag_list(each.pk) for each in page.tags[:related_tags]}
    keys |= {article(other.pk) for other in related}
    keys |= neighbours(item, previous, following)
    return keys


def neighbours(item, previous, following) -> set[str]:
    """Return the keys that change when an article is published or withdrawn between ``item``'s
    previous and next articles: the days (or months, or years) from one to the other.

    At either end of the archive any new article may change them: ``list``.
    """
    keys = {article(other.pk) for other in (previous, following) if other is not None}
    if previous is None or following is None or item.published_at is None:
        return keys | {LIST}
    first = timezone.localtime(previous.published_at).date()
    last = timezone.localtime(following.published_at).date()
    if (last - first).days < MOST_DAYS:
        days = (first + dt.timedelta(days=offset) for offset in range((last - first).days + 1))
        return keys | {f"day-{day:%Y-%m-%d}" for day in days}
    months = (last.year - first.year) * 12 + last.month - first.month
    if months < MOST_MONTHS:
        return keys | {
            f"month-{(first.year * 12 + first.month - 1 + offset) // 12:04d}-"
            f"{(first.month - 1 + offset) % 12 + 1:02d}"
            for offset in range(months + 1)
        }
    return keys | {f"year-{year}" for year in range(first.year, last.year + 1)}


def archive(year: int, month: int | None, day: int | None) -> str:
    """Return the key of a date archive page's list."""
    if day:
        return f"day-{year:04d}-{month:02d}-{day:02d}"
    if month:
        return f"month-{year:04d}-{month:02d}"
    return f"year-{year:04d}"


# --- what a change makes stale -------------------------------------------------------


def appearance(
    pk: int,
    published_at: dt.datetime,
    category_id: int | None,
    editor_id: int | None,
    tag_ids: Iterable[int],
    author_ids: Iterable[int],
) -> set[str]:
    """Return the keys of every list a visible article belongs to: what its publication, withdrawal
    or move changes (and what its scheduled publication will change, at its time)."""
    keys = {article(pk), LIST, SEARCH, SITEMAP, ALL, *dates(published_at)}
    if category_id:
        keys.add(category_list(category_id))
    keys |= {tag_list(each) for each in tag_ids}
    keys |= {author_list(each) for each in author_ids}
    if editor_id:
        keys.add(author_list(editor_id))
    return keys
