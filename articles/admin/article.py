"""The article admin: a thin layer over ``articles.workflow`` and the model."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from js_asset import Media
from reversion import revisions
from reversion.admin import VersionAdmin

from articles import workflow
from articles.admin import actions, filters
from articles.admin.columns import ArticleColumns
from articles.admin.forms import ArticleAdminForm
from articles.admin.views import compare_view, history_context, staff_preview_view
from articles.images import render_renditions
from articles.models import Article, Byline, SlugRedirect, TaggedArticle
from articles.preview import preview_token

PUBLISHER_ONLY_FIELDS = ["published_at", "is_featured", "review_note"]

# A revision holds the article with its bylines and tags. Old addresses are not followed:
# restoring a revision must never delete a redirect that readers' links rely on.
revisions.register(Byline)
revisions.register(TaggedArticle)
revisions.register(Article, follow=["bylines", "tagged_items"])


class BylineInline(admin.TabularInline):
    model = Byline
    extra = 1
    autocomplete_fields = ["author"]


class SlugRedirectInline(admin.TabularInline):
    model = SlugRedirect
    extra = 0
    readonly_fields = ["old_slug", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(ArticleColumns, VersionAdmin):
    form = ArticleAdminForm
    # Addresses typed without a scheme are https (Django 6's default; silences its warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "thumbnail",
        "title",
        "status_badge",
        "published_at",
        "category_path",
        "author_names",
        "tag_names",
        "updated_at",
    ]
    list_display_links = ["title"]
    list_filter = [
        filters.StatusFilter,
        filters.CategoryFilter,
        filters.AuthorFilter,
        filters.TagFilter,
        "is_featured",
    ]
    list_select_related = ["category", "editor"]
    list_per_page = 50
    # Facet counts run one count per filter choice over the whole archive: too slow at 100,000 articles.
    show_facets = admin.ShowFacets.NEVER
    search_fields = ["title"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["category", "editor"]
    inlines = [BylineInline, SlugRedirectInline]
    actions = [
        actions.publish,
        actions.unpublish,
        actions.archive,
        actions.move_to_category,
        actions.add_tags,
        actions.remove_tags,
    ]
    object_history_template = "admin/articles/article/object_history.html"
    change_list_template = "admin/articles/article/change_list.html"
    readonly_fields = [
        "preview_links",
        "version",
        "created_by",
        "created_at",
        "updated_at",
        "import_source_path",
        "import_key",
        "import_notes",
    ]
    fieldsets = [
        (None, {"fields": ["title", "slug", "subtitle", "summary", "body", "expected_version"]}),
        (
            _("Publishing"),
            {
                "fields": [
                    "status",
                    "review_note",
                    "published_at",
                    "preview_links",
                    "category",
                    "tags",
                    "new_tags",
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
                    "lead_image_caption",
                    "lead_image_credit",
                    "lead_image_url",
                    "thumbnail_url",
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
                    "created_by",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]

    # --- who sees and changes what -------------------------------------------------

    def get_queryset(self, request):
        articles = super().get_queryset(request).for_listing()
        if workflow.can_edit_any(request.user):
            return articles
        return articles.owned_by(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or workflow.can_edit(request.user, obj))

    def has_publish_permission(self, request) -> bool:
        return workflow.can_publish(request.user) and workflow.can_edit_any(request.user)

    def has_edit_any_permission(self, request) -> bool:
        return workflow.can_edit_any(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not workflow.can_publish(request.user):
            fields += PUBLISHER_ONLY_FIELDS
        return fields

    def render_change_form(self, request, context, *args, **kwargs):
        # The editor's import map is an inline script: it runs by this request's CSP nonce, which an
        # injected script cannot carry (articles/csp.py).
        context["media"] = Media.from_media(context["media"], nonce=str(request.csp_nonce))
        return super().render_change_form(request, context, *args, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        form.article_before_revert = getattr(request, "newsroom_article_before_revert", None)
        return form

    # --- saving --------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        if form.article_before_revert is not None:
            # Restoring a revision continues the count from the newest version, never reuses a number.
            obj.version = form.article_before_revert.version
        super().save_model(request, obj, form, change)
        if obj.lead_image and "lead_image" in form.changed_data:
            render_renditions(obj.lead_image.name)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        new_tags = form.cleaned_data.get("new_tags")
        if new_tags:
            form.instance.tags.add(*new_tags)

    # --- extra views ---------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(staff_preview_view(self)),
                name="{}_{}_preview".format(*info),
            ),
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(compare_view(self)),
                name="{}_{}_compare".format(*info),
            ),
        ]
        return own + super().get_urls()

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Judge the request by the article as it is now, not by the revision being restored:
        # a writer must not revive the draft of an article that has since been published.
        stored = self.get_object(request, unquote(object_id))
        if stored is None or not self.has_change_permission(request, stored):
            raise PermissionDenied
        request.newsroom_article_before_revert = stored
        return super().revision_view(request, object_id, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not workflow.can_edit_any(request.user):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not workflow.can_edit_any(request.user):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        context = {**history_context(self, request, object_id), **(extra_context or {})}
        return super().history_view(request, object_id, context)

    # --- edit-page extras ----------------------------------------------------------

    @admin.display(description=_("preview"))
    def preview_links(self, article):
        if not article.pk:
            return _("Save the article to preview it.")
        staff_url = reverse("admin:articles_article_preview", args=[article.pk])
        shared_url = reverse("articles:preview", args=[preview_token(article.pk)])
        return format_html(
            '<a class="preview-staff" href="{}" target="_blank" rel="noopener">{}</a> · '
            '<a class="preview-shared" href="{}" target="_blank" rel="noopener">{}</a>',
            staff_url,
            _("Preview (staff only)"),
            shared_url,
            _("Link to share (expires)"),
        )
