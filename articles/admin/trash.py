"""The trash: deleting an article in the admin moves it there; an editor restores it or deletes it for good.

Why a trash rather than recovering deleted rows from their revisions: an article in the trash
is still whole, so restoring it brings back everything exactly (its id and address, bylines,
tags, old addresses that redirect to it, lead image, search entry), imported articles
included, and costs the importer nothing. Nothing is lost by a wrong click; deleting for good
is a second, deliberate step for editors only (``workflow.can_manage_trash``).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from reversion import revisions

from articles import workflow
from articles.admin import history
from articles.images import delete_renditions
from articles.models import Article

TRASH_FILTER = "status=trashed"
SHOWN_BEFORE_EMPTYING = 100


def trash_url() -> str:
    """Return the address of the trash: the change list filtered to the articles in it."""
    return reverse("admin:articles_article_changelist") + "?" + TRASH_FILTER


def move_to_trash(request, article: Article) -> None:
    """Move ``article`` to the trash as ``request.user``, recorded in its history."""
    history.record_first_revision(article)
    with revisions.create_revision():
        revisions.set_user(request.user)
        revisions.set_comment(_("Moved to the trash."))
        article.move_to_trash(request.user)


def restore(request, article: Article) -> None:
    """Take ``article`` out of the trash as ``request.user``, recorded in its history."""
    with revisions.create_revision():
        revisions.set_user(request.user)
        revisions.set_comment(_("Restored from the trash."))
        article.restore_from_trash()


def delete_for_good(articles) -> int:
    """Delete ``articles`` (in the trash) with their revisions and lead images; return how many.

    A lead image is kept while another article shows it (fetched images are stored once, by content).
    """
    articles = list(articles)
    images = {article.lead_image.name: dict(article.lead_image_renditions or {}) for article in articles}
    pks = [article.pk for article in articles]
    with transaction.atomic():
        history.forget(pks)
        Article.objects.filter(pk__in=pks, status=Article.Status.TRASHED).delete()
        still_shown = set(
            Article.objects.filter(lead_image__in=[name for name in images if name]).values_list(
                "lead_image", flat=True
            )
        )
        unused = {name: renditions for name, renditions in images.items() if name and name not in still_shown}
        transaction.on_commit(lambda: _delete_images(unused))
    return len(pks)


def _delete_images(images: dict[str, dict]) -> None:
    for name, renditions in images.items():
        delete_renditions(renditions)
        default_storage.delete(name)


# --- change-list actions -------------------------------------------------------------


@admin.action(permissions=["trash"], description=gettext_lazy("Move the selected articles to the trash"))
def trash(model_admin, request, queryset):
    moved = 0
    for article in queryset.outside_trash():
        move_to_trash(request, article)
        moved += 1
    model_admin.message_user(
        request,
        ngettext("%(count)d article moved to the trash.", "%(count)d articles moved to the trash.", moved)
        % {"count": moved},
    )


@admin.action(permissions=["trash"], description=gettext_lazy("Restore the selected articles from the trash"))
def restore_selected(model_admin, request, queryset):
    restored = 0
    for article in queryset.in_trash():
        restore(request, article)
        restored += 1
    model_admin.message_user(
        request,
        ngettext("%(count)d article restored.", "%(count)d articles restored.", restored)
        % {"count": restored},
    )


@admin.action(permissions=["trash"], description=gettext_lazy("Delete the selected articles for good"))
def delete_selected_for_good(model_admin, request, queryset):
    articles = list(queryset.in_trash())
    if "apply" not in request.POST:
        return _confirm_page(model_admin, request, articles, len(articles), "delete_selected_for_good")
    deleted = delete_for_good(articles)
    model_admin.message_user(
        request,
        ngettext("%(count)d article deleted for good.", "%(count)d articles deleted for good.", deleted)
        % {"count": deleted},
    )
    return None


def _confirm_page(model_admin, request, articles, count: int, action: str = ""):
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Delete for good"),
        "opts": model_admin.opts,
        "articles": articles,
        "count": count,
        "action": action,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "trash_url": trash_url(),
    }
    return TemplateResponse(request, "admin/articles/article/delete_for_good.html", context)


# --- views --------------------------------------------------------------------------


def empty_trash_view(model_admin):
    """Return the view that deletes every article in the trash for good, after asking."""

    def view(request):
        if not workflow.can_manage_trash(request.user):
            raise PermissionDenied
        in_trash = Article.objects.in_trash().order_by("-trashed_at")
        if request.method != "POST":
            shown = list(in_trash.only("pk", "title", "trashed_at")[:SHOWN_BEFORE_EMPTYING])
            return _confirm_page(model_admin, request, shown, in_trash.count())
        deleted = delete_for_good(in_trash)
        model_admin.message_user(
            request,
            ngettext("%(count)d article deleted for good.", "%(count)d articles deleted for good.", deleted)
            % {"count": deleted},
        )
        return HttpResponseRedirect(reverse("admin:articles_article_changelist"))

    return view


def restore_view(model_admin):
    """Return the view (POST) that takes one article out of the trash and opens it."""

    def view(request, object_id):
        if request.method != "POST":
            raise Http404
        if not workflow.can_manage_trash(request.user):
            raise PermissionDenied
        article = get_object_or_404(Article.objects.in_trash(), pk=unquote(object_id))
        restore(request, article)
        model_admin.message_user(
            request,
            _("“%(title)s” was restored from the trash.") % {"title": article.title},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:articles_article_change", args=[article.pk]))

    return view
