"""TEMPORARY stand-in for the page cache's shared-cache headers, for the cluster test and benchmark.

The page-cache branch (issue 13, "faults") gives public pages ``Cache-Control: s-maxage=N`` (N
never past the next scheduled publication) and ``Surrogate-Key``, and sends
``articles.invalidation.surrogate_keys_purged`` after every change readers can see. Until it is
merged, this module does the least of that, so Varnish has something to store and purge:

- anonymous readers' public pages (``Cache-Control: public``) get ``s-maxage`` = what is left of
  the publication epoch, and the one key ``interim-all``;
- every content change sends ``surrogate_keys_purged`` with ``{"interim-all"}`` once committed,
  after the page cache's own ``content_changed`` (receivers run in the order they connected).

It steps aside for a response that already has ``s-maxage`` or ``Surrogate-Key``: once the real
headers are merged it only adds a purge of a key no page carries. Delete it then, with its two
lines in ``tests/cluster_settings.py``.
"""

from __future__ import annotations

import math
import time

from django.apps import AppConfig
from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.cache import patch_cache_control

INTERIM_KEY = "interim-all"


class InterimSurrogateHeadersMiddleware:
    """Give shareable public pages ``s-maxage`` and a surrogate key (outside the page cache)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cache_control = response.get("Cache-Control", "")
        if (
            response.status_code == 200
            and "public" in cache_control
            and "s-maxage" not in cache_control
            and "Surrogate-Key" not in response
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not response.cookies
        ):
            from articles.caching import request_epoch

            seconds = math.floor(request_epoch(request).seconds_left(time.time()))
            if seconds >= 1:
                patch_cache_control(response, s_maxage=seconds)
                response["Surrogate-Key"] = INTERIM_KEY
        return response


def _purge_everything_after_commit(sender, **kwargs) -> None:
    from articles.invalidation import surrogate_keys_purged

    transaction.on_commit(lambda: surrogate_keys_purged.send(sender=None, keys=frozenset({INTERIM_KEY})))


class InterimSurrogateKeysConfig(AppConfig):
    name = "tests.interim_surrogate_keys"
    label = "interim_surrogate_keys"

    def ready(self) -> None:
        from articles.models import Article, Author, Byline, Category, SlugRedirect, Tag, TaggedArticle

        for model in (Article, Byline, Category, Author, Tag, TaggedArticle, SlugRedirect):
            name = model.__name__
            post_save.connect(
                _purge_everything_after_commit, sender=model, dispatch_uid=f"interim.save.{name}"
            )
            post_delete.connect(
                _purge_everything_after_commit, sender=model, dispatch_uid=f"interim.delete.{name}"
            )
        m2m_changed.connect(
            _purge_everything_after_commit, sender=Article.tags.through, dispatch_uid="interim.tags"
        )
