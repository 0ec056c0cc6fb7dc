"""The content's taxonomy: categories (a tree), authors (people and organisations) and tags."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from taggit.models import ItemBase, TagBase

from articles.addresses import path_to
from articles.images import validate_image_field
from articles.querysets import NAME_PATH_SEPARATOR, PATH_SEPARATOR, AuthorManager, CategoryQuerySet
from articles.safe_urls import WebURLField, check_web_urls
from articles.slugs import slug_from_text, unique_slug


class Category(models.Model):
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("Leave empty for a top-level section."),
    )
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(
        _("slug"),
        max_length=100,
        blank=True,
        help_text=_("Part of the address. Made from the name when left empty."),
    )
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveIntegerField(
        _("order"), default=0, help_text=_("Smaller numbers come first among siblings.")
    )
    path = models.CharField(_("address path"), max_length=700, unique=True, editable=False)
    name_path = models.CharField(_("full name"), max_length=1000, editable=False)
    depth = models.PositiveSmallIntegerField(_("depth"), default=0, editable=False)

    objects = CategoryQuerySet.as_manager()

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "slug"], name="category_unique_slug_in_parent"),
            models.UniqueConstraint(
                fields=["slug"], condition=Q(parent__isnull=True), name="category_unique_root_slug"
            ),
            models.UniqueConstraint(fields=["parent", "name"], name="category_unique_name_in_parent"),
            models.UniqueConstraint(
                fields=["name"], condition=Q(parent__isnull=True), name="category_unique_root_name"
            ),
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="category_not_own_parent"),
        ]

    def __str__(self) -> str:
        return self.name_path or self.name

    def save(self, *args, **kwargs) -> None:
        if not self.slug:
            self.slug = slug_from_text(self.name)
        old_path = self.path
        self._compute_paths()
        with transaction.atomic(savepoint=False):
            super().save(*args, **kwargs)
            if old_path and old_path != self.path:
                for child in self.children.all():
                    child.save()

    def get_absolute_url(self) -> str:
        return path_to("articles:category", "path", self.path)

    def clean(self) -> None:
        if self.pk and self.parent_id:
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("A category cannot sit inside itself.")})
                ancestor = ancestor.parent

    def _compute_paths(self) -> None:
        parent = self.parent
        if parent is not None:
            self.path = parent.path + PATH_SEPARATOR + self.slug
            self.name_path = parent.name_path + NAME_PATH_SEPARATOR + self.name
            self.depth = parent.depth + 1
        else:
            self.path, self.name_path, self.depth = self.slug, self.name, 0

    def ancestors(self, include_self: bool = False) -> CategoryQuerySet:
        """Return the categories above this one, top first, in one query."""
        parts = self.path.split(PATH_SEPARATOR)
        prefixes = [
            PATH_SEPARATOR.join(parts[:end]) for end in range(1, len(parts) + (1 if include_self else 0))
        ]
        return Category.objects.filter(path__in=prefixes).order_by("depth")

    def trail(self) -> list[tuple[str, str]]:
        """Return [(name, url)] of the categories above this one and itself, top first.

        Read from ``path`` and ``name_path`` without a query, unless a name contains the separator.
        """
        slugs = self.path.split(PATH_SEPARATOR)
        names = self.name_path.split(NAME_PATH_SEPARATOR)
        if len(names) != len(slugs):
            return [(c.name, c.get_absolute_url()) for c in self.ancestors(include_self=True)]
        return [
            (name, path_to("articles:category", "path", PATH_SEPARATOR.join(slugs[: depth + 1])))
            for depth, name in enumerate(names)
        ]

    def descendants(self) -> CategoryQuerySet:
        """Return every category below this one, at any depth, in one query."""
        return Category.objects.filter(path__startswith=self.path + PATH_SEPARATOR)


class Author(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=120, unique=True, blank=True)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=Kind.choices,
        default=Kind.PERSON,
        help_text=_("An organisation is a wire service or outlet, such as 快科技."),
    )
    bio = models.TextField(_("biography"), blank=True)
    avatar = models.ImageField(
        _("avatar"), upload_to="authors/%Y/", blank=True, validators=[validate_image_field]
    )
    website = WebURLField(_("website"), max_length=500, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text=_(
            "The login this person uses, if they work in the newsroom. Their articles get this byline "
            "by default; made for each staff account the first time it writes."
        ),
    )

    objects = AuthorManager()

    class Meta:
        verbose_name = _("author")
        verbose_name_plural = _("authors")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="author_unique_name_per_kind")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        check_web_urls(self)
        if not self.slug:
            self.slug = unique_slug(Author, slug_from_text(self.name), exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return path_to("articles:author", "slug", self.slug)

    def get_edited_url(self) -> str:
        """Return the address of the page listing the articles this person was the responsible editor of."""
        return path_to("articles:editor", "slug", self.slug)


class Tag(TagBase):
    source_slug = models.CharField(
        _("source slug"),
        max_length=100,
        blank=True,
        help_text=_("The tag's slug on the site it was imported from, e.g. zhangyong."),
    )

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [
            # "eVTOL" and "EVTOL" are one tag (TAGGIT_CASE_INSENSITIVE); the index also serves lookups.
            models.UniqueConstraint(Lower("name"), name="tag_unique_lowercase_name")
        ]

    def slugify(self, tag: str, i: int | None = None) -> str:
        slug = self.source_slug or slug_from_text(tag)
        return f"{slug}-{i}" if i is not None else slug

    def get_absolute_url(self) -> str:
        return path_to("articles:tag", "slug", self.slug)


class TaggedArticle(ItemBase):
    """Tag ↔ article link with a real foreign key, so tag queries join, not scan."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")
    content_object = models.ForeignKey("Article", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = _("tagged article")
        verbose_name_plural = _("tagged articles")
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_article_unique")
        ]
        # A tag's newest articles without a sort, for tag pages and related articles.
        indexes = [models.Index(fields=["tag", "-content_object"], name="tagged_article_by_tag")]
