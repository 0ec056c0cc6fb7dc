"""Keep derived data in step with the content: the search index and the page-cache epoch.

Both are updated from model signals, so every write path (the admin, the
importer, the shell) keeps them right without calling anything. Writes that
bypass signals (``QuerySet.update()``, ``bulk_create``, raw SQL) must call
``Article.objects.filter(…).refresh_search_index()`` and
``articles.caching.content_changed()`` themselves.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from articles import caching, search
from articles.models import Article, Author, Byline, Category, SlugRedirect, Tag, TaggedArticle


@receiver(post_save, sender=Article, dispatch_uid="articles.index_saved_article")
def index_saved_article(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    search.index_article(instance)


@receiver(post_delete, sender=Article, dispatch_uid="articles.unindex_deleted_article")
def unindex_deleted_article(sender, instance: Article, **kwargs) -> None:
    search.remove_article(instance.pk)


def _content_changed(sender, **kwargs) -> None:
    # After commit: a reader starting a new epoch before then would cache the old content under it.
    transaction.on_commit(caching.content_changed)


for model in (Article, Byline, Category, Author, Tag, TaggedArticle, SlugRedirect):
    post_save.connect(_content_changed, sender=model, dispatch_uid=f"articles.changed.save.{model.__name__}")
    post_delete.connect(
        _content_changed, sender=model, dispatch_uid=f"articles.changed.delete.{model.__name__}"
    )
m2m_changed.connect(_content_changed, sender=Article.tags.through, dispatch_uid="articles.changed.tags")
