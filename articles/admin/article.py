"""The article admin: a thin layer over ``articles.workflow`` and the model."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from js_asset import Media
from reversion.admin import VersionAdmin

from articles import search, workflow
from articles.admin import actions, autosave, filters, history, trash
from articles.admin.columns import ArticleColumns
from articles.admin.forms import ArticleAdminForm
from articles.admin.sharing import share_links_view
from articles.admin.views import compare_view, history_context, staff_preview_view
from articles.models import Article, Author, Byline, SlugRedirect

PUBLISHER_ONLY_FIELDS = ["published_at", "is_featured", "review_note"]


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
        "published",
        "category_path",
        "author_names",
        "tag_names",
    ]
    list_display_links = ["title"]
    list_filter = [
        filters.StatusFilter,
        filters.MineFilter,
        filters.CategoryFilter,
        filters.AuthorFilter,
        filters.TagFilter,
        "is_featured",
    ]
    list_select_related = ["category", "editor"]
    list_per_page = 50
    # Facet counts run one count per filter choice over the whole archive: too slow at 100,000 articles.
    show_facets = admin.ShowFacets.NEVER
    # "N results (M total)" counts the whole archive once more on every filtered page.
    show_full_result_count = False
    # The search box asks the site's search index (get_search_results), not these fields.
    search_fields = ["title"]
    search_help_text = gettext_lazy(
        "Searches titles and bodies, like the site's search: Chinese words of two characters work (张勇)."
    )
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
        trash.trash,
    ]
    trash_actions = [trash.restore_selected, trash.delete_selected_for_good]
    object_history_template = "admin/articles/article/object_history.html"
    change_list_template = "admin/articles/article/change_list.html"
    change_form_template = "admin/articles/article/change_form.html"
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
            gettext_lazy("Publishing"),
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
            gettext_lazy("Lead image"),
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
        (gettext_lazy("Source"), {"fields": ["source_name", "source_url", "credits", "rights_notice"]}),
        (
            gettext_lazy("Provenance"),
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

    class Media:
        css = {"all": ["articles/admin/admin.css"]}

    # --- who sees and changes what -------------------------------------------------

    def get_queryset(self, request):
        articles = super().get_queryset(request).for_listing()
        if workflow.can_edit_any(request.user):
            return articles
        return articles.owned_by(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or workflow.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return workflow.can_manage_trash(request.user)

    def has_publish_permission(self, request) -> bool:
        return workflow.can_publish(request.user) and workflow.can_edit_any(request.user)

    def has_edit_any_permission(self, request) -> bool:
        return workflow.can_edit_any(request.user)

    def has_trash_permission(self, request) -> bool:
        return workflow.can_manage_trash(request.user)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not workflow.can_publish(request.user):
            fields += PUBLISHER_ONLY_FIELDS
        return fields

    def get_actions(self, request):
        found = super().get_actions(request)
        # Deleting moves to the trash: the trash action stands for Django's "delete selected".
        found.pop("delete_selected", None)
        if request.GET.get(filters.StatusFilter.parameter_name) == Article.Status.TRASHED:
            if not self.has_trash_permission(request):
                return {}
            return {action.__name__: self.get_action(action) for action in self.trash_actions}
        return found

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, BylineInline) and obj.pk is None and request.method != "POST":
            # Who writes it is its default byline (their author profile is made on first use).
            kwargs["initial"] = [{"author": Author.objects.profile_for(request.user).pk}]
        return kwargs

    # --- finding work --------------------------------------------------------------

    def get_search_results(self, request, queryset, search_term):
        """Search titles and bodies through the site's search index (Chinese words of any length)."""
        query = search.Query.parse(search_term)
        if not query:
            return queryset, False
        return queryset.filter(pk__in=search.matching_ids(query, any_status=True)), False

    def get_ordering(self, request):
        if request.GET.get(filters.StatusFilter.parameter_name) == filters.SCHEDULED:
            return ["published_at", "id"]  # the next to go live first
        return super().get_ordering(request)

    # --- saving --------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        obj.refresh_lead_image_renditions(image_changed="lead_image" in form.changed_data)
        autosave.forget(request.user, obj)
        if not change:
            autosave.forget(request.user, None)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        new_tags = form.cleaned_data.get("new_tags")
        if new_tags:
            form.instance.tags.add(*new_tags)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "POST":
            article = self.get_object(request, unquote(object_id))
            if article is not None and self.has_change_permission(request, article):
                # Before the revision of this change begins: the first revision must be apart from it.
                history.record_first_revision(article)
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        # Not inside one revision (VersionAdmin's way): a bulk action records a revision per
        # article, and restoring any of them must not revert the other articles of the action.
        extra_context = {
            **(extra_context or {}),
            # The list needs the whole width at 1280 px; the site's menu is a click away (Home).
            "is_nav_sidebar_enabled": False,
            "in_trash": request.GET.get(filters.StatusFilter.parameter_name) == Article.Status.TRASHED,
            "can_manage_trash": workflow.can_manage_trash(request.user),
        }
        return admin.ModelAdmin.changelist_view(self, request, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        article = obj if change else None
        pending = autosave.pending(request.user, article)
        context.update(
            {
                "autosave_url": reverse("admin:articles_article_autosave"),
                "autosave": pending,
                "autosave_data": autosave.as_data(pending) if pending else None,
                "can_manage_trash": workflow.can_manage_trash(request.user),
                # The editor's import map is an inline script: it runs by this request's CSP nonce,
                # which an injected script cannot carry (articles/csp.py).
                "media": Media.from_media(context["media"], nonce=str(request.csp_nonce)),
            }
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- deleting: the trash -------------------------------------------------------

    def delete_view(self, request, object_id, extra_context=None):
        """Move the article to the trash, after asking; an article already there is deleted for good."""
        article = self.get_object(request, unquote(object_id))
        if article is None or article.in_trash:
            return super().delete_view(request, object_id, extra_context)
        if not self.has_trash_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            trash.move_to_trash(request, article)
            self.log_change(request, article, _("Moved to the trash."))
            self.message_user(
                request,
                _("“%(title)s” was moved to the trash. Editors can restore it from there.")
                % {"title": article.title},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:articles_article_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Move to the trash"),
            "opts": self.opts,
            "object": article,
            "live_links": article.preview_links.live().count(),
        }
        return TemplateResponse(request, "admin/articles/article/move_to_trash.html", context)

    def delete_model(self, request, obj):
        trash.delete_for_good([obj])

    def delete_queryset(self, request, queryset):
        trash.delete_for_good(queryset.in_trash())

    def recoverlist_view(self, request, extra_context=None):
        # Deleted articles wait in the trash; there is nothing else to recover.
        return HttpResponseRedirect(trash.trash_url())

    def recover_view(self, request, version_id, extra_context=None):
        return HttpResponseRedirect(trash.trash_url())

    # --- history -------------------------------------------------------------------

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # Judge the request by the article as it is now, not by the revision being restored:
        # a writer must not revive the draft of an article that has since been published.
        stored = self.get_object(request, unquote(object_id))
        if stored is None or not self.has_change_permission(request, stored):
            raise PermissionDenied
        request.newsroom_article_before_restore = stored
        return super().revision_view(request, object_id, version_id, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        current = getattr(request, "newsroom_article_before_restore", None)
        if current is not None:
            # reversion has just written the revision's row: a restore brings back content only.
            request.newsroom_restored_slug = history.keep_current_state(current)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_object(self, request, object_id, from_field=None):
        article = super().get_object(request, object_id, from_field)
        restored_slug = getattr(request, "newsroom_restored_slug", None)
        if article is not None and restored_slug:
            # Offered in the form like any change of address: saving it keeps the current one redirecting.
            article.slug = restored_slug
        return article

    def history_view(self, request, object_id, extra_context=None):
        context = {**history_context(self, request, object_id), **(extra_context or {})}
        return super().history_view(request, object_id, context)

    # --- extra views ---------------------------------------------------------------

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        own = [
            path(
                "autosave/",
                self.admin_site.admin_view(autosave.autosave_view(self)),
                name="{}_{}_autosave".format(*info),
            ),
            path(
                "trash/empty/",
                self.admin_site.admin_view(trash.empty_trash_view(self)),
                name="{}_{}_empty_trash".format(*info),
            ),
            path(
                "<path:object_id>/restore/",
                self.admin_site.admin_view(trash.restore_view(self)),
                name="{}_{}_restore".format(*info),
            ),
            path(
                "<path:object_id>/preview/",
                self.admin_site.admin_view(staff_preview_view(self)),
                name="{}_{}_preview".format(*info),
            ),
            path(
                "<path:object_id>/share/",
                self.admin_site.admin_view(share_links_view(self)),
                name="{}_{}_share_links".format(*info),
            ),
            path(
                "<path:object_id>/history/compare/",
                self.admin_site.admin_view(compare_view(self)),
                name="{}_{}_compare".format(*info),
            ),
        ]
        return own + super().get_urls()

    # --- edit-page extras ----------------------------------------------------------

    @admin.display(description=gettext_lazy("preview"))
    def preview_links(self, article):
        if not article.pk:
            return _("Save the article to preview it.")
        live = article.preview_links.live().count()
        return format_html(
            '<a class="preview-staff" href="{}" target="_blank" rel="noopener">{}</a> · '
            '<a class="share-links" href="{}">{}</a>',
            reverse("admin:articles_article_preview", args=[article.pk]),
            _("Preview (staff only)"),
            reverse("admin:articles_article_share_links", args=[article.pk]),
            ngettext("Share links (%(count)d live)", "Share links (%(count)d live)", live) % {"count": live},
        )
