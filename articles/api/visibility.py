"""Which articles an API client may see.

Anonymous clients, and any login without the right to edit, see what readers see:
``Article.objects.published()``, the site's one definition. Staff see more only when they ask for it
(``?status=``) or open an article by its address, and only what the admin would show them: editors
every article, writers their own. Tags and authors are listed when an article readers see carries
them, so that a draft's subject does not show through its new tag.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied

from articles import workflow
from articles.models import Article, ArticleQuerySet, Author, Byline, Tag, TaggedArticle

# What ?status= may ask for. "visible" is what readers see; "scheduled" is published with a time to come.
STATUSES = ("visible", "scheduled", "draft", "review", "archived", "any")
DEFAULT_STATUS = "visible"


def is_staff_reader(user) -> bool:
    """Return whether ``user`` may see articles readers cannot (an active staff login that may view them)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and user.has_perm("articles.view_article")
    )


def articles_for(user, status: str = DEFAULT_STATUS) -> ArticleQuerySet:
    """Return the articles ``user`` may see with ``status`` (one of ``STATUSES``).

    Raise PermissionDenied naming the parameter when only staff may ask for that status.
    """
    if status == DEFAULT_STATUS:
        return Article.objects.published()
    if not is_staff_reader(user):
        raise PermissionDenied({"status": [_("Only signed-in staff may see articles readers cannot see.")]})
    articles = _staff_articles(user)
    if status == "scheduled":
        return articles & Article.objects.scheduled()
    return articles if status == "any" else articles.filter(status=status)


def openable_articles(user) -> ArticleQuerySet:
    """Return the articles ``user`` may open one by one: what readers see, and for staff what the admin shows."""
    if not is_staff_reader(user):
        return Article.objects.published()
    return _staff_articles(user)


def visible_tags(user):
    """Return the tags ``user`` may list: those of articles readers see (staff: all of them)."""
    if is_staff_reader(user):
        return Tag.objects.all()
    shown = TaggedArticle.objects.filter(tag=OuterRef("pk"), content_object__in=Article.objects.published())
    return Tag.objects.filter(Exists(shown))


def visible_authors(user):
    """Return the authors ``user`` may list: those in the byline of, or editing, an article readers see."""
    if is_staff_reader(user):
        return Author.objects.all()
    published = Article.objects.published()
    in_byline = Byline.objects.filter(author=OuterRef("pk"), article__in=published)
    editing = published.filter(editor=OuterRef("pk"))
    return Author.objects.filter(Exists(in_byline) | Exists(editing))


def _staff_articles(user) -> ArticleQuerySet:
    if workflow.can_edit_any(user):
        return Article.objects.all()
    return Article.objects.published() | Article.objects.owned_by(user)
