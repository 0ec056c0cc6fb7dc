"""Who may do what with an article: the editorial workflow as small pure functions.

The admin asks these functions and nothing else, so the rules hold for every
way in (the form, a bulk action, a forged POST):

* a **writer** (``change_article`` only) edits their own drafts and submits them for review;
* an **editor** (``change_any_article`` and ``publish_article``) edits everything, publishes,
  schedules (published with a future time), unpublishes, archives and sends back to draft
  with a note.

Statuses flow draft → in review → published → archived; an editor may also move
an article back to draft from any status. Deleting puts an article in the trash
(``Article.move_to_trash``), outside the workflow: nobody edits it there; an editor
restores it to the status it had, or deletes it for good.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from articles.models import Article

Status = Article.Status

WRITER_TRANSITIONS = {Status.DRAFT: {Status.DRAFT, Status.REVIEW}}
EDITOR_TRANSITIONS = {
    Status.DRAFT: {Status.DRAFT, Status.REVIEW, Status.PUBLISHED, Status.ARCHIVED},
    Status.REVIEW: {Status.REVIEW, Status.DRAFT, Status.PUBLISHED, Status.ARCHIVED},
    Status.PUBLISHED: {Status.PUBLISHED, Status.DRAFT, Status.ARCHIVED},
    Status.ARCHIVED: {Status.ARCHIVED, Status.DRAFT, Status.PUBLISHED},
}


def can_publish(user) -> bool:
    """Return whether ``user`` may publish, schedule, unpublish and archive articles."""
    return user.has_perm("articles.publish_article")


def can_edit_any(user) -> bool:
    """Return whether ``user`` may edit articles of other people, whatever their status."""
    return user.has_perm("articles.change_any_article")


def is_owner(user, article: Article) -> bool:
    """Return whether ``user`` created ``article`` or is named in its byline (a new article is theirs)."""
    if article.pk is None:
        return True
    if not user.is_authenticated:
        return False
    if article.created_by_id == user.pk:
        return True
    return article.bylines.filter(author__user=user).exists()


def can_edit(user, article: Article) -> bool:
    """Return whether ``user`` may change ``article`` (in the status it has in the database)."""
    if not user.has_perm("articles.change_article") or article.in_trash:
        return False
    if can_edit_any(user):
        return True
    return article.status == Status.DRAFT and is_owner(user, article)


def allowed_transitions(user, article: Article) -> set[str]:
    """Return the statuses ``user`` may give ``article`` from the status it has now (itself included)."""
    current = Status(article.status)
    if not can_edit(user, article):
        return set()
    if can_publish(user) and can_edit_any(user):
        return set(EDITOR_TRANSITIONS[current])
    return set(WRITER_TRANSITIONS.get(current, set()))


def can_manage_trash(user) -> bool:
    """Return whether ``user`` may move articles to the trash, restore them, and delete them for good."""
    return user.has_perm("articles.delete_article") and can_edit_any(user)


def check_transition(user, article: Article, new_status: str, note: str = "") -> None:
    """Raise ``ValidationError`` unless ``user`` may move ``article`` from its stored status to ``new_status``.

    Sending an article that was in review or published back to draft needs a note for the writer.
    """
    if new_status not in allowed_transitions(user, article):
        raise ValidationError(
            _("You may not change the status from “%(old)s” to “%(new)s”."),
            code="transition_refused",
            params={"old": Status(article.status).label, "new": Status(new_status).label},
        )
    if (
        article.pk is not None
        and article.status != Status.DRAFT
        and new_status == Status.DRAFT
        and not note.strip()
    ):
        raise ValidationError(_("Say in the note why the article goes back to draft."), code="note_required")
