"""Bulk actions on the article change list: publish, unpublish, archive, move, tag.

Each changes articles one by one through ``Article.save()`` so that every change is
sanitised, counted as a new version and recorded as a revision, and each checks the
workflow for every article: a forged request cannot do more than the form allows.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from reversion import revisions

from articles import workflow
from articles.admin import history
from articles.admin.forms import BulkCategoryForm, BulkTagsForm
from articles.models import Article

BULK_NOTE = gettext_lazy("Changed in bulk from the article list.")


def _save_each(model_admin, request, articles, change, comment: str) -> int:
    """Apply ``change(article)`` and save each article in its own revision; return how many were saved."""
    saved = 0
    for article in articles:
        history.record_first_revision(article)
        with revisions.create_revision():
            revisions.set_user(request.user)
            revisions.set_comment(comment)
            change(article)
            article.save()
        model_admin.log_change(request, article, comment)
        saved += 1
    return saved


def _change_status(model_admin, request, queryset, status: str, comment: str) -> None:
    allowed, refused = [], []
    for article in queryset:
        try:
            workflow.check_transition(request.user, article, status, note=str(BULK_NOTE))
        except ValidationError:
            refused.append(article)
        else:
            allowed.append(article)

    def set_status(article):
        article.status = status
        if status == Article.Status.DRAFT:
            article.review_note = str(BULK_NOTE)

    saved = _save_each(model_admin, request, allowed, set_status, comment)
    model_admin.message_user(
        request,
        ngettext("%(count)d article changed.", "%(count)d articles changed.", saved) % {"count": saved},
    )
    if refused:
        titles = "、".join(article.title for article in refused[:5])
        model_admin.message_user(
            request, _("Not allowed for: %(titles)s") % {"titles": titles}, messages.WARNING
        )


@admin.action(permissions=["publish"], description=gettext_lazy("Publish the selected articles"))
def publish(model_admin, request, queryset):
    _change_status(
        model_admin, request, queryset, Article.Status.PUBLISHED, _("Published from the article list.")
    )


@admin.action(
    permissions=["publish"], description=gettext_lazy("Unpublish the selected articles (back to draft)")
)
def unpublish(model_admin, request, queryset):
    _change_status(
        model_admin, request, queryset, Article.Status.DRAFT, _("Sent back to draft from the article list.")
    )


@admin.action(permissions=["publish"], description=gettext_lazy("Archive the selected articles"))
def archive(model_admin, request, queryset):
    _change_status(
        model_admin, request, queryset, Article.Status.ARCHIVED, _("Archived from the article list.")
    )


def _intermediate_page(model_admin, request, queryset, form, action: str, title: str):
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "media": model_admin.media + form.media,
        "articles": queryset,
        "action": action,
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "opts": model_admin.model._meta,
    }
    return TemplateResponse(request, "admin/articles/article/bulk_form.html", context)


@admin.action(permissions=["edit_any"], description=gettext_lazy("Move the selected articles to a category"))
def move_to_category(model_admin, request, queryset):
    form = BulkCategoryForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return _intermediate_page(
            model_admin, request, queryset, form, "move_to_category", _("Move to a category")
        )
    category = form.cleaned_data["category"]

    def move(article):
        article.category = category

    comment = _("Moved to the category %(category)s from the article list.") % {"category": category}
    saved = _save_each(model_admin, request, queryset, move, comment)
    model_admin.message_user(
        request, _("%(count)d articles moved to %(category)s.") % {"count": saved, "category": category}
    )
    return None


def _change_tags(model_admin, request, queryset, action: str, title: str, adding: bool):
    form = BulkTagsForm(request.POST if "apply" in request.POST else None)
    if not form.is_valid():
        return _intermediate_page(model_admin, request, queryset, form, action, title)
    names = form.cleaned_data["names"]

    def change(article):
        if adding:
            article.tags.add(*names)
        else:
            article.tags.remove(*names)

    if adding:
        comment = _("Tags added from the article list: %(tags)s") % {"tags": "、".join(names)}
    else:
        comment = _("Tags removed from the article list: %(tags)s") % {"tags": "、".join(names)}
    saved = _save_each(model_admin, request, queryset, change, comment)
    model_admin.message_user(request, _("Tags changed on %(count)d articles.") % {"count": saved})
    return None


@admin.action(permissions=["edit_any"], description=gettext_lazy("Add tags to the selected articles"))
def add_tags(model_admin, request, queryset):
    return _change_tags(model_admin, request, queryset, "add_tags", _("Add tags"), adding=True)


@admin.action(permissions=["edit_any"], description=gettext_lazy("Remove tags from the selected articles"))
def remove_tags(model_admin, request, queryset):
    return _change_tags(model_admin, request, queryset, "remove_tags", _("Remove tags"), adding=False)
