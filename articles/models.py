"""The newsroom content model: categories, authors, tags, articles; share links, media library, autosaves."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Case, Count, F, Min, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Lower, Now, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import ItemBase, TagBase

from articles import body_marks, reading, search
from articles.addresses import path_to
from articles.images import delete_renditions, original_of, renditions_to_record, validate_image_field
from articles.rows import Columns, columns, fetch_all
from articles.safe_urls import WebURLField, check_web_urls
from articles.sanitise import sanitise
from articles.slugs import slug_from_text

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
RELATED_TAGS = 8
RELATED_PER_TAG = 12
# What readers see of an article: an edit of one of these after publication is a revision.
READER_VISIBLE_FIELDS = (
    "title", "subtitle", "summary", "body", "lead_image", "lead_image_url", "lead_image_caption",
    "lead_image_credit", "category_id", "editor_id", "source_name", "source_url", "credits",
    "rights_notice", "published_at",
)  # fmt: skip
# What around() reads of each candidate: what the page shows of it, and what ranks it.
AROUND_FIELDS = ("id", "title", "slug", "published_at", "category_id", "title_language")


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


class Category(models.Model):
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("Leave empty for a top-level section."),
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        blank=True,
        help_text=_("Part of the address. Made from the name when left empty."),
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Smaller numbers come first among siblings.")
    )
    path = models.CharField(_("address path"), max_length=700, unique=True, editable=False)
    name_path = models.CharField(_("full name"), max_length=1000, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "slug"], name="category_unique_slug_in_parent"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(parent__isnull=True), name="category_unique_root_slug"
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="category_unique_root_name"
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="category_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name_path or self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slug_from_text(self.name)
        old_path = self.path
        self._compute_paths()
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                for child in self.children.all():
                    child.save()

    def get_absolute_url(self) -> str:
        return path_to("articles:category", "path", self.path)

    def clean(self) -> None:
        if self.pk and self.parent_id:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("A category cannot sit inside itself.")})
                ancestor = ancestor.parent

    def _compute_paths(self) -> None:
        parent = self.parent
        if parent is not None:
            self.path = parent.path + PATH_SEPARATOR + self.slug
            self.name_path = parent.name_path + NAME_PATH_SEPARATOR + self.name
            self.depth = parent.depth + 1
        else:
            self.path, self.name_path, self.depth = self.slug, self.name, 0

    def ancestors(self, include_self: bool = False) -> CategoryQuerySet:
        """Return the categories above this one, top first, in one query."""
        parts = self.path.split(PATH_SEPARATOR)
        prefixes = [
            PATH_SEPARATOR.join(parts[:end]) for end in range(1, len(parts) + (1 if include_self else 0))
        ]
        return Category.objects.filter(path__in=prefixes).order_by("depth")

    def trail(self) -> list[tuple[str, str]]:
        """Return [(name, url)] of the categories above this one and itself, top first.

        Read from ``path`` and ``name_path`` without a query, unless a name contains the separator.
        """
        slugs = self.path.split(PATH_SEPARATOR)
        names = self.name_path.split(NAME_PATH_SEPARATOR)
        if len(names) != len(slugs):
            return [(c.name, c.get_absolute_url()) for c in self.ancestors(include_self=True)]
        return [
            (name, path_to("articles:category", "path", PATH_SEPARATOR.join(slugs[: depth + 1])))
            for depth, name in enumerate(names)
        ]

    def descendants(self) -> CategoryQuerySet:
        """Return every category below this one, at any depth, in one query."""
        return Category.objects.filter(path__startswith=self.path + PATH_SEPARATOR)


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
            namesake = self.select_for_update().filter(kind=Author.Kind.PERSON, name=name).first()
            if namesake is not None and namesake.user_id is None:
                namesake.user = user
                namesake.save(update_fields=["user"])
                return namesake
            if namesake is not None:
                name = f"{name}（{user.get_username()}）"
            return self.create(name=name, kind=Author.Kind.PERSON, user=user)


class Author(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.PERSON,
        help_text=_("An organisation is a wire service or outlet, such as 快科技."),
    )
    bio = models.TextField(_("biography"), blank=True)
    avatar = models.ImageField(
        _("avatar"), upload_to="authors/%Y/", blank=True, validators=[validate_image_field]
    )
    website = WebURLField(_("website"), max_length=500, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text=_(
            "The login this person uses, if they work in the newsroom. Their articles get this byline "
            "by default; made for each staff account the first time it writes."
        ),
    )

    objects = AuthorManager()

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="author_unique_name_per_kind")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        check_web_urls(self)
        if not self.slug:
            self.slug = unique_slug(Author, slug_from_text(self.name), exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return path_to("articles:author", "slug", self.slug)

    def get_edited_url(self) -> str:
        """Return the address of the page listing the articles this person was the responsible editor of."""
        return path_to("articles:editor", "slug", self.slug)


class Tag(TagBase):
    source_slug = models.CharField(
        _("source slug"),
        max_length=100,
        blank=True,
        help_text=_("The tag's slug on the site it was imported from, e.g. zhangyong."),
    )

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            # "eVTOL" and "EVTOL" are one tag (TAGGIT_CASE_INSENSITIVE); the index also serves lookups.
            models.UniqueConstraint(Lower("name"), name="tag_unique_lowercase_name")
        ]

    def slugify(self, tag: str, i: int | None = None) -> str:
        slug = self.source_slug or slug_from_text(tag)
        return f"{slug}-{i}" if i is not None else slug

    def get_absolute_url(self) -> str:
        return path_to("articles:tag", "slug", self.slug)


class TaggedArticle(ItemBase):
    """Tag ↔ article link with a real foreign key, so tag queries join, not scan."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = _("tagged article")
        verbose_name_plural = _("tagged articles")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_article_unique")
        ]
        # A tag's newest articles without a sort, for tag pages and related articles.
        indexes = [models.Index(fields=["tag", "-content_object"], name="tagged_article_by_tag")]


@dataclass(frozen=True)
class ArticlePage:
    """An article as its page shows it: with its category and editor loaded, its bylines (each with
    its author) in order, and its tags in the order they were given."""

    article: Article
    bylines: list[Byline]
    tags: list[Tag]


@dataclass(frozen=True)
class Surroundings:
    """What an article page shows around the article: related articles, previous and next."""

    related: list[Article]
    previous: Article | None
    next: Article | None


def _union_all(statements: list[tuple[str, list]]) -> tuple[str, list]:
    """Return one subquery (SQL and parameters) selecting the rows of every (sliced, ordered)
    single-column SQL statement.

    A single ``IN (… UNION ALL …)`` lets the database look each candidate up by primary key, where
    ``IN (…) OR IN (…)`` makes PostgreSQL scan the table. Each part is wrapped in its own
    ``SELECT * FROM (…)`` because SQLite refuses LIMIT and ORDER BY inside a compound select.
    """
    parts, params = [], []
    for number, (sql, part_params) in enumerate(statements):
        parts.append(f"SELECT * FROM ({sql}) AS candidate_{number}")
        params.extend(part_params)
    return " UNION ALL ".join(parts), params


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self, at: dt.datetime | None = None) -> ArticleQuerySet:
        """Return what readers may see (at ``at``, by default now): published, and whose time has come.

        The one definition: the article page's plain-SQL reads use it compiled
        (``published_condition()``).
        """
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=at or timezone.now())

    def scheduled(self) -> ArticleQuerySet:
        """Return published articles whose time has not come yet."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__gt=timezone.now())

    def in_trash(self) -> ArticleQuerySet:
        """Return articles moved to the trash: kept whole, seen by no reader, until the trash is emptied."""
        return self.filter(status=Article.Status.TRASHED)

    def outside_trash(self) -> ArticleQuerySet:
        """Return articles that are not in the trash."""
        return self.exclude(status=Article.Status.TRASHED)

    def for_listing(self) -> ArticleQuerySet:
        """Return these articles with category, editor, bylines and tags loaded in 3 queries."""
        return self.select_related("category", "editor").prefetch_related(
            Prefetch("bylines", queryset=Byline.objects.select_related("author")),
            "tags",
        )

    def in_category(self, category: Category) -> ArticleQuerySet:
        """Return articles in ``category`` or any category below it (no join: listings stay index-only)."""
        return self.filter(category_id__in=Category.objects.subtree(category).values("pk"))

    def in_categories(self, categories: list[Category]) -> ArticleQuerySet:
        """Return articles in any of ``categories``, a subtree already read (``subtree_at()``).

        The ids as a list, not a subquery: the listing index then filters them itself, where a
        subquery joins each article to its category, which on page 50 is a thousand lookups.
        """
        return self.filter(category_id__in=[category.pk for category in categories])

    def in_category_at(self, path: str) -> ArticleQuerySet:
        """Return articles in the category at ``path`` or any category below it (none when there is no
        such category), in one query: the API filters by path without reading the category first."""
        return self.filter(category_id__in=Category.objects.filter(_at_or_below(path)).values("pk"))

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
        bylined = Byline.objects.filter(author__user=user).values("article_id")
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
            if Article.objects.filter(pk=pk, body=body).update(body=clean, body_mark=body_marks.mark(clean)):
                cleaned += 1
                if clean != body:
                    reindex.append(pk)
        if reindex:
            Article.objects.filter(pk__in=reindex).refresh_search_index()
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


# A time no article is published at: it shows where the time goes in published()'s compiled SQL.
_STAND_IN_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def published_condition() -> tuple[str, list]:
    """Return ``published()``'s condition on the article table, as SQL and parameters, for now."""
    sql, compiled_params, time_index = _compiled_published_condition(connection.vendor)
    params = list(compiled_params)
    params[time_index] = database_time(timezone.now())
    return sql, params


@functools.cache
def _compiled_published_condition(vendor: str) -> tuple[str, tuple, int]:
    """Return ``published()``'s WHERE clause compiled for ``vendor``, its parameters, and which is the time.

    Compiled once per process: only the SQL text is kept, the time is put in at each use.
    """
    query = Article.objects.published(at=_STAND_IN_TIME).query
    sql, params = query.where.as_sql(query.get_compiler(connection=connection), connection)
    return f"({sql})", tuple(params), params.index(database_time(_STAND_IN_TIME))


def database_time(moment: dt.datetime):
    """Return ``moment`` as the database compares it with ``published_at`` (text on SQLite), for plain SQL."""
    return Article._meta.get_field("published_at").get_db_prep_value(moment, connection)


_ArticleManagerBase = models.Manager.from_queryset(ArticleQuerySet)


class ArticleManager(_ArticleManagerBase["Article"]):
    """The article querysets, plus the article page's reads in plain SQL.

    The article page is the most read page. For its four queries the ORM spent about 7 ms compiling
    and running the prefetch machinery, where the database answers in well under 1 ms. Its two
    statements are written by hand, once per process, and on PostgreSQL kept prepared
    (``articles.rows``). What readers may see still comes from ``published()``, compiled.
    """

    def published_page(self, slug: str) -> ArticlePage:
        """Return the page of the published article with ``slug``, in one query; raise DoesNotExist."""
        rows = fetch_all(_page_sql(connection.vendor, by_slug=True), [slug, *published_condition()[1]] * 3)
        if not rows or rows[0][0] != _ARTICLE_ROW:
            raise self.model.DoesNotExist(f"No published article has the slug {slug!r}.")
        article = _page_instance(rows[0], "article")
        Article.category.field.set_cached_value(article, _page_instance(rows[0], "category"))
        Article.editor.field.set_cached_value(article, _page_instance(rows[0], "editor"))
        return _page(article, rows[1:])

    def page_of(self, article: Article) -> ArticlePage:
        """Return the page of ``article``, already loaded with its category and editor (a preview), in one query."""
        return _page(article, fetch_all(_page_sql(connection.vendor, by_slug=False), [article.pk] * 2))

    def pages_of(self, articles: list[Article]) -> list[ArticlePage]:
        """Return the pages of ``articles``, already loaded (a listing), their bylines and tags read
        in one query for all of them; the pages come in the order of ``articles``."""
        if not articles:
            return []
        ids = [article.pk for article in articles]
        bylines: dict[int, list[Byline]] = {pk: [] for pk in ids}
        tags: dict[int, list[Tag]] = {pk: [] for pk in ids}
        by_id = dict(zip(ids, articles, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(_pages_sql(connection.vendor, len(ids)), ids * 2)
            rows = cursor.fetchall()
        for row in rows:
            if row[0] == _BYLINE_ROW:
                byline = _page_instance(row, "byline")
                Byline.author.field.set_cached_value(byline, _page_instance(row, "author"))
                Byline.article.field.set_cached_value(byline, by_id[byline.article_id])
                bylines[byline.article_id].append(byline)
            else:
                tags[row[1]].append(_page_instance(row, "tag"))
        return [
            ArticlePage(article=article, bylines=bylines[article.pk], tags=tags[article.pk])
            for article in articles
        ]

    def around(self, article: Article, tag_ids: list[int], limit: int = 4) -> Surroundings:
        """Return the related articles and the previous and next ones of ``article``, among the published
        ones, in one query.

        Related articles share tags or the category with ``article``, most shared tags first, then
        same category, then newest. Candidates are the newest few carrying each tag and the newest
        few in the category, so the cost does not grow with the archive. Previous and next follow
        publication order within the article's category.
        """
        if article.published_at is None:
            # A draft being previewed has no place in publication order yet.
            return Surroundings(related=[], previous=None, next=None)
        moment, pk = article.published_at, article.pk
        visible, visible_params = published_condition()
        at = database_time(moment)
        table, tagged = Article._meta.db_table, TaggedArticle._meta.db_table
        # Previous and next within the article's category (the article_in_category index), or among
        # all articles for one without a category. The redundant range (<= / >=) lets the index
        # start at the article.
        same_section, section_params = (
            ("category_id = %s", [article.category_id])
            if article.category_id
            else (
                "category_id IS NULL",
                [],
            )
        )
        candidates = [
            (
                f"SELECT id FROM {table} WHERE {visible} AND {same_section} AND published_at <= %s"
                " AND (published_at < %s OR id < %s) ORDER BY published_at DESC, id DESC LIMIT 1",
                [*visible_params, *section_params, at, at, pk],
            ),
            (
                f"SELECT id FROM {table} WHERE {visible} AND {same_section} AND published_at >= %s"
                " AND (published_at > %s OR id > %s) ORDER BY published_at, id LIMIT 1",
                [*visible_params, *section_params, at, at, pk],
            ),
        ]
        if article.category_id:
            candidates.append(
                (
                    f"SELECT id FROM {table} WHERE {visible} AND category_id = %s"
                    f" ORDER BY published_at DESC LIMIT {int(limit) + 1}",
                    [*visible_params, article.category_id],
                )
            )
        # A tag's newest articles, straight from the tagged_article_by_tag index; visibility is
        # checked by the outer query.
        candidates += [
            (
                f"SELECT content_object_id FROM {tagged} WHERE tag_id = %s "
                f"ORDER BY content_object_id DESC LIMIT {RELATED_PER_TAG}",
                [tag_id],
            )
            for tag_id in tag_ids[:RELATED_TAGS]
        ]
        union, union_params = _union_all(candidates)
        if connection.vendor == "postgresql":
            # The candidates as one array, looked up by primary key: with IN (…) PostgreSQL may
            # hash them against a scan of the whole table, bodies and all, when it is small.
            among_candidates = f"{table}.id = ANY(ARRAY({union}))"
        else:
            among_candidates = f"{table}.id IN ({union})"
        shared_ids = tag_ids[:RELATED_TAGS] or [0]
        fields = columns(Article, *AROUND_FIELDS, annotations=("shared_tags",))
        quote = connection.ops.quote_name
        published_at, id_, category_id = quote("published_at"), quote("id"), quote("category_id")
        candidate = (
            f"SELECT {fields.select_list()}, (SELECT COUNT(*) FROM {tagged} AS shared"
            f" WHERE shared.content_object_id = {table}.id"
            f" AND shared.tag_id IN ({', '.join(['%s'] * len(shared_ids))})) AS shared_tags"
            f" FROM {table} WHERE {visible} AND {among_candidates} AND {table}.id <> %s"
        )
        # Ranked in the database, which returns only what the page shows (the candidates can be
        # a hundred): the previous and next in the category, then the related articles.
        in_section = f"{category_id} = %s" if article.category_id else f"{category_id} IS NULL"
        related_if, related_order = "shared_tags > 0", "shared_tags DESC"
        related_params: list = []
        if article.category_id:
            related_if += f" OR {category_id} = %s"
            related_order += f", CASE WHEN {category_id} = %s THEN 1 ELSE 0 END DESC"
            related_params = [article.category_id, article.category_id]
        shown, shown_params = _union_all(
            [
                (
                    f"SELECT *, {_PREVIOUS} AS role FROM candidate WHERE {in_section}"
                    f" AND ({published_at} < %s OR ({published_at} = %s AND {id_} < %s))"
                    f" ORDER BY {published_at} DESC, {id_} DESC LIMIT 1",
                    [*section_params, at, at, pk],
                ),
                (
                    f"SELECT *, {_NEXT} AS role FROM candidate WHERE {in_section}"
                    f" AND ({published_at} > %s OR ({published_at} = %s AND {id_} > %s))"
                    f" ORDER BY {published_at}, {id_} LIMIT 1",
                    [*section_params, at, at, pk],
                ),
                (
                    f"SELECT *, {_RELATED} AS role FROM candidate WHERE {related_if}"
                    f" ORDER BY {related_order}, {published_at} DESC, {id_} DESC LIMIT {int(limit)}",
                    related_params,
                ),
            ]
        )
        rows = fetch_all(
            f"WITH candidate AS ({candidate}) {shown}",
            [*shared_ids, *visible_params, *union_params, pk, *shown_params],
        )
        role = len(fields)
        surroundings = Surroundings(related=[], previous=None, next=None)
        for row, record in zip(rows, fields.records(rows), strict=True):
            instance = fields.from_record(record)
            if row[role] == _PREVIOUS:
                surroundings = dataclasses.replace(surroundings, previous=instance)
            elif row[role] == _NEXT:
                surroundings = dataclasses.replace(surroundings, next=instance)
            else:
                surroundings.related.append(instance)
        return surroundings


# The roles of around()'s rows.
_PREVIOUS, _NEXT, _RELATED = 0, 1, 2


# The article page's read: one UNION ALL of three kinds of rows, the article (with its category and
# editor), its bylines (with their authors) and its tags, so that one round trip brings them all. A
# row holds its kind and two sort keys, then the columns of every group of _page_groups(), NULL in
# the groups that are not its kind's.
_ARTICLE_ROW, _BYLINE_ROW, _TAG_ROW = 0, 1, 2


@functools.cache
def _page_groups() -> dict[str, tuple[Columns, int]]:
    """Return the column groups of a page row by name, each with the index of its first column."""
    groups = {
        "article": columns(Article),
        "category": columns(Category),
        "editor": columns(Author),
        "byline": columns(Byline),
        "author": columns(Author),
        "tag": columns(Tag),
    }
    layout, start = {}, 3  # after the kind and the two sort keys
    for name, group in groups.items():
        layout[name] = (group, start)
        start += len(group)
    return layout


def _page_instance(row: tuple, name: str) -> Any:
    """Return the instance the group ``name`` of a page row holds (None for a LEFT JOIN's no match);
    its model is the group's, hence ``Any``."""
    group, start = _page_groups()[name]
    return group.instance(row, start)


def _page(article: Article, rows: list[tuple]) -> ArticlePage:
    """Return ``article``'s page from the byline and tag rows of ``_page_sql()``."""
    bylines, tags = [], []
    for row in rows:
        if row[0] == _BYLINE_ROW:
            byline = _page_instance(row, "byline")
            Byline.author.field.set_cached_value(byline, _page_instance(row, "author"))
            Byline.article.field.set_cached_value(byline, article)
            bylines.append(byline)
        else:
            tags.append(_page_instance(row, "tag"))
    return ArticlePage(article=article, bylines=bylines, tags=tags)


@functools.cache
def _page_sql(vendor: str, by_slug: bool) -> str:
    """Return the SQL of the page of the published article with a slug (``by_slug``), or of the
    bylines and tags of the article with an id (a preview); written once per process and backend.

    Bylines come in ``Byline.Meta.ordering`` (position, id); tags by the id of their link, which is
    how taggit orders ``article.tags.all()``.
    """
    groups = {name: group for name, (group, _start) in _page_groups().items()}
    article, category, author = groups["article"].table, groups["category"].table, groups["author"].table
    byline, tag = groups["byline"].table, groups["tag"].table
    tagged = connection.ops.quote_name(TaggedArticle._meta.db_table)
    if by_slug:
        which = f"{article}.slug = %s AND {_compiled_published_condition(vendor)[0]}"
    else:
        which = f"{article}.id = %s"

    def select(kind: int, sort_keys: str, *filled: str) -> str:
        values = [group.select_list() if name in filled else _nulls(group) for name, group in groups.items()]
        return f"SELECT {kind}, {sort_keys}, {', '.join(values)}"

    parts = [
        f"{select(_BYLINE_ROW, f'{byline}.position, {byline}.id', 'byline', 'author')} FROM {byline}"
        f" INNER JOIN {author} ON {author}.id = {byline}.author_id"
        f" INNER JOIN {article} ON {article}.id = {byline}.article_id WHERE {which}",
        f"{select(_TAG_ROW, f'0, {tagged}.id', 'tag')} FROM {tag}"
        f" INNER JOIN {tagged} ON {tagged}.tag_id = {tag}.id"
        f" INNER JOIN {article} ON {article}.id = {tagged}.content_object_id WHERE {which}",
    ]
    if by_slug:
        article_row = (
            f"{select(_ARTICLE_ROW, '0, 0', 'article', 'category', 'editor')} FROM {article}"
            f" LEFT OUTER JOIN {category} ON {category}.id = {article}.category_id"
            f" LEFT OUTER JOIN {author} ON {author}.id = {article}.editor_id WHERE {which}"
        )
        parts.insert(0, article_row)
    return " UNION ALL ".join(parts) + " ORDER BY 1, 2, 3"


@functools.lru_cache(maxsize=256)
def _pages_sql(vendor: str, count: int) -> str:
    """Return the SQL of the bylines and tags of ``count`` articles (their ids the parameters, twice),
    in the rows of ``_page_sql()``: a tag row's first sort key is its article's id, so that each
    article's tags come together, in the order they were given."""
    groups = {name: group for name, (group, _start) in _page_groups().items()}
    author, byline, tag = groups["author"].table, groups["byline"].table, groups["tag"].table
    tagged = connection.ops.quote_name(TaggedArticle._meta.db_table)
    marks = ", ".join(["%s"] * count)

    def select(kind: int, sort_keys: str, *filled: str) -> str:
        values = [group.select_list() if name in filled else _nulls(group) for name, group in groups.items()]
        return f"SELECT {kind}, {sort_keys}, {', '.join(values)}"

    return (
        f"{select(_BYLINE_ROW, f'{byline}.position, {byline}.id', 'byline', 'author')} FROM {byline}"
        f" INNER JOIN {author} ON {author}.id = {byline}.author_id WHERE {byline}.article_id IN ({marks})"
        f" UNION ALL {select(_TAG_ROW, f'{tagged}.content_object_id, {tagged}.id', 'tag')} FROM {tag}"
        f" INNER JOIN {tagged} ON {tagged}.tag_id = {tag}.id WHERE {tagged}.content_object_id IN ({marks})"
        " ORDER BY 1, 2, 3"
    )


def _nulls(group: Columns) -> str:
    """Return NULLs for the columns of ``group``, typed: PostgreSQL resolves a UNION's column types a
    pair of SELECTs at a time, and two untyped NULLs make a text column."""
    return ", ".join(f"CAST(NULL AS {field.cast_db_type(connection)})" for field in group.fields)


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")
        TRASHED = "trashed", _("In the trash")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        blank=True,
        help_text=_(
            "The article's address. Made from the title when left empty. "
            "Changing it keeps the old address redirecting here."
        ),
    )
    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One or two sentences for listings and search results.")
    )
    body = models.TextField(_("body"), blank=True, help_text=_("Cleaned of unsafe markup when saved."))
    body_mark = models.CharField(
        _("body mark"),
        max_length=body_marks.MARK_LENGTH,
        blank=True,
        editable=False,
        help_text=_("Proves the body was cleaned when saved; pages clean again a body without it."),
    )
    authors = models.ManyToManyField(
        Author, through="Byline", related_name="articles", verbose_name=_("authors"), blank=True
    )
    editor = models.ForeignKey(
        Author,
        verbose_name=_("responsible editor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="edited_articles",
        help_text=_("责任编辑: the editor answerable for this article."),
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    tags = TaggableManager(verbose_name=_("tags"), through=TaggedArticle, blank=True)
    lead_image = models.ImageField(
        _("lead image"),
        upload_to="articles/%Y/%m/",
        blank=True,
        validators=[validate_image_field],
        help_text=_("JPEG, PNG, GIF or WebP. Smaller copies for phones are made automatically."),
    )
    lead_image_url = WebURLField(
        _("lead image address"),
        max_length=1000,
        blank=True,
        help_text=_("A remote image, used when no image is uploaded."),
    )
    lead_image_renditions = models.JSONField(
        _("smaller copies of the lead image"), default=dict, blank=True, editable=False
    )
    thumbnail_url = WebURLField(_("thumbnail address"), max_length=1000, blank=True)
    lead_image_caption = models.CharField(_("caption"), max_length=300, blank=True)
    lead_image_credit = models.CharField(_("image credit"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("A future time schedules the article: it appears by itself at that time."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    is_featured = models.BooleanField(_("featured"), default=False)
    allow_comments = models.BooleanField(_("comments allowed"), default=True)
    source_name = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("The outlet that first published it.")
    )
    source_url = WebURLField(_("original link"), max_length=1000, blank=True, help_text=_("原文链接"))
    credits = models.TextField(
        _("credit lines"),
        blank=True,
        help_text=_("Credit lines of the original, one per line, e.g. 作者：… ；公众号：…"),
    )
    rights_notice = models.CharField(
        _("rights notice"),
        max_length=500,
        blank=True,
        help_text=_("The original's reprint or copyright notice, e.g. 本文由 @… 原创发布于…"),
    )
    import_source_path = models.CharField(_("imported from"), max_length=1000, blank=True, editable=False)
    import_key = models.CharField(
        _("import key"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    import_hash = models.CharField(_("imported content hash"), max_length=64, blank=True, editable=False)
    import_fingerprint = models.CharField(
        _("imported fields digest"), max_length=64, blank=True, editable=False
    )
    import_version = models.PositiveIntegerField(_("version written by import"), null=True, editable=False)
    front_matter = models.JSONField(
        _("other front matter"),
        default=dict,
        blank=True,
        help_text=_("Front-matter keys of the imported document that have no field of their own."),
    )
    import_notes = models.JSONField(_("import notes"), default=list, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_articles",
        editable=False,
        help_text=_("The login that created the article; a writer may edit their own drafts."),
    )
    review_note = models.TextField(
        _("note from the editor"),
        blank=True,
        help_text=_("Why the article was sent back to draft, and what to change."),
    )
    # Worked out from the text on every save (articles/reading.py), so pages need not.
    title_language = models.CharField(
        _("language of the title"),
        max_length=16,
        blank=True,
        editable=False,
        help_text=_("zh-Hans, zh-Hant or ja, detected when saved; empty without Chinese or Japanese text."),
    )
    body_language = models.CharField(
        _("language of the text"),
        max_length=16,
        blank=True,
        editable=False,
        help_text=_("zh-Hans, zh-Hant or ja, detected when saved; empty without Chinese or Japanese text."),
    )
    reading_minutes = models.PositiveSmallIntegerField(_("reading time (minutes)"), default=0, editable=False)
    revised_at = models.DateTimeField(
        _("last revised"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When what readers see last changed: the source's update time for imported articles, "
            "the publication time, or the last edit made after publication."
        ),
    )
    status_before_trash = models.CharField(
        _("status before the trash"), max_length=20, choices=Status.choices, blank=True, editable=False
    )
    trashed_at = models.DateTimeField(_("moved to the trash"), null=True, blank=True, editable=False)
    trashed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moved to the trash by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ArticleManager()

    # The body as this process last cleaned it (or the importer did): saving it again needs no cleaning.
    _clean_body: str | None = None
    # The slug take_free_slug() found free: saving it needs no check.
    _free_slug: str | None = None

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_published"),
            # Listings in publication order: a deep page's ids come from the index alone
            # (ArticleQuerySet.page), the category included for category pages. A key column,
            # not INCLUDE, which SQLite lacks.
            models.Index(fields=["status", "-published_at", "-id", "category"], name="article_listing"),
            # Previous, next and newest within one category (ArticleManager.around), however small.
            models.Index(fields=["category", "-published_at", "-id"], name="article_in_category"),
            # The home page's few featured articles, without reading every published one.
            models.Index(
                fields=["-published_at", "-id"], condition=Q(is_featured=True), name="article_featured"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_time",
            )
        ]
        permissions = [
            ("publish_article", _("Can publish, schedule, unpublish and archive articles")),
            ("change_any_article", _("Can edit articles of other people, in any status")),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, imported: bool = False, **kwargs) -> None:
        """Save, cleaning the body and counting a new version; ``imported`` marks the importer's writes.

        Raise ValidationError, naming the field, for an address that is not http or https.
        """
        check_web_urls(self)
        if self.body != self._clean_body and not body_marks.is_marked(self.body, self.body_mark):
            self.body = sanitise(self.body)
        self._clean_body = self.body
        self.body_mark = body_marks.mark(self.body)
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_mark"}
        # A slug from unique_slug() is free by construction: it skips other articles' old addresses too.
        slug_given = bool(self.slug) and self.slug != self._free_slug
        if not self.slug:
            self.take_free_slug(slug_from_text(self.title))
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self._read_text()
        # Refused before writing anything, so a caller's transaction stays usable.
        stored = self._stored() if self.pk else None
        if slug_given and (stored is None or stored["slug"] != self.slug):
            self.check_slug_is_not_an_old_address()
        # Publishing (scheduling included) ends the article's share links: readers will see it.
        publishing = (
            stored is not None and self.status == self.Status.PUBLISHED and stored["status"] != self.status
        )
        # savepoint=False: inside a caller's transaction a failure fails that transaction anyway.
        with transaction.atomic(savepoint=False):
            if self.pk:
                self.version = (self.version or 0) + 1
                self._keep_old_slug_redirecting(stored)
            self._note_revision(stored, imported)
            if imported:
                self.import_version = self.version
            super().save(*args, **kwargs)
            if publishing:
                self.preview_links.live().end()

    def get_absolute_url(self) -> str:
        return path_to("articles:detail", "slug", self.slug)

    @property
    def safe_body(self):
        """Return the body as HTML for a page: as stored when its mark proves it was cleaned, else cleaned now.

        Whatever wrote the row (``loaddata``, ``update()``, raw SQL, a restored backup), a page never
        shows a body this sanitiser did not clean (``articles.body_marks``).
        """
        return body_marks.safe_body(self.body, self.body_mark, label=f"article {self.pk}")

    @property
    def is_published(self) -> bool:
        """Return whether readers can see the article now."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        """Return whether the article is published with a time still to come."""
        return (
            self.status == self.Status.PUBLISHED and self.published_at is not None and not self.is_published
        )

    def breadcrumbs(self) -> list[tuple[str, str]]:
        """Return [(name, url)] of the article's category and those above it, top first, without a query."""
        return self.category.trail() if self.category is not None else []

    @property
    def edited_since_import(self) -> bool:
        """Return whether someone saved the article after the importer last wrote it."""
        return self.import_version is not None and self.version != self.import_version

    def credit_lines(self) -> list[str]:
        """Return the credit lines to show, without the rights notice (shown on its own line)."""
        notice = self.rights_notice.strip()
        return [line for line in self.credits.splitlines() if line.strip() and line.strip() != notice]

    def _read_text(self) -> None:
        """Store what the text tells readers before they read it: its languages and reading time."""
        text = search.plain_text(self.body)
        self.title_language = reading.detect_language(self.title)
        self.body_language = reading.detect_language(" ".join((self.summary, text)))
        self.reading_minutes = reading.reading_minutes(text)

    def _stored(self) -> dict | None:
        """Return the stored row's slug, status and what readers see of it (None for a new article)."""
        return Article.objects.filter(pk=self.pk).values("slug", "status", *READER_VISIBLE_FIELDS).first()

    def _note_revision(self, stored: dict | None, imported: bool) -> None:
        """Move ``revised_at`` to now when an edit changes what readers of the published article see.

        The importer sets it itself (the source's update time); an article is never revised before
        its publication.
        """
        if self.published_at is None:
            return
        was_visible = (
            stored is not None
            and stored["status"] == self.Status.PUBLISHED
            and stored["published_at"] is not None
            and stored["published_at"] <= timezone.now()
        )
        if (
            not imported
            and was_visible
            and stored is not None
            and self.is_published
            and any(getattr(self, name) != stored[name] for name in READER_VISIBLE_FIELDS)
        ):
            self.revised_at = timezone.now()
        if self.revised_at is None or self.revised_at < self.published_at:
            self.revised_at = self.published_at

    def take_free_slug(self, base: str) -> None:
        """Set the slug to ``base`` or ``base-2``, ``base-3``…, the first that no article has or had."""
        self.slug = self._free_slug = unique_slug(Article, base, exclude_pk=self.pk)

    def clean(self) -> None:
        if self.slug:
            self.check_slug_is_not_an_old_address()

    def check_slug_is_not_an_old_address(self) -> None:
        """Raise ValidationError on ``slug`` when it is an old address of another article.

        An old address keeps redirecting to the article that had it (readers' links and search
        engines rely on it): another article taking it would break the redirect and, once
        published, own the address.
        """
        taken = (
            SlugRedirect.objects.filter(old_slug=self.slug)
            .exclude(article_id=self.pk)
            .values_list("article__title", flat=True)
            .first()
        )
        if taken is not None:
            raise ValidationError(
                {
                    "slug": ValidationError(
                        _(
                            "The address “%(slug)s” is taken: it is an old address of “%(title)s”, "
                            "and still leads there. Choose another."
                        ),
                        code="old_address_of_another_article",
                        params={"slug": self.slug, "title": taken},
                    )
                }
            )

    @property
    def can_be_shared(self) -> bool:
        """Return whether a share link may be made: not for a published (or scheduled) article, whose
        publication ends its links, nor for one in the trash."""
        return self.status not in {self.Status.PUBLISHED, self.Status.TRASHED}

    @property
    def in_trash(self) -> bool:
        """Return whether the article is in the trash."""
        return self.status == self.Status.TRASHED

    def move_to_trash(self, user=None) -> None:
        """Put the article in the trash: no reader sees it and its share links end, until it is restored."""
        if self.in_trash:
            return
        with transaction.atomic(savepoint=False):
            self.status_before_trash, self.status = self.status, self.Status.TRASHED
            self.trashed_at, self.trashed_by = timezone.now(), user
            self.save()
            self.preview_links.live().end()

    def restore_from_trash(self) -> None:
        """Take the article out of the trash, back to the status it had (published articles go live again)."""
        if not self.in_trash:
            return
        self.status = self.status_before_trash or self.Status.DRAFT
        self.status_before_trash, self.trashed_at, self.trashed_by = "", None, None
        self.save()

    def refresh_lead_image_renditions(self, image_changed: bool = False) -> None:
        """Render and record the lead image's smaller copies when the image is new (``image_changed``) or
        the copies on record are another image's; writes only that field.

        The copies of the image it replaced are deleted once the change is committed, unless another
        article shows the same image (fetched images are stored once, by content).
        """
        change = renditions_to_record(self.lead_image.name or "", self.lead_image_renditions, image_changed)
        if change is None:
            return
        self.lead_image_renditions, replaced = change
        Article.objects.filter(pk=self.pk).update(lead_image_renditions=self.lead_image_renditions)
        if replaced:
            originals = {original_of(old) for old in replaced.values()}
            if not Article.objects.filter(lead_image__in=originals).exclude(pk=self.pk).exists():
                transaction.on_commit(lambda: delete_renditions(replaced))

    def _keep_old_slug_redirecting(self, stored: dict | None) -> None:
        """Keep the address ``stored`` (the row's slug and status before this save) leading here."""
        if stored is None or stored["slug"] == self.slug:
            return
        # Taking back one of its own old addresses: that redirect has done its job.
        SlugRedirect.objects.filter(old_slug=self.slug, article_id=self.pk).delete()
        if stored["status"] in {self.Status.PUBLISHED, self.Status.ARCHIVED}:
            SlugRedirect.objects.update_or_create(old_slug=stored["slug"], defaults={"article": self})


class Byline(models.Model):
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="bylines"
    )
    author = models.ForeignKey(
        Author, verbose_name=_("author"), on_delete=models.PROTECT, related_name="bylines"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="byline_unique_author")]

    def __str__(self) -> str:
        return f"{self.article} — {self.author}"


class SlugRedirect(models.Model):
    """An address an article had before its slug changed; it redirects to the article."""

    old_slug = models.SlugField(_("old slug"), max_length=120, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.article.slug}"


def unique_slug(model: type[models.Model], base: str, exclude_pk: int | None = None) -> str:
    """Return ``base``, or ``base-2``, ``base-3``… the first slug ``model`` does not use yet.

    Candidates are checked by exact (indexed) lookups, so the cost does not grow with the table.
    """
    slug_field = model._meta.get_field("slug")
    assert isinstance(slug_field, models.SlugField) and slug_field.max_length is not None
    max_length = slug_field.max_length
    base = base[:max_length].strip("-")
    first = 1
    while True:
        candidates = [
            base if number == 1 else _numbered(base, number, max_length)
            for number in range(first, first + 10)
        ]
        taken = _slugs_taken(model, candidates, exclude_pk)
        for candidate in candidates:
            if candidate not in taken:
                return candidate
        first += 10


def _slugs_taken(model: type[models.Model], candidates: list[str], exclude_pk: int | None) -> set[str]:
    """Return which ``candidates`` another row uses (or, for articles, an old address holds).

    Plain SQL: the ORM spends longer compiling this UNION than the database spends answering it,
    and the importer asks it for every new article.
    """
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(candidates))
    tables = [(model._meta.db_table, "slug", "id")]
    if model is Article:
        tables.append((SlugRedirect._meta.db_table, "old_slug", "article_id"))
    selects: list[str] = []
    parameters: list[str | int] = []
    for table, column, owner in tables:
        sql = f"SELECT {quote(column)} FROM {quote(table)} WHERE {quote(column)} IN ({marks})"
        parameters += candidates
        if exclude_pk is not None:
            sql += f" AND {quote(owner)} <> %s"
            parameters.append(exclude_pk)
        selects.append(sql)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ".join(selects), parameters)
        return {slug for (slug,) in cursor.fetchall()}


def _numbered(base: str, number: int, max_length: int) -> str:
    suffix = str(number)
    return f"{base[: max_length - len(suffix) - 1].rstrip('-')}-{suffix}"


class Purge(models.Model):
    """A change readers can see, as the surrogate keys of the cached pages it made stale.

    Written in the transaction of the change (``articles.invalidation.purge``); its id is the
    change's *generation*. Every process reads the new rows about once a second to know which
    cached pages it may still serve, whatever happened to Redis meanwhile.
    """

    keys = models.TextField(_("surrogate keys"), help_text=_("Space-separated."))
    created_at = models.DateTimeField(_("made"), db_default=Now(), db_index=True)

    class Meta:
        verbose_name = _("cache purge")
        verbose_name_plural = _("cache purges")

    def __str__(self) -> str:
        return f"{self.pk}: {self.keys}"


class PreviewLinkQuerySet(models.QuerySet["PreviewLink"]):
    def live(self) -> PreviewLinkQuerySet:
        """Return the links that still show their article: neither ended nor expired."""
        return self.filter(ended_at__isnull=True, expires_at__gt=timezone.now())

    def end(self) -> int:
        """End these links now (revoked, or their article published or trashed); return how many ended."""
        return self.filter(ended_at__isnull=True).update(ended_at=timezone.now())


class PreviewLink(models.Model):
    """A link that shows an unpublished article to someone without a login, until it expires or ends.

    It ends when an editor revokes it, and when its article is published or moved to the trash.
    """

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="preview_links"
    )
    key = models.CharField(_("key"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("shared"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["article", "ended_at", "expires_at"], name="preview_link_live")]

    def __str__(self) -> str:
        return self.get_absolute_url()

    def get_absolute_url(self) -> str:
        return reverse("articles:preview", kwargs={"token": self.key})

    @property
    def is_live(self) -> bool:
        """Return whether the link still shows its article."""
        return self.ended_at is None and self.expires_at > timezone.now()


class MediaImage(models.Model):
    """An image of the media library, placed in article bodies with its alternative text and credit."""

    file = models.ImageField(
        _("image"),
        upload_to="library/%Y/%m/",
        width_field="width",
        height_field="height",
        validators=[validate_image_field],
        help_text=_("JPEG, PNG, GIF or WebP. Smaller copies are made automatically."),
    )
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        help_text=_("What the image shows, for readers who cannot see it (screen readers, slow networks)."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(
        _("credit"), max_length=200, blank=True, help_text=_("Who took or owns the image, e.g. 摄影：李四.")
    )
    width = models.PositiveIntegerField(_("width"), null=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, editable=False)
    renditions = models.JSONField(_("smaller copies"), default=dict, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("media library")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.alt_text or self.file.name or ""

    def refresh_renditions(self, file_changed: bool = False) -> None:
        """Render and record the image's smaller copies when the file is new or the copies on record are
        another file's; the replaced file's copies are deleted once the change is committed."""
        change = renditions_to_record(self.file.name or "", self.renditions, file_changed)
        if change is None:
            return
        self.renditions, replaced = change
        MediaImage.objects.filter(pk=self.pk).update(renditions=self.renditions)
        if replaced:
            transaction.on_commit(lambda: delete_renditions(replaced))


class Autosave(models.Model):
    """What someone typed in an article form and has not saved yet, kept for them alone.

    One per person and article, and one per person for an article not saved yet.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=300, blank=True)
    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body"), blank=True)
    saved_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        verbose_name = _("autosave")
        verbose_name_plural = _("autosaves")
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="autosave_one_per_article"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(article__isnull=True), name="autosave_one_new_article"
            ),
        ]

    def __str__(self) -> str:
        return self.title
