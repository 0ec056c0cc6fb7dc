"""The columns of the article change list: thumbnail, status, category path, authors and tags."""

from django.contrib import admin
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from articles.images import rendition_urls
from articles.safe_urls import allowed_or_empty

# The change list must stay readable at 1280 px: short times, the category's own name (its path on
# hover), the first few tags.
SHORT_TIME = "%Y-%m-%d %H:%M"
TAGS_SHOWN = 3

STATUS_COLOURS = {
    "draft": "#6b6b6b",
    "review": "#b26a00",
    "scheduled": "#2a5db0",
    "published": "#1f7a1f",
    "archived": "#444",
    "trashed": "#a33",
}


class ArticleColumns:
    """Change-list columns for ``ArticleAdmin``; bylines and tags come prefetched (``for_listing``)."""

    @admin.display(description=_("image"))
    def thumbnail(self, article):
        url = ""
        if article.lead_image:
            renditions = rendition_urls(article.lead_image_renditions)
            url = renditions[0][1] if renditions else article.lead_image.url
        url = url or allowed_or_empty(article.thumbnail_url) or allowed_or_empty(article.lead_image_url)
        if not url:
            return ""
        return format_html(
            '<img src="{}" alt="" width="64" height="40" loading="lazy" referrerpolicy="no-referrer" '
            'style="object-fit:cover">',
            url,
        )

    @admin.display(description=_("status"), ordering="status")
    def status_badge(self, article):
        key, label = article.status, article.get_status_display()
        if article.is_scheduled:
            key, label = "scheduled", _("Scheduled")
        return format_html(
            '<strong class="status status-{}" style="color:{}">{}</strong>', key, STATUS_COLOURS[key], label
        )

    @admin.display(description=_("publication time"), ordering="published_at")
    def published(self, article):
        if article.published_at is None:
            return self.get_empty_value_display()
        return timezone.localtime(article.published_at).strftime(SHORT_TIME)

    @admin.display(description=_("category"), ordering="category__path")
    def category_path(self, article):
        if not article.category:
            return ""
        return format_html('<span title="{}">{}</span>', article.category.name_path, article.category.name)

    @admin.display(description=_("authors"))
    def author_names(self, article):
        return format_html_join(
            "、",
            '<a href="?author={}">{}</a>',
            ((byline.author_id, byline.author.name) for byline in article.bylines.all()),
        )

    @admin.display(description=_("tags"))
    def tag_names(self, article):
        tags = list(article.tags.all())
        shown = format_html_join(
            " ", '<a href="?tag={}">#{}</a>', ((tag.pk, tag.name) for tag in tags[:TAGS_SHOWN])
        )
        if len(tags) > TAGS_SHOWN:
            more = "、".join(tag.name for tag in tags[TAGS_SHOWN:])
            return format_html('{} <span title="{}">…</span>', shown, more)
        return shown
