"""The article, its bylines, and the old addresses that keep redirecting to it.

Longer than our usual ~400 lines for one reason: ``Article`` is one model with some fifty fields,
each with the help text editors read, and its ``save()`` keeps the promises every write path
relies on (a cleaned, marked body; a free slug; old addresses redirecting; revisions noted;
share links ended on publication). Splitting the class would scatter one model's rules.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager

from articles import body_marks
from articles.addresses import path_to
from articles.images import delete_renditions, original_of, renditions_to_record, validate_image_field
from articles.models.taxonomy import Author, Category, TaggedArticle
from articles.querysets import ArticleManager
from articles.safe_urls import WebURLField, check_web_urls
from articles.sanitise import sanitise
from articles.slugs import slug_from_text, unique_slug
from articles.text_facts import TextFacts

# What readers see of an article: an edit of one of these after publication is a revision.
READER_VISIBLE_FIELDS = (
    "title", "subtitle", "summary", "body", "lead_image", "lead_image_url", "lead_image_caption",
    "lead_image_credit", "category_id", "editor_id", "source_name", "source_url", "credits",
    "rights_notice", "published_at",
)  # fmt: skip


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")
        TRASHED = "trashed", _("In the trash")

    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(
        _("slug"),
        max_length=120,
        unique=True,
        blank=True,
        help_text=_(
            "The article's address. Made from the title when left empty. "
            "Changing it keeps the old address redirecting here."
        ),
    )
    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One or two sentences for listings and search results.")
    )
    body = models.TextField(_("body"), blank=True, help_text=_("Cleaned of unsafe markup when saved."))
    body_mark = models.CharField(
        _("body mark"),
        max_length=body_marks.MARK_LENGTH,
        blank=True,
        editable=False,
        help_text=_("Proves the body was cleaned when saved; pages clean again a body without it."),
    )
    authors = models.ManyToManyField(
        Author, through="Byline", related_name="articles", verbose_name=_("authors"), blank=True
    )
    editor = models.ForeignKey(
        Author,
        verbose_name=_("responsible editor"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="edited_articles",
        help_text=_("责任编辑: the editor answerable for this article."),
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
    )
    tags = TaggableManager(verbose_name=_("tags"), through=TaggedArticle, blank=True)
    lead_image = models.ImageField(
        _("lead image"),
        upload_to="articles/%Y/%m/",
        blank=True,
        validators=[validate_image_field],
        help_text=_("JPEG, PNG, GIF or WebP. Smaller copies for phones are made automatically."),
    )
    lead_image_url = WebURLField(
        _("lead image address"),
        max_length=1000,
        blank=True,
        help_text=_("A remote image, used when no image is uploaded."),
    )
    lead_image_renditions = models.JSONField(
        _("smaller copies of the lead image"), default=dict, blank=True, editable=False
    )
    thumbnail_url = WebURLField(_("thumbnail address"), max_length=1000, blank=True)
    lead_image_caption = models.CharField(_("caption"), max_length=300, blank=True)
    lead_image_credit = models.CharField(_("image credit"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("A future time schedules the article: it appears by itself at that time."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    is_featured = models.BooleanField(_("featured"), default=False)
    allow_comments = models.BooleanField(_("comments allowed"), default=True)
    source_name = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("The outlet that first published it.")
    )
    source_url = WebURLField(_("original link"), max_length=1000, blank=True, help_text=_("原文链接"))
    credits = models.TextField(
        _("credit lines"),
        blank=True,
        help_text=_("Credit lines of the original, one per line, e.g. 作者：… ；公众号：…"),
    )
    rights_notice = models.CharField(
        _("rights notice"),
        max_length=500,
        blank=True,
        help_text=_("The original's reprint or copyright notice, e.g. 本文由 @… 原创发布于…"),
    )
    import_source_path = models.CharField(_("imported from"), max_length=1000, blank=True, editable=False)
    import_key = models.CharField(
        _("import key"), max_length=64, null=True, blank=True, unique=True, editable=False
    )
    import_hash = models.CharField(_("imported content hash"), max_length=64, blank=True, editable=False)
    import_fingerprint = models.CharField(
        _("imported fields digest"), max_length=64, blank=True, editable=False
    )
    import_version = models.PositiveIntegerField(_("version written by import"), null=True, editable=False)
    front_matter = models.JSONField(
        _("other front matter"),
        default=dict,
        blank=True,
        help_text=_("Front-matter keys of the imported document that have no field of their own."),
    )
    import_notes = models.JSONField(_("import notes"), default=list, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="created_articles",
        editable=False,
        help_text=_("The login that created the article; a writer may edit their own drafts."),
    )
    review_note = models.TextField(
        _("note from the editor"),
        blank=True,
        help_text=_("Why the article was sent back to draft, and what to change."),
    )
    # Worked out from the text on every save (articles/reading.py), so pages need not.
    title_language = models.CharField(
        _("language of the title"),
        max_length=16,
        blank=True,
        editable=False,
        help_text=_("zh-Hans, zh-Hant or ja, detected when saved; empty without Chinese or Japanese text."),
    )
    body_language = models.CharField(
        _("language of the text"),
        max_length=16,
        blank=True,
        editable=False,
        help_text=_("zh-Hans, zh-Hant or ja, detected when saved; empty without Chinese or Japanese text."),
    )
    reading_minutes = models.PositiveSmallIntegerField(_("reading time (minutes)"), default=0, editable=False)
    revised_at = models.DateTimeField(
        _("last revised"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "When what readers see last changed: the source's update time for imported articles, "
            "the publication time, or the last edit made after publication."
        ),
    )
    status_before_trash = models.CharField(
        _("status before the trash"), max_length=20, choices=Status.choices, blank=True, editable=False
    )
    trashed_at = models.DateTimeField(_("moved to the trash"), null=True, blank=True, editable=False)
    trashed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moved to the trash by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = ArticleManager()

    # The body as this process last cleaned it (or the importer did): saving it again needs no cleaning.
    _clean_body: str | None = None
    # The slug take_free_slug() found free: saving it needs no check.
    _free_slug: str | None = None
    # What the text tells, made from it once (text_facts()); the importer's workers hand it over.
    _text_facts: TextFacts | None = None

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="article_status_published"),
            # Listings in publication order: a deep page's ids come from the index alone
            # (ArticleQuerySet.page), the category included for category pages. A key column,
            # not INCLUDE, which SQLite lacks.
            models.Index(fields=["status", "-published_at", "-id", "category"], name="article_listing"),
            # Previous, next and newest within one category (articles.site.article_page.around), however small.
            models.Index(fields=["category", "-published_at", "-id"], name="article_in_category"),
            # The home page's few featured articles, without reading every published one.
            models.Index(
                fields=["-published_at", "-id"], condition=Q(is_featured=True), name="article_featured"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_time",
            )
        ]
        permissions = [
            ("publish_article", _("Can publish, schedule, unpublish and archive articles")),
            ("change_any_article", _("Can edit articles of other people, in any status")),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, imported: bool = False, **kwargs) -> None:
        """Save, cleaning the body and counting a new version; ``imported`` marks the importer's writes.

        Raise ValidationError, naming the field, for an address that is not http or https.
        """
        check_web_urls(self)
        if self.body != self._clean_body and not body_marks.is_marked(self.body, self.body_mark):
            self.body = sanitise(self.body)
        self._clean_body = self.body
        self.body_mark = body_marks.mark(self.body)
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_mark"}
        # A slug from unique_slug() is free by construction: it skips other articles' old addresses too.
        slug_given = bool(self.slug) and self.slug != self._free_slug
        if not self.slug:
            self.take_free_slug(slug_from_text(self.title))
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self._read_text()
        # Refused before writing anything, so a caller's transaction stays usable.
        stored = self._stored() if self.pk else None
        if slug_given and (stored is None or stored["slug"] != self.slug):
            self.check_slug_is_not_an_old_address()
        # Publishing (scheduling included) ends the article's share links: readers will see it.
        publishing = (
            stored is not None and self.status == self.Status.PUBLISHED and stored["status"] != self.status
        )
        # savepoint=False: inside a caller's transaction a failure fails that transaction anyway.
        with transaction.atomic(savepoint=False):
            if self.pk:
                self.version = (self.version or 0) + 1
                self._keep_old_slug_redirecting(stored)
            self._note_revision(stored, imported)
            if imported:
                self.import_version = self.version
            super().save(*args, **kwargs)
            if publishing:
                self.preview_links.live().end()

    def get_absolute_url(self) -> str:
        return path_to("articles:detail", "slug", self.slug)

    @property
    def safe_body(self):
        """Return the body as HTML for a page: as stored when its mark proves it was cleaned, else cleaned now.

        Whatever wrote the row (``loaddata``, ``update()``, raw SQL, a restored backup), a page never
        shows a body this sanitiser did not clean (``articles.body_marks``).
        """
        return body_marks.safe_body(self.body, self.body_mark, label=f"article {self.pk}")

    @property
    def is_published(self) -> bool:
        """Return whether readers can see the article now."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    @property
    def is_scheduled(self) -> bool:
        """Return whether the article is published with a time still to come."""
        return (
            self.status == self.Status.PUBLISHED and self.published_at is not None and not self.is_published
        )

    def breadcrumbs(self) -> list[tuple[str, str]]:
        """Return [(name, url)] of the article's category and those above it, top first, without a query."""
        return self.category.trail() if self.category is not None else []

    @property
    def edited_since_import(self) -> bool:
        """Return whether someone saved the article after the importer last wrote it."""
        return self.import_version is not None and self.version != self.import_version

    def credit_lines(self) -> list[str]:
        """Return the credit lines to show, without the rights notice (shown on its own line)."""
        notice = self.rights_notice.strip()
        return [line for line in self.credits.splitlines() if line.strip() and line.strip() != notice]

    def text_facts(self) -> TextFacts:
        """Return what the text tells (languages, reading time, search terms), made once per text."""
        facts = self._text_facts
        if facts is None or not facts.describes(self):
            facts = self._text_facts = TextFacts.of(self.title, self.subtitle, self.summary, self.body)
        return facts

    def _read_text(self) -> None:
        """Store what the text tells readers before they read it: its languages and reading time."""
        facts = self.text_facts()
        self.title_language = facts.title_language
        self.body_language = facts.body_language
        self.reading_minutes = facts.reading_minutes

    def _stored(self) -> dict | None:
        """Return the stored row's slug, status and what readers see of it (None for a new article)."""
        return Article.objects.filter(pk=self.pk).values("slug", "status", *READER_VISIBLE_FIELDS).first()

    def _note_revision(self, stored: dict | None, imported: bool) -> None:
        """Move ``revised_at`` to now when an edit changes what readers of the published article see.

        The importer sets it itself (the source's update time); an article is never revised before
        its publication.
        """
        if self.published_at is None:
            return
        was_visible = (
            stored is not None
            and stored["status"] == self.Status.PUBLISHED
            and stored["published_at"] is not None
            and stored["published_at"] <= timezone.now()
        )
        if (
            not imported
            and was_visible
            and stored is not None
            and self.is_published
            and any(getattr(self, name) != stored[name] for name in READER_VISIBLE_FIELDS)
        ):
            self.revised_at = timezone.now()
        if self.revised_at is None or self.revised_at < self.published_at:
            self.revised_at = self.published_at

    def take_free_slug(self, base: str) -> None:
        """Set the slug to ``base`` or ``base-2``, ``base-3``…, the first that no article has or had."""
        self.slug = self._free_slug = unique_slug(Article, base, exclude_pk=self.pk)

    def clean(self) -> None:
        if self.slug:
            self.check_slug_is_not_an_old_address()

    def check_slug_is_not_an_old_address(self) -> None:
        """Raise ValidationError on ``slug`` when it is an old address of another article.

        An old address keeps redirecting to the article that had it (readers' links and search
        engines rely on it): another article taking it would break the redirect and, once
        published, own the address.
        """
        taken = (
            SlugRedirect.objects.filter(old_slug=self.slug)
            .exclude(article_id=self.pk)
            .values_list("article__title", flat=True)
            .first()
        )
        if taken is not None:
            raise ValidationError(
                {
                    "slug": ValidationError(
                        _(
                            "The address “%(slug)s” is taken: it is an old address of “%(title)s”, "
                            "and still leads there. Choose another."
                        ),
                        code="old_address_of_another_article",
                        params={"slug": self.slug, "title": taken},
                    )
                }
            )

    @property
    def can_be_shared(self) -> bool:
        """Return whether a share link may be made: not for a published (or scheduled) article, whose
        publication ends its links, nor for one in the trash."""
        return self.status not in {self.Status.PUBLISHED, self.Status.TRASHED}

    @property
    def in_trash(self) -> bool:
        """Return whether the article is in the trash."""
        return self.status == self.Status.TRASHED

    def move_to_trash(self, user=None) -> None:
        """Put the article in the trash: no reader sees it and its share links end, until it is restored."""
        if self.in_trash:
            return
        with transaction.atomic(savepoint=False):
            self.status_before_trash, self.status = self.status, self.Status.TRASHED
            self.trashed_at, self.trashed_by = timezone.now(), user
            self.save()
            self.preview_links.live().end()

    def restore_from_trash(self) -> None:
        """Take the article out of the trash, back to the status it had (published articles go live again)."""
        if not self.in_trash:
            return
        self.status = self.status_before_trash or self.Status.DRAFT
        self.status_before_trash, self.trashed_at, self.trashed_by = "", None, None
        self.save()

    def refresh_lead_image_renditions(self, image_changed: bool = False) -> None:
        """Render and record the lead image's smaller copies when the image is new (``image_changed``) or
        the copies on record are another image's; writes only that field.

        The copies of the image it replaced are deleted once the change is committed, unless another
        article shows the same image (fetched images are stored once, by content).
        """
        change = renditions_to_record(self.lead_image.name or "", self.lead_image_renditions, image_changed)
        if change is None:
            return
        self.lead_image_renditions, replaced = change
        Article.objects.filter(pk=self.pk).update(lead_image_renditions=self.lead_image_renditions)
        if replaced:
            originals = {original_of(old) for old in replaced.values()}
            if not Article.objects.filter(lead_image__in=originals).exclude(pk=self.pk).exists():
                transaction.on_commit(lambda: delete_renditions(replaced))

    def _keep_old_slug_redirecting(self, stored: dict | None) -> None:
        """Keep the address ``stored`` (the row's slug and status before this save) leading here."""
        if stored is None or stored["slug"] == self.slug:
            return
        # Taking back one of its own old addresses: that redirect has done its job.
        SlugRedirect.objects.filter(old_slug=self.slug, article_id=self.pk).delete()
        if stored["status"] in {self.Status.PUBLISHED, self.Status.ARCHIVED}:
            SlugRedirect.objects.update_or_create(old_slug=stored["slug"], defaults={"article": self})


class Byline(models.Model):
    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="bylines"
    )
    author = models.ForeignKey(
        Author, verbose_name=_("author"), on_delete=models.PROTECT, related_name="bylines"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("byline")
        verbose_name_plural = _("bylines")
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["article", "author"], name="byline_unique_author")]

    def __str__(self) -> str:
        return f"{self.article} — {self.author}"


class SlugRedirect(models.Model):
    """An address an article had before its slug changed; it redirects to the article."""

    old_slug = models.SlugField(_("old slug"), max_length=120, unique=True)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("old address")
        verbose_name_plural = _("old addresses")

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.article.slug}"
