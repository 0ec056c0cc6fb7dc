"""Keep the purge log of the page cache in step with the content.

The receivers follow model signals, so every write path (the admin, the importer, the shell)
purges without calling anything. Raw saves purge too: django-reversion restores a revision with
them (before the admin's form saves it again), and ``loaddata`` loads fixtures with them. A write
purges cached pages only when readers can see it: a published article's content, a publication or
withdrawal, a scheduled publication, a change to a category, tag or author; saving a draft, a
review note or the admin's own records purges nothing. The keys purged are those of
``articles.cache.surrogate_keys``. (The search index follows the same signals: ``articles.signals``.)

Writes that bypass signals (``QuerySet.update()``, ``bulk_create``, raw SQL) must call
``links_added()`` or ``articles.cache.invalidation.purge()`` themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.utils import timezone

from articles.cache import surrogate_keys as keys
from articles.cache.invalidation import purge
from articles.models import Article, Author, Byline, Category, Tag, TaggedArticle

# What decides where an article appears: its visibility, its time, its lists.
PLACE_FIELDS = ("status", "published_at", "category_id", "editor_id", "is_featured")
# Fields readers never see: a save touching only these purges nothing.
UNSEEN_FIELDS = frozenset(
    {"version", "updated_at", "review_note", "import_hash", "import_version", "import_notes", "import_key"}
)


# --- articles ------------------------------------------------------------------------


def _place(values: Mapping[str, Any] | None) -> str:
    """Return whether an article with these values is ``visible``, ``scheduled`` or ``hidden`` now."""
    if values is None or values["status"] != Article.Status.PUBLISHED or values["published_at"] is None:
        return "hidden"
    return "visible" if values["published_at"] <= timezone.now() else "scheduled"


def _links(pk: int) -> tuple[list[int], list[int]]:
    """Return the ids of the article's tags and of its bylines' authors."""
    tag_ids = list(TaggedArticle.objects.filter(content_object_id=pk).values_list("tag_id", flat=True))
    author_ids = list(Byline.objects.filter(article_id=pk).values_list("author_id", flat=True))
    return tag_ids, author_ids


def _appearance(pk: int, values: dict, links: tuple[list[int], list[int]]) -> set[str]:
    """Return the keys of the lists an article with ``values`` (visible or scheduled) belongs to."""
    return keys.appearance(pk, values["published_at"], values["category_id"], values["editor_id"], *links)


@receiver(pre_save, sender=Article, dispatch_uid="articles.remember_article_place")
def remember_article_place(sender, instance: Article, **kwargs) -> None:
    stored = None
    if instance.pk is not None:
        rows = Article.objects.filter(pk=instance.pk)
        if transaction.get_connection().in_atomic_block:
            # Locked: nobody moves the article between this read and the save.
            rows = rows.select_for_update()
        stored = rows.values(*PLACE_FIELDS).first()
    instance.__dict__["_place_before_save"] = stored


@receiver(post_save, sender=Article, dispatch_uid="articles.purge_saved_article")
def purge_saved_article(sender, instance: Article, created: bool, update_fields=None, **kwargs):
    before = instance.__dict__.pop("_place_before_save", None)
    if update_fields and set(update_fields) <= UNSEEN_FIELDS:
        return
    after = {field: getattr(instance, field) for field in PLACE_FIELDS}
    was, now = _place(before), _place(after)
    if was == now == "hidden":
        return
    changed = {keys.article(instance.pk), keys.ALL}
    if "visible" in (was, now):
        changed |= {keys.SEARCH, keys.SITEMAP}
    if before != after:
        # The article joins, leaves or moves in lists: the lists it was and is in. A new article
        # has no tags or bylines yet: they purge their own lists as they come.
        links = ([], []) if created else _links(instance.pk)
        for values, place in ((before, was), (after, now)):
            if place != "hidden":
                changed |= _appearance(instance.pk, values, links)
    purge(changed)


@receiver(pre_delete, sender=Article, dispatch_uid="articles.remember_deleted_article")
def remember_deleted_article(sender, instance: Article, **kwargs) -> None:
    # Before the delete: its tags and bylines go with it.
    values = {field: getattr(instance, field) for field in PLACE_FIELDS}
    if _place(values) != "hidden":
        instance.__dict__["_purge_after_delete"] = _appearance(instance.pk, values, _links(instance.pk))


@receiver(post_delete, sender=Article, dispatch_uid="articles.purge_deleted_article")
def purge_deleted_article(sender, instance: Article, **kwargs) -> None:
    purge(instance.__dict__.pop("_purge_after_delete", ()))


# --- bylines and tags ----------------------------------------------------------------


def links_added(article: Article, author_ids: Iterable[int] = (), tag_ids: Iterable[int] = ()) -> None:
    """Purge what new bylines or tags of ``article`` change, for writers that add them in bulk."""
    place = _place({field: getattr(article, field) for field in PLACE_FIELDS})
    if place != "hidden":
        changed = {keys.author_list(pk) for pk in author_ids} | {keys.tag_list(pk) for pk in tag_ids}
        if changed:
            purge(changed | {keys.article(article.pk), keys.ALL})


def _article_place(link, field) -> tuple[str, int]:
    """Return where the article of a byline or tag link is now, and its id."""
    if field.is_cached(link):
        article = field.get_cached_value(link)
        return _place({name: getattr(article, name) for name in ("status", "published_at")}), article.pk
    pk = getattr(link, field.attname)
    return _place(Article.objects.filter(pk=pk).values("status", "published_at").first()), pk


@receiver(post_save, sender=Byline, dispatch_uid="articles.purge_saved_byline")
@receiver(post_delete, sender=Byline, dispatch_uid="articles.purge_deleted_byline")
def purge_byline(sender, instance: Byline, **kwargs) -> None:
    # An article deleted with its bylines is gone already: its own delete purged its lists.
    place, pk = _article_place(instance, Byline.article.field)
    if place != "hidden":
        purge({keys.article(pk), keys.author_list(instance.author_id), keys.ALL})


@receiver(post_save, sender=TaggedArticle, dispatch_uid="articles.purge_saved_tagging")
@receiver(post_delete, sender=TaggedArticle, dispatch_uid="articles.purge_deleted_tagging")
def purge_tagging(sender, instance: TaggedArticle, **kwargs) -> None:
    place, pk = _article_place(instance, TaggedArticle.content_object.field)
    if place != "hidden":
        purge({keys.article(pk), keys.tag_list(instance.tag_id), keys.ALL})


# --- categories, tags, authors -------------------------------------------------------


@receiver(pre_save, sender=Category, dispatch_uid="articles.remember_category_path")
def remember_category_path(sender, instance: Category, **kwargs) -> None:
    stored = None
    if instance.pk is not None:
        stored = Category.objects.filter(pk=instance.pk).values_list("path", flat=True).first()
    instance.__dict__["_path_before_save"] = stored


@receiver(post_save, sender=Category, dispatch_uid="articles.purge_saved_category")
@receiver(post_delete, sender=Category, dispatch_uid="articles.purge_deleted_category")
def purge_category(sender, instance: Category, **kwargs) -> None:
    paths = {instance.path, instance.__dict__.pop("_path_before_save", None) or instance.path}
    prefixes = set()
    for path in paths:
        parts = path.split("/")
        prefixes |= {"/".join(parts[:end]) for end in range(1, len(parts) + 1)}
    # The lists of the categories above, old place and new: their pages show this one's subtree.
    changed = {keys.category(instance.pk), keys.category_list(instance.pk), keys.SITEMAP, keys.ALL}
    changed |= {
        keys.category_list(pk)
        for pk in Category.objects.filter(path__in=prefixes).values_list("pk", flat=True)
    }
    # Those below: their breadcrumbs and addresses show this one (a new category has none).
    if not kwargs.get("created"):
        changed |= {keys.category(pk) for pk in instance.descendants().values_list("pk", flat=True)}
    if any("/" not in path for path in paths):
        changed.add(keys.NAVIGATION)
    purge(changed)


@receiver(post_save, sender=Tag, dispatch_uid="articles.purge_saved_tag")
@receiver(post_delete, sender=Tag, dispatch_uid="articles.purge_deleted_tag")
def purge_tag(sender, instance: Tag, **kwargs) -> None:
    purge({keys.tag(instance.pk), keys.SITEMAP, keys.ALL})


@receiver(post_save, sender=Author, dispatch_uid="articles.purge_saved_author")
@receiver(post_delete, sender=Author, dispatch_uid="articles.purge_deleted_author")
def purge_author(sender, instance: Author, **kwargs) -> None:
    purge({keys.author(instance.pk), keys.SITEMAP, keys.ALL})
