"""The newsroom's working records: share links, the media library, autosaves."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.images import delete_renditions, renditions_to_record, validate_image_field
from articles.models.article import Article
from articles.querysets import PreviewLinkQuerySet


class PreviewLink(models.Model):
    """A link that shows an unpublished article to someone without a login, until it expires or ends.

    It ends when an editor revokes it, and when its article is published or moved to the trash.
    """

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="preview_links"
    )
    key = models.CharField(_("key"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("shared by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("shared"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("share link")
        verbose_name_plural = _("share links")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["article", "ended_at", "expires_at"], name="preview_link_live")]

    def __str__(self) -> str:
        return self.get_absolute_url()

    def get_absolute_url(self) -> str:
        return reverse("articles:preview", kwargs={"token": self.key})

    @property
    def is_live(self) -> bool:
        """Return whether the link still shows its article."""
        return self.ended_at is None and self.expires_at > timezone.now()


class MediaImage(models.Model):
    """An image of the media library, placed in article bodies with its alternative text and credit."""

    file = models.ImageField(
        _("image"),
        upload_to="library/%Y/%m/",
        width_field="width",
        height_field="height",
        validators=[validate_image_field],
        help_text=_("JPEG, PNG, GIF or WebP. Smaller copies are made automatically."),
    )
    alt_text = models.CharField(
        _("alternative text"),
        max_length=300,
        help_text=_("What the image shows, for readers who cannot see it (screen readers, slow networks)."),
    )
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    credit = models.CharField(
        _("credit"), max_length=200, blank=True, help_text=_("Who took or owns the image, e.g. 摄影：李四.")
    )
    width = models.PositiveIntegerField(_("width"), null=True, editable=False)
    height = models.PositiveIntegerField(_("height"), null=True, editable=False)
    renditions = models.JSONField(_("smaller copies"), default=dict, blank=True, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("image")
        verbose_name_plural = _("media library")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.alt_text or self.file.name or ""

    def refresh_renditions(self, file_changed: bool = False) -> None:
        """Render and record the image's smaller copies when the file is new or the copies on record are
        another file's; the replaced file's copies are deleted once the change is committed."""
        change = renditions_to_record(self.file.name or "", self.renditions, file_changed)
        if change is None:
            return
        self.renditions, replaced = change
        MediaImage.objects.filter(pk=self.pk).update(renditions=self.renditions)
        if replaced:
            transaction.on_commit(lambda: delete_renditions(replaced))


class Autosave(models.Model):
    """What someone typed in an article form and has not saved yet, kept for them alone.

    One per person and article, and one per person for an article not saved yet.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=300, blank=True)
    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    body = models.TextField(_("body"), blank=True)
    saved_at = models.DateTimeField(_("saved"), auto_now=True)

    class Meta:
        verbose_name = _("autosave")
        verbose_name_plural = _("autosaves")
        constraints = [
            models.UniqueConstraint(fields=["user", "article"], name="autosave_one_per_article"),
            models.UniqueConstraint(
                fields=["user"], condition=Q(article__isnull=True), name="autosave_one_new_article"
            ),
        ]

    def __str__(self) -> str:
        return self.title
