"""Admin registration for every model; one ModelAdmin per model."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag as TaggitTag

from articles.models import Article, Author, Byline, Category, SlugRedirect, Tag

# Our Tag model replaces taggit's; showing both would confuse editors.
admin.site.unregister(TaggitTag)


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


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]


class SlugRedirectInline(admin.TabularInline):
    model = SlugRedirect
    extra = 0
    readonly_fields = ["old_slug", "created_at"]
    can_delete = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at", "category", "editor", "is_featured"]
    list_filter = ["status", "is_featured", "category"]
    list_select_related = ["category", "editor"]
    search_fields = ["title", "slug"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["category", "editor"]
    prepopulated_fields = {}
    inlines = [BylineInline, SlugRedirectInline]
    readonly_fields = [
        "version",
        "created_at",
        "updated_at",
        "import_source_path",
        "import_key",
        "import_notes",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "subtitle", "summary", "body"]}),
        (
            _("Publishing"),
            {
                "fields": [
                    "status",
                    "published_at",
                    "category",
                    "tags",
                    "editor",
                    "is_featured",
                    "allow_comments",
                ]
            },
        ),
        (
            _("Lead image"),
            {
                "fields": [
                    "lead_image",
                    "lead_image_url",
                    "thumbnail_url",
                    "lead_image_caption",
                    "lead_image_credit",
                ]
            },
        ),
        (_("Source"), {"fields": ["source_name", "source_url", "credits", "rights_notice"]}),
        (
            _("Provenance"),
            {
                "classes": ["collapse"],
                "fields": [
                    "front_matter",
                    "import_source_path",
                    "import_key",
                    "import_notes",
                    "version",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]
