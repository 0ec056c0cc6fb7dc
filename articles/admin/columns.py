"""The columns of the article change list: thumbnail, status, category path, authors and tags."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from articles.images import rendition_urls
from articles.safe_urls import allowed_or_empty

STATUS_COLOURS = {
    "draft": "#6b6b6b",
    "review": "#b26a00",
    "scheduled": "#2a5db0",
    "published": "#1f7a1f",
    "archived": "#444",
}


class ArticleColumns:
    """Change-list columns for ``ArticleAdmin``; bylines and tags come prefetched (``for_listing``)."""

    @admin.display(description=_("image"))
    def thumbnail(self, article):
        url = ""
        if article.lead_image:
            renditions = rendition_urls(article.lead_image.name)
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

    @admin.display(description=_("category"), ordering="category__path")
    def category_path(self, article):
        return article.category.name_path if article.category else ""

    @admin.display(description=_("authors"))
    def author_names(self, article):
        return format_html_join(
            "、",
            '<a href="?author={}">{}</a>',
            ((byline.author_id, byline.author.name) for byline in article.bylines.all()),
        )

    @admin.display(description=_("tags"))
    def tag_names(self, article):
        return format_html_join(
            " ", '<a href="?tag={}">#{}</a>', ((tag.pk, tag.name) for tag in article.tags.all())
        )
