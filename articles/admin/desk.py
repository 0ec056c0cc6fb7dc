"""The editor's desk on the admin home: what waits for review, one's own drafts, what goes live next.

Each queue is one query for its first few articles (one more tells whether there are others),
whatever the size of the archive: they are read from the status and publication-time indexes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from articles import roles, workflow
from articles.models import Article

QUEUE_LENGTH = 8
SHOWN_FIELDS = ("pk", "title", "status", "published_at", "updated_at", "category__name_path")


@dataclass(frozen=True)
class Queue:
    """A list of articles on the desk, with the change-list address that shows all of them."""

    name: str
    title: str
    articles: list[Article]
    has_more: bool
    url: str
    empty: str


def _queue(name, title, articles, query: str, empty) -> Queue:
    found = list(articles.select_related("category").only(*SHOWN_FIELDS)[: QUEUE_LENGTH + 1])
    url = reverse("admin:articles_article_changelist") + "?" + query
    return Queue(name, title, found[:QUEUE_LENGTH], len(found) > QUEUE_LENGTH, url, empty)


def queues(user) -> list[Queue]:
    """Return the desk's queues for ``user``: review (theirs only, for a writer), drafts, scheduled."""
    if not user.has_perm("articles.view_article"):
        return []
    everyone = workflow.can_edit_any(user)
    articles = Article.objects.all() if everyone else Article.objects.owned_by(user)
    mine = Article.objects.owned_by(user)
    return [
        _queue(
            "review",
            _("Waiting for review") if everyone else _("My articles in review"),
            articles.filter(status=Article.Status.REVIEW).order_by("updated_at", "pk"),
            "status=review",
            _("Nothing is waiting for review."),
        ),
        _queue(
            "drafts",
            _("My drafts"),
            mine.filter(status=Article.Status.DRAFT).order_by("-updated_at", "-pk"),
            "status=draft&mine=1",
            _("No drafts: start a new article."),
        ),
        _queue(
            "scheduled",
            _("Scheduled"),
            articles.scheduled().order_by("published_at", "pk"),
            "status=scheduled",
            _("Nothing is scheduled."),
        ),
    ]


def role_summary(user) -> list[tuple[str, str]]:
    """Return [(role, what it may do)] for the roles ``user`` has."""
    return [(roles.label(group.name), roles.description(group.name)) for group in user.groups.all()]
