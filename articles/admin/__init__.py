"""Admin registration for every model; the article admin lives in ``articles.admin.article``."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag as TaggitTag

from articles.admin.accounts import RoleAdmin, StaffUserAdmin
from articles.admin.article import ArticleAdmin
from articles.admin.media import MediaImageAdmin
from articles.models import Author, Category, Tag

__all__ = [
    "ArticleAdmin",
    "AuthorAdmin",
    "CategoryAdmin",
    "MediaImageAdmin",
    "RoleAdmin",
    "StaffUserAdmin",
    "TagAdmin",
]

# Our Tag model replaces taggit's; showing both would confuse editors.
admin.site.unregister(TaggitTag)
admin.site.site_header = _("Newsroom admin")
admin.site.site_title = _("Newsroom admin")
admin.site.index_title = _("Editor’s desk")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_path", "slug", "sort_order"]
    list_select_related = ["parent"]
    search_fields = ["name", "name_path", "slug"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "name_path"]
    ordering = ["path"]


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "user"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    search_fields = ["name", "slug"]
    autocomplete_fields = ["user"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "source_slug"]
    search_fields = ["name", "slug", "source_slug"]
