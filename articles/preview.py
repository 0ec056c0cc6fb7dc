"""Signed, expiring preview links, so a colleague without a login can read a draft before it is published."""

from __future__ import annotations

from django.conf import settings
from django.core import signing

SALT = "articles.preview"


def preview_token(article_pk: int) -> str:
    """Return a token naming the article, valid for NEWSROOM_PREVIEW_MAX_AGE_SECONDS from now."""
    return signing.TimestampSigner(salt=SALT).sign(str(article_pk))


def article_pk_from_token(token: str) -> int:
    """Return the article's primary key; raise ``signing.SignatureExpired`` or ``signing.BadSignature``."""
    value = signing.TimestampSigner(salt=SALT).unsign(
        token, max_age=settings.NEWSROOM_PREVIEW_MAX_AGE_SECONDS
    )
    try:
        return int(value)
    except ValueError as error:
        raise signing.BadSignature("Not an article token.") from error
