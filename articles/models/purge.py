"""The purge log of the page cache: one row per change readers can see (``articles.cache.invalidation``)."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _


class Purge(models.Model):
    """A change readers can see, as the surrogate keys of the cached pages it made stale.

    Written in the transaction of the change (``articles.cache.invalidation.purge``); its id is the
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
