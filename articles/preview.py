"""Share links: a colleague without a login reads an unpublished article until the link expires or ends.

Each link is a row (``PreviewLink``) named by a random key, so that an editor sees the live
links of an article and revokes one or all of them; publishing or trashing the article ends
them too. A revoked or ended link answers exactly like an expired one.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.utils import timezone

from articles.models import Article, PreviewLink

KEY_BYTES = 32


def share(article: Article, user=None) -> PreviewLink:
    """Return a new link showing ``article``, valid for NEWSROOM_PREVIEW_MAX_AGE_SECONDS from now."""
    return PreviewLink.objects.create(
        article=article,
        key=secrets.token_urlsafe(KEY_BYTES),
        created_by=user,
        expires_at=timezone.now() + dt.timedelta(seconds=settings.NEWSROOM_PREVIEW_MAX_AGE_SECONDS),
    )


def link_for(key: str) -> PreviewLink | None:
    """Return the link named ``key`` with its article (category and editor loaded), or None."""
    return PreviewLink.objects.select_related("article__category", "article__editor").filter(key=key).first()
