"""Keep the search index in step with the content.

It follows model signals, so every write path (the admin, the importer, the shell) keeps it right
without calling anything. Writes that bypass signals (``QuerySet.update()``, ``bulk_create``, raw
SQL) must call ``Article.objects.filter(…).refresh_search_index()`` themselves. The page cache's
purges follow the same signals (``articles.cache.signals``).
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles import search
from articles.models import Article


@receiver(post_save, sender=Article, dispatch_uid="articles.index_saved_article")
def index_saved_article(sender, instance: Article, raw: bool = False, **kwargs) -> None:
    search.index_article(instance)


@receiver(post_delete, sender=Article, dispatch_uid="articles.unindex_deleted_article")
def unindex_deleted_article(sender, instance: Article, **kwargs) -> None:
    search.remove_article(instance.pk)
