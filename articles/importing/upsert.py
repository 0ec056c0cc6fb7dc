"""Writing one normalised document to the database: the only importer stage that touches it."""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower

from articles.cache.invalidation import batched
from articles.cache.signals import links_added
from articles.importing.furniture import TopicTag
from articles.importing.normalise import PostData
from articles.models import Article, Author, Byline, Category, Tag, TaggedArticle
from articles.slugs import slug_from_text, with_suffix
from articles.text_facts import TextFacts

SLUG_ATTEMPTS = 5
ATTEMPTS = 3
# The rows ``_get_or_create`` finds or makes.
FoundRow = TypeVar("FoundRow", Category, Author)
IN_TRASH = "an editor moved the article to the trash; restore it there to import it again (--force does not)"


class Outcome(enum.StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    KEPT_EDITOR_CHANGES = "conflict"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass
class UpsertResult:
    outcome: Outcome
    article_id: int | None = None
    reason: str = ""


@dataclass
class Lookups:
    """Rows already resolved in this run, so that each name costs one query per run, not per document.

    Entries made inside a document's transaction are only kept once it commits:
    a rolled-back document must not leave ids of rows that no longer exist.
    """

    categories: dict[tuple[str, ...], Category] = field(default_factory=dict)
    authors: dict[tuple[str, str], Author] = field(default_factory=dict)
    tags: dict[str, Tag] = field(default_factory=dict)
    pending: list[tuple[dict[Any, Any], object, object]] = field(default_factory=list)

    def remember(self, table: dict[Any, Any], key: object, row: object) -> None:
        self.pending.append((table, key, row))

    def commit(self) -> None:
        for table, key, row in self.pending:
            table[key] = row
        self.pending.clear()

    def discard(self) -> None:
        self.pending.clear()


def fingerprint(post: PostData) -> str:
    """Return a digest of everything ``post`` would write, so that a re-read document (after an
    importer or profile change) whose fields come out the same is known to be unchanged."""
    fields = dataclasses.asdict(post)
    for name in ("removed", "feed"):
        fields.pop(name, None)
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


@dataclass(frozen=True)
class Derived:
    """What writing a post works out from the post alone; pure, so the importer's workers make it
    beside the parse and the writer, which the whole import waits on, does not."""

    fingerprint: str
    slug_base: str
    text: TextFacts


def derive(post: PostData) -> Derived:
    """Return what writing ``post`` works out from it (its digest, slug and text facts)."""
    return Derived(
        fingerprint=fingerprint(post),
        slug_base=post.slug or slug_from_text(post.title),
        text=TextFacts.of(post.title, post.subtitle, post.summary, post.body),
    )


def decide(existing: Article | None, *, content_hash: str, digest: str, force: bool) -> Outcome:
    """Return what importing a document does to the article ``existing`` (None: there is none).

    The one place the importer decides: ``upsert`` acts on it and a dry run reports it.
    Unchanged when the file or the fields it gives are those last imported; a conflict when
    an editor changed the article since (``--force`` overwrites) or moved it to the trash (kept
    whatever the flags); otherwise updated.
    """
    if existing is None:
        return Outcome.CREATED
    unchanged = existing.import_hash == content_hash or bool(digest and existing.import_fingerprint == digest)
    if existing.in_trash:
        # An editor's decision that --force does not overturn: restoring it from the trash does.
        return Outcome.UNCHANGED if unchanged and not force else Outcome.KEPT_EDITOR_CHANGES
    if force and existing.edited_since_import:
        return Outcome.UPDATED
    if unchanged:
        return Outcome.UNCHANGED
    if existing.edited_since_import:
        return Outcome.KEPT_EDITOR_CHANGES
    return Outcome.UPDATED


def conflict_reason(existing: Article) -> str:
    """Return why the importer left ``existing`` alone."""
    if existing.in_trash:
        return IN_TRASH
    return (
        f"the article was changed in the admin after it was imported (version "
        f"{existing.version}, imported as {existing.import_version}); use --force to overwrite"
    )


def upsert(
    post: PostData,
    *,
    content_hash: str,
    source_path: str,
    force: bool = False,
    lookups: Lookups | None = None,
    derived: Derived | None = None,
    may_exist: bool = True,
) -> UpsertResult:
    """Create or update the article for ``post`` in one transaction and say what happened.

    ``derived`` is ``derive(post)`` when the caller made it already. ``may_exist=False`` says no
    article had the post's import key when the caller looked (the importer, once per run): the
    article is then inserted without looking for it first.

    A unique-constraint clash means another import wrote the same rows meanwhile:
    the transaction is rolled back whole and tried again, seeing the other's rows.
    """
    lookups = lookups or Lookups()
    derived = derived or derive(post)
    outermost = not connection.in_atomic_block
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic(), batched():
                if outermost:
                    _commit_without_waiting_for_disk()
                result = _upsert(post, derived, content_hash, source_path, force, lookups, attempt, may_exist)
        except IntegrityError:
            lookups.discard()
            if attempt == ATTEMPTS:
                raise
            continue
        except BaseException:
            lookups.discard()
            raise
        lookups.commit()
        return result
    raise AssertionError("unreachable")


def _commit_without_waiting_for_disk() -> None:
    """Let this transaction's commit return before PostgreSQL has flushed it to disk.

    Waiting for the flush costs an import more than everything else it asks the database per
    article. What it buys is little here: a crash of PostgreSQL or of its machine (not of the
    import) may lose the articles committed in the last fraction of a second before it (at most
    three times ``wal_writer_delay``), never half of one, and nothing inconsistent; importing
    again brings them back. Only the importer's own transactions are relaxed (``SET LOCAL``);
    an editor's saves wait as always.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def plan(post: PostData, *, content_hash: str, force: bool = False) -> UpsertResult:
    """Return what ``upsert`` would do with ``post``, writing nothing (for --dry-run)."""
    existing = Article.objects.filter(import_key=post.import_key).first()
    outcome = decide(existing, content_hash=content_hash, digest=fingerprint(post), force=force)
    reason = {
        Outcome.CREATED: "dry run: would be created",
        Outcome.UPDATED: "dry run: would be updated",
    }.get(outcome, "")
    if outcome == Outcome.KEPT_EDITOR_CHANGES and existing is not None:
        reason = f"dry run: {conflict_reason(existing)}"
    return UpsertResult(outcome, existing.pk if existing else None, reason)


def _upsert(
    post: PostData,
    derived: Derived,
    content_hash: str,
    source_path: str,
    force: bool,
    lookups: Lookups,
    attempt: int,
    may_exist: bool,
) -> UpsertResult:
    # After a clash the key may be what clashed: another import created the article meanwhile.
    existing = (
        Article.objects.select_for_update().filter(import_key=post.import_key).first()
        if may_exist or attempt > 1
        else None
    )
    digest = derived.fingerprint
    outcome = decide(existing, content_hash=content_hash, digest=digest, force=force)
    if outcome == Outcome.UNCHANGED and existing is not None:
        if existing.import_hash != content_hash:
            # same fields from a re-read file: remember the new hash so the next run skips it unread
            Article.objects.filter(pk=existing.pk).update(import_hash=content_hash)
        return UpsertResult(outcome, existing.pk)
    if outcome == Outcome.KEPT_EDITOR_CHANGES and existing is not None:
        return UpsertResult(outcome, existing.pk, conflict_reason(existing))
    article = existing or Article(import_key=post.import_key)
    _fill(article, post, content_hash, source_path, lookups)
    article.import_fingerprint = digest
    article._text_facts = derived.text
    if existing is None:
        base = derived.slug_base
        # After a clash, the slug may be what clashed: make it unique with the import key.
        article.take_free_slug(base if attempt == 1 else with_suffix(base, post.import_key[:8], 120))
    article.save(imported=True)
    author_ids = _set_bylines(article, post, lookups, replace=existing is not None)
    tag_ids = _set_tags(article, post.tags, lookups, replace=existing is not None)
    # bulk_create sends no signals: the lists the new bylines and tags join are purged here.
    links_added(article, author_ids=author_ids, tag_ids=tag_ids)
    return UpsertResult(outcome, article.pk)


def _fill(article: Article, post: PostData, content_hash: str, source_path: str, lookups: Lookups) -> None:
    article.title = post.title
    article.subtitle = post.subtitle
    article.summary = post.summary
    article.body = post.body
    article._clean_body = post.body  # normalise() already sanitised it
    article.status = post.status
    article.published_at = post.published_at
    # What readers last saw change is the source's update; save() keeps it from preceding publication.
    article.revised_at = post.updated_at
    article.category = _category(post.category_path, lookups)
    article.editor = _author(post.editor, Author.Kind.PERSON, lookups) if post.editor else None
    article.lead_image_url = post.lead_image_url
    article.thumbnail_url = post.thumbnail_url
    article.lead_image_caption = post.lead_image_caption
    article.lead_image_credit = post.lead_image_credit
    article.source_name = post.source_name
    article.source_url = post.source_url
    article.credits = post.credits
    article.rights_notice = post.rights_notice
    article.allow_comments = post.allow_comments
    article.is_featured = post.is_featured
    article.front_matter = post.front_matter
    article.import_notes = list(post.warnings)
    article.import_hash = content_hash
    article.import_source_path = source_path
    if post.slug and article.pk and article.slug != post.slug:
        article.slug = post.slug


def _category(path: tuple[str, ...], lookups: Lookups) -> Category | None:
    parent = None
    for depth in range(1, len(path) + 1):
        key = path[:depth]
        category = lookups.categories.get(key)
        if category is None:
            category = _get_or_create(Category, parent=parent, name=path[depth - 1])
            lookups.remember(lookups.categories, key, category)
        parent = category
    return parent


def _author(name: str, kind: str, lookups: Lookups) -> Author:
    key = (kind, name)
    author = lookups.authors.get(key)
    if author is None:
        author = _get_or_create(Author, kind=kind, name=name)
        lookups.remember(lookups.authors, key, author)
    return author


def _tags(topics: tuple[TopicTag, ...], lookups: Lookups) -> list[Tag]:
    """Return the tags for ``topics``, finding or creating all that are new to this run in a few queries."""
    wanted = {topic.name.casefold(): topic for topic in topics}
    unknown = [wanted[key] for key in wanted if key not in lookups.tags]
    found: dict[str, Tag] = {}
    if unknown:
        # Insert-or-ignore, then read back: two statements however many tags, and a tag that
        # exists already (in any letter case, or made by a concurrent import) is simply kept.
        Tag.objects.bulk_create(
            [Tag(name=topic.name, slug=_tag_slug(topic), source_slug=topic.source_slug) for topic in unknown],
            ignore_conflicts=True,
        )
        found = {tag.name.casefold(): tag for tag in _tags_named([topic.name for topic in unknown])}
        # A slug taken by another tag made the insert skip the row: try numbered slugs.
        found |= {
            topic.name.casefold(): _create_tag(topic)
            for topic in unknown
            if topic.name.casefold() not in found
        }
    for key, tag in found.items():
        lookups.remember(lookups.tags, key, tag)
    tags = []
    for key, topic in wanted.items():
        tag = lookups.tags.get(key) or found[key]
        if topic.source_slug and not tag.source_slug:
            # First seen without a source slug (front-matter tags): learn it, keep the slug.
            Tag.objects.filter(pk=tag.pk).update(source_slug=topic.source_slug)
            tag.source_slug = topic.source_slug
        tags.append(tag)
    return tags


def _tags_named(names: list[str]) -> list[Tag]:
    """Return the tags whose names match ``names`` ignoring letter case (served by the lower-case index)."""
    if not names:
        return []
    return list(
        Tag.objects.alias(lower_name=Lower("name")).filter(lower_name__in=[name.lower() for name in names])
    )


def _tag_slug(topic: TopicTag) -> str:
    return topic.slug or topic.source_slug or slug_from_text(topic.name)


def _create_tag(topic: TopicTag) -> Tag:
    """Create a tag, keeping its slug when free; a concurrent import may create it first."""
    base = _tag_slug(topic)
    for number in range(SLUG_ATTEMPTS):
        slug = base if number == 0 else f"{base}-{number + 1}"
        try:
            with transaction.atomic():
                return Tag.objects.create(name=topic.name, slug=slug, source_slug=topic.source_slug)
        except IntegrityError:
            existing = _tags_named([topic.name])
            if existing:
                return existing[0]
    return Tag.objects.create(name=topic.name, slug=with_suffix(base, slug_from_text(topic.name)[:8], 100))


def _get_or_create(model: type[FoundRow], **identity: object) -> FoundRow:
    """Return the row with ``identity``, creating it; the unique constraint settles races."""
    row = model.objects.filter(**identity).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return model.objects.create(**identity)
    except IntegrityError:
        row = model.objects.filter(**identity).first()
        if row is None:
            raise
        return row


def _set_bylines(article: Article, post: PostData, lookups: Lookups, replace: bool) -> list[int]:
    """Give ``article`` the bylines of ``post``; return the ids of the authors added."""
    authors = [_author(name, Author.Kind.PERSON, lookups) for name in post.writers]
    authors += [_author(name, Author.Kind.ORGANISATION, lookups) for name in post.outlets]
    unique = list(dict.fromkeys(authors))
    if replace:
        current = list(article.bylines.order_by("position", "id").values_list("author_id", flat=True))
        if current == [author.pk for author in unique]:
            return []
        article.bylines.all().delete()
    Byline.objects.bulk_create(
        Byline(article=article, author=author, position=position) for position, author in enumerate(unique)
    )
    return [author.pk for author in unique]


def _set_tags(article: Article, topics: tuple[TopicTag, ...], lookups: Lookups, replace: bool) -> list[int]:
    """Give ``article`` the tags of ``topics``; return the ids of the tags added."""
    tags = list(dict.fromkeys(_tags(topics, lookups)))
    if replace:
        current = set(article.tagged_items.values_list("tag_id", flat=True))
        if current == {tag.pk for tag in tags}:
            return []
        article.tagged_items.all().delete()
    if tags:
        TaggedArticle.objects.bulk_create(TaggedArticle(content_object=article, tag=tag) for tag in tags)
    return [tag.pk for tag in tags]
