"""The content model's querysets and managers: what is asked of many rows at once.

Views, feeds, sitemaps, the admin, the importer and the API all ask ``Article.objects…``, so
"what readers may see" (``published()``) has exactly one definition. The models
(``articles.models``) import this module; it imports none of them: related models are reached
through ``self.model._meta`` as Django's related managers do.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import Case, Count, Min, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone

from articles import body_marks, search
from articles.sanitise import sanitise

if TYPE_CHECKING:
    from articles.models import (
        Article,
        Author,
        Category,
        PreviewLink,  # noqa: F401 - named in a string: QuerySet["PreviewLink"]
        Tag,
    )

PATH_SEPARATOR = "/"
NAME_PATH_SEPARATOR = " / "
SUMMARY_DEFERRED_FIELDS = (
    "body",
    "body_mark",
    "credits",
    "rights_notice",
    "front_matter",
    "import_notes",
    "import_hash",
)


class CategoryQuerySet(models.QuerySet["Category", "Category"]):
    def roots(self) -> CategoryQuerySet:
        """Return the top-level categories."""
        return self.filter(parent__isnull=True)

    def subtree(self, category: Category) -> CategoryQuerySet:
        """Return ``category`` and all its descendants, in one query."""
        return self.filter(_at_or_below(category.path))

    def subtree_at(self, path: str) -> list[Category]:
        """Return the category at ``path`` followed by all its descendants (empty when there is none),
        in one query."""
        # A path sorts before the paths that extend it.
        found: list[Category] = list(self.filter(_at_or_below(path)).order_by("path"))
        return found if found and found[0].path == path else []


def _at_or_below(path: str) -> Q:
    """Return the condition selecting the category at ``path`` and every category below it."""
    return Q(path=path) | Q(path__startswith=path + PATH_SEPARATOR)


def person_name(user) -> str:
    """Return how ``user`` is named in a byline: family name first for Chinese names (张 + 三 → 张三)."""
    first, last = user.first_name.strip(), user.last_name.strip()
    if first and last and not (first + last).isascii():
        return last + first
    return " ".join(part for part in (first, last) if part) or user.get_username()


class AuthorManager(models.Manager["Author"]):
    def profile_for(self, user) -> Author:
        """Return the author profile of the staff account ``user``, creating it on first use.

        A person of the same name that no account claims yet (an imported byline) becomes
        theirs; when another account has the name, the new profile adds the login name.
        """
        profile = self.filter(user=user).first()
        if profile is not None:
            return profile
        name = person_name(user)
        with transaction.atomic():
            namesake = self.select_for_update().filter(kind=self.model.Kind.PERSON, name=name).first()
            if namesake is not None and namesake.user_id is None:
                namesake.user = user
                namesake.save(update_fields=["user"])
                return namesake
            if namesake is not None:
                name = f"{name}（{user.get_username()}）"
            return self.create(name=name, kind=self.model.Kind.PERSON, user=user)


class ArticleQuerySet(models.QuerySet["Article"]):
    """What readers, the admin, the importer and the API ask of many articles.

    Related models are reached through ``_meta`` (as Django's own related managers do), so that
    this module imports no model module.
    """

    def _related(self, name: str) -> Any:
        """Return the model at the other end of the article's relation ``name``."""
        return self.model._meta.get_field(name).related_model

    def published(self, at: dt.datetime | None = None) -> ArticleQuerySet:
        """Return what readers may see (at ``at``, by default now): published, and whose time has come.

        The one definition: the article page's plain-SQL reads use it compiled
        (``published_condition()``).
        """
        return self.filter(status=self.model.Status.PUBLISHED, published_at__lte=at or timezone.now())

    def scheduled(self) -> ArticleQuerySet:
        """Return published articles whose time has not come yet."""
        return self.filter(status=self.model.Status.PUBLISHED, published_at__gt=timezone.now())

    def in_trash(self) -> ArticleQuerySet:
        """Return articles moved to the trash: kept whole, seen by no reader, until the trash is emptied."""
        return self.filter(status=self.model.Status.TRASHED)

    def outside_trash(self) -> ArticleQuerySet:
        """Return articles that are not in the trash."""
        return self.exclude(status=self.model.Status.TRASHED)

    def for_listing(self) -> ArticleQuerySet:
        """Return these articles with category, editor, bylines and tags loaded in 3 queries."""
        return self.select_related("category", "editor").prefetch_related(
            Prefetch("bylines", queryset=self._related("bylines").objects.select_related("author")),
            "tags",
        )

    def in_category(self, category: Category) -> ArticleQuerySet:
        """Return articles in ``category`` or any category below it (no join: listings stay index-only)."""
        return self.filter(category_id__in=self._related("category").objects.subtree(category).values("pk"))

    def in_categories(self, categories: list[Category]) -> ArticleQuerySet:
        """Return articles in any of ``categories``, a subtree already read (``subtree_at()``).

        The ids as a list, not a subquery: the listing index then filters them itself, where a
        subquery joins each article to its category, which on page 50 is a thousand lookups.
        """
        return self.filter(category_id__in=[category.pk for category in categories])

    def in_category_at(self, path: str) -> ArticleQuerySet:
        """Return articles in the category at ``path`` or any category below it (none when there is no
        such category), in one query: the API filters by path without reading the category first."""
        return self.filter(
            category_id__in=self._related("category").objects.filter(_at_or_below(path)).values("pk")
        )

    def by_author(self, author: Author) -> ArticleQuerySet:
        """Return articles with ``author`` in their byline."""
        return self.filter(bylines__author=author)

    def edited_by(self, author: Author) -> ArticleQuerySet:
        """Return articles ``author`` was the responsible editor (责任编辑) of."""
        return self.filter(editor=author)

    def months(self) -> list[tuple[int, list[tuple[dt.date, int]]]]:
        """Return [(year, [(first day of a month, article count)])] of these articles, newest first,
        in the site's time zone, in one query."""
        counts = (
            self.order_by()
            .annotate(month=TruncMonth("published_at"))
            .values("month")
            .annotate(count=Count("pk"))
            .order_by("-month")
        )
        years: dict[int, list[tuple[dt.date, int]]] = {}
        for row in counts:
            month = row["month"].date()
            years.setdefault(month.year, []).append((month, row["count"]))
        return list(years.items())

    def tagged(self, tag: Tag) -> ArticleQuerySet:
        """Return articles carrying ``tag``."""
        return self.filter(tagged_items__tag=tag)

    def owned_by(self, user) -> ArticleQuerySet:
        """Return articles ``user`` created or whose byline names ``user``'s author profile."""
        if not user.is_authenticated:
            return self.none()
        bylined = self._related("bylines").objects.filter(author__user=user).values("article_id")
        return self.filter(Q(created_by=user) | Q(pk__in=bylined))

    def page(self, offset: int, count: int) -> list[Article]:
        """Return the ``count`` articles after the first ``offset``, in this queryset's order.

        A deep page first finds its ids, which the ``article_listing`` index answers without
        reading the skipped articles' rows, then loads just those rows: page 50 costs about
        what page 1 does.
        """
        if offset == 0:
            return list(self[:count])
        ids = self.values("pk")[offset : offset + count]
        # The rows by id alone: repeating this queryset's conditions around the subquery would only
        # make the query longer to compile. What the rows load, and their order, stay this queryset's.
        rows = self.model._base_manager.filter(pk__in=Subquery(ids)).annotate(**self.query.annotations)
        rows.query.select_related = self.query.select_related
        rows.query.deferred_loading = self.query.deferred_loading
        return list(rows.order_by(*(self.query.order_by or self.model._meta.ordering or ())))

    def featured(self) -> ArticleQuerySet:
        """Return articles the editors marked as featured."""
        return self.filter(is_featured=True)

    def for_summaries(self) -> ArticleQuerySet:
        """Return these articles with what a listing shows, and the category, in one query.

        Bodies and import records stay in the database: a listing shows none of them.
        """
        return self.select_related("category").defer(*SUMMARY_DEFERRED_FIELDS)

    def in_archive(self, year: int, month: int | None = None, day: int | None = None) -> ArticleQuerySet:
        """Return articles published on that year, month or day, in the site's time zone.

        A range on ``published_at`` rather than ``__year``/``__month`` lookups, so the index serves it.
        """
        start, end = archive_range(year, month, day)
        return self.filter(published_at__gte=start, published_at__lt=end)

    def search(self, text: str, limit: int | None = None) -> ArticleQuerySet:
        """Return articles containing every word of ``text``, title matches first, then newest.

        Chinese words of any length match (see ``articles.search``); an empty query matches nothing.
        ``limit`` says how many of the best results will be read at most (``offset + count``):
        PostgreSQL then ranks inside the search index and loads only those articles.
        """
        query = search.Query.parse(text)
        if not query:
            return self.none()
        in_title = Q()
        for word in query.words:
            in_title &= Q(title__icontains=word)
        return (
            self.filter(pk__in=search.matching_ids(query, limit))
            .annotate(title_match=Case(When(in_title, then=Value(1)), default=Value(0)))
            .order_by("-title_match", "-published_at", "-id")
        )

    def next_publication_time(self) -> dt.datetime | None:
        """Return when the next scheduled article appears, or None when none is scheduled."""
        return self.scheduled().aggregate(next=Min("published_at"))["next"]

    def clean_unmarked_bodies(self) -> tuple[int, int]:
        """Clean and mark the bodies of these articles that carry no valid mark; return (checked, cleaned).

        For rows written around ``save()`` (``loaddata``, ``update()``, raw SQL, a restored backup)
        and after a new ``SANITISER_VERSION`` or secret key: until then their pages clean them on
        every render (``Article.safe_body``). Written with ``update()``, as this is no edit (no new
        version), and only where the body is still the one read, so a concurrent edit wins.
        """
        checked, cleaned, reindex = 0, 0, []
        for pk, body, body_mark in self.values_list("pk", "body", "body_mark").iterator(chunk_size=200):
            checked += 1
            if body_marks.is_marked(body, body_mark):
                continue
            clean = sanitise(body)
            if self.model._default_manager.filter(pk=pk, body=body).update(
                body=clean, body_mark=body_marks.mark(clean)
            ):
                cleaned += 1
                if clean != body:
                    reindex.append(pk)
        if reindex:
            self.model._default_manager.filter(pk__in=reindex).refresh_search_index()
        return checked, cleaned

    def refresh_search_index(self) -> int:
        """Rewrite the search-index rows of these articles, one statement each; return how many.

        For writes that bypass ``save()`` (``QuerySet.update()``, raw SQL); ``save()`` indexes by itself.
        """
        return search.rebuild(
            self.only("pk", "title", "subtitle", "summary", "body", "status", "published_at").iterator(
                chunk_size=500
            ),
            clear=False,
        )


def archive_range(
    year: int, month: int | None = None, day: int | None = None
) -> tuple[dt.datetime, dt.datetime]:
    """Return the start (included) and end (excluded) of a year, month or day in the site's time zone."""
    first = dt.date(year, month or 1, day or 1)
    if day:
        after = first + dt.timedelta(days=1)
    elif month:
        after = dt.date(year + month // 12, month % 12 + 1, 1)
    else:
        after = dt.date(year + 1, 1, 1)
    zone = timezone.get_default_timezone()
    return dt.datetime.combine(first, dt.time.min, tzinfo=zone), dt.datetime.combine(
        after, dt.time.min, tzinfo=zone
    )


_ArticleManagerBase = models.Manager.from_queryset(ArticleQuerySet)


class ArticleManager(_ArticleManagerBase["Article"]):
    """The article querysets as ``Article.objects``.

    The article page's reads in plain SQL are the reader site's (``articles.site.article_page``).
    """


class PreviewLinkQuerySet(models.QuerySet["PreviewLink"]):
    def live(self) -> PreviewLinkQuerySet:
        """Return the links that still show their article: neither ended nor expired."""
        return self.filter(ended_at__isnull=True, expires_at__gt=timezone.now())

    def end(self) -> int:
        """End these links now (revoked, or their article published or trashed); return how many ended."""
        return self.filter(ended_at__isnull=True).update(ended_at=timezone.now())
