"""The newsroom's content model.

- ``taxonomy``: Category (a tree), Author (person or organisation), Tag, TaggedArticle;
- ``article``: Article, Byline, SlugRedirect;
- ``editorial``: PreviewLink (share links), MediaImage (the media library), Autosave;
- ``purge``: Purge, the page cache's purge log.

Their querysets and managers are in ``articles.querysets``; slugs in ``articles.slugs``. Every
name other code imports is here, so ``from articles.models import Article`` is the one address.
"""

from articles.models.article import READER_VISIBLE_FIELDS, Article, Byline, SlugRedirect
from articles.models.editorial import Autosave, MediaImage, PreviewLink
from articles.models.purge import Purge
from articles.models.taxonomy import Author, Category, Tag, TaggedArticle
from articles.querysets import (
    NAME_PATH_SEPARATOR,
    PATH_SEPARATOR,
    SUMMARY_DEFERRED_FIELDS,
    ArticleManager,
    ArticleQuerySet,
    AuthorManager,
    CategoryQuerySet,
    PreviewLinkQuerySet,
    archive_range,
    person_name,
)

__all__ = [
    "NAME_PATH_SEPARATOR",
    "PATH_SEPARATOR",
    "READER_VISIBLE_FIELDS",
    "SUMMARY_DEFERRED_FIELDS",
    "Article",
    "ArticleManager",
    "ArticleQuerySet",
    "Author",
    "AuthorManager",
    "Autosave",
    "Byline",
    "Category",
    "CategoryQuerySet",
    "MediaImage",
    "PreviewLink",
    "PreviewLinkQuerySet",
    "Purge",
    "SlugRedirect",
    "Tag",
    "TaggedArticle",
    "archive_range",
    "person_name",
]
