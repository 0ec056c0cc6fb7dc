"""An article's revisions (django-reversion): what they hold, the first one, and what a restore keeps.

A revision holds the article with its bylines and tags. Old addresses are not followed:
restoring a revision must never delete a redirect that readers' links rely on.

Articles made outside the admin (the importer, the shell) have no revision until someone
changes them. The first change records the article as it was just before, so the imported
text is always in the history: ``record_first_revision`` runs before every change the admin
makes, and costs the import nothing.

A restore brings back content, never the article's place in the workflow or its address:
``keep_current_state`` puts back, over the row reversion has just written from the revision,
the status, publication time, slug and bookkeeping the article has now. The revision's slug is
then offered in the form like any other change, so a new address keeps the old one redirecting.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.translation import gettext
from reversion import revisions
from reversion.models import Revision, Version

from articles.models import Article, Byline, TaggedArticle

# Fields of the article that a restore leaves as they are now.
KEPT_ON_RESTORE = (
    "slug",
    "status",
    "published_at",
    "review_note",
    "is_featured",
    "version",
    "created_by_id",
    "created_at",
    "import_source_path",
    "import_key",
    "import_hash",
    "import_version",
    "import_notes",
    "status_before_trash",
    "trashed_at",
    "trashed_by_id",
    "lead_image_renditions",
)
# Derived from the image, not written by anyone: rendered again when a restore brings back another image.
NOT_IN_REVISIONS = ("lead_image_renditions",)

revisions.register(Byline)
revisions.register(TaggedArticle)
revisions.register(Article, follow=["bylines", "tagged_items"], exclude=NOT_IN_REVISIONS)


def versions_of(article_pk) -> QuerySet[Version]:
    """Return the stored versions of an article, newest first, with their revision and user."""
    return (
        Version.objects.get_for_object_reference(Article, article_pk)
        .select_related("revision__user")
        .order_by("-pk")
    )


def record_first_revision(article: Article) -> bool:
    """Record ``article`` as stored now as its first revision, unless it has one; return whether it did.

    Must run outside any ``create_revision()`` block: inside one, it would merge into that revision.
    """
    if Version.objects.get_for_object_reference(Article, article.pk).exists():
        return False
    stored = Article.objects.get(pk=article.pk)
    with revisions.create_revision():
        revisions.set_date_created(stored.updated_at)
        if stored.import_source_path:
            comment = gettext("Imported from %(path)s.") % {"path": stored.import_source_path}
        else:
            comment = gettext("As it was before its first change in the admin.")
        revisions.set_comment(comment)
        revisions.add_to_revision(stored)
    return True


def keep_current_state(current: Article) -> str:
    """Write back the fields a restore keeps from ``current``, over the row just restored from a
    revision; return the revision's slug, which the restore form then offers."""
    restored_slug = Article.objects.filter(pk=current.pk).values_list("slug", flat=True).get()
    Article.objects.filter(pk=current.pk).update(
        **{field: getattr(current, field) for field in KEPT_ON_RESTORE}
    )
    return restored_slug


def forget(article_pks: list[int]) -> None:
    """Delete the revisions of these articles (deleted for good), with the bylines and tags they hold."""
    article_type = ContentType.objects.get_for_model(Article)
    versions = Version.objects.filter(
        content_type=article_type, object_id__in=[str(pk) for pk in article_pks]
    )
    revision_ids = list(versions.values_list("revision_id", flat=True).distinct())
    versions.delete()
    # A revision of a bulk action may hold other articles too: only revisions left without one go.
    Revision.objects.filter(pk__in=revision_ids).exclude(version__content_type=article_type).delete()
