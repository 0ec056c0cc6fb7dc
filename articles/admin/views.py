"""Extra admin pages for articles: staff preview, revision history with compare."""

from __future__ import annotations

import difflib
import re

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from reversion.models import Version

from articles.admin.history import versions_of
from articles.models import Article, Author, Byline, Tag, TaggedArticle
from articles.site.views import render_preview

# Fields that change on every save, or by themselves, and say nothing about the text.
# Records and what save() works out from the text (languages, reading time, last revision): no
# editor's change.
NOT_COMPARED = {
    "version", "updated_at", "import_version", "import_hash", "import_notes", "lead_image_renditions",
    "status_before_trash", "trashed_at", "trashed_by_id", "body_mark",
    "title_language", "body_language", "reading_minutes", "revised_at",
}  # fmt: skip
LINE_BREAKS = re.compile(r"(</p>|</h[1-6]>|<br>|</li>|</blockquote>|</figure>)")


def staff_preview_view(model_admin):
    """Return the staff-only view showing an article, in any status, as readers will see it."""

    def view(request, object_id):
        article = model_admin.get_object(request, unquote(object_id))
        if article is None:
            raise Http404(_("No such article."))
        if not model_admin.has_view_or_change_permission(request, article):
            raise PermissionDenied
        return render_preview(request, article)

    return view


def history_context(model_admin, request, object_id) -> dict:
    """Return what the history page needs to offer "compare these two versions"."""
    return {"versions": list(versions_of(unquote(object_id))[:200])}


def _related_names(version: Version) -> dict[str, str]:
    """Return the authors and tags stored with ``version``'s revision, as text."""
    authors, tags = [], []
    for related in version.revision.version_set.all():
        model = related._model
        if model is Byline:
            authors.append(related.field_dict["author_id"])
        elif model is TaggedArticle:
            tags.append(related.field_dict["tag_id"])
    author_names = dict(Author.objects.filter(pk__in=authors).values_list("pk", "name"))
    tag_names = dict(Tag.objects.filter(pk__in=tags).values_list("pk", "name"))
    return {
        _("authors"): "、".join(author_names.get(pk, f"#{pk}") for pk in authors),
        _("tags"): "、".join(sorted(tag_names.get(pk, f"#{pk}") for pk in tags)),
    }


def _lines(value) -> list[str]:
    return LINE_BREAKS.sub(r"\1\n", "" if value is None else str(value)).splitlines()


def compare_versions(older: Version, newer: Version) -> list[dict]:
    """Return [{name, field, old, new, diff}] for each field that differs between two versions of an article."""
    old_data, new_data = older.field_dict, newer.field_dict
    changes = []
    for field in Article._meta.concrete_fields:
        if field.attname in NOT_COMPARED:
            continue
        old, new = old_data.get(field.attname), new_data.get(field.attname)
        if old != new:
            diff = difflib.unified_diff(_lines(old), _lines(new), lineterm="", n=1)
            changes.append(
                {
                    "name": field.attname,
                    "field": field.verbose_name,
                    "old": old,
                    "new": new,
                    "diff": list(diff)[2:],
                }
            )
    old_related, new_related = _related_names(older), _related_names(newer)
    for label, old in old_related.items():
        if old != new_related[label]:
            changes.append({"name": label, "field": label, "old": old, "new": new_related[label], "diff": []})
    return changes


def compare_view(model_admin):
    """Return the view comparing two versions of an article (``?from=<id>&to=<id>``)."""

    def view(request, object_id):
        object_id = unquote(object_id)
        article = get_object_or_404(model_admin.get_queryset(request), pk=object_id)
        if not model_admin.has_view_or_change_permission(request, article):
            raise PermissionDenied
        versions = versions_of(object_id)
        try:
            chosen = sorted([int(request.GET["from"]), int(request.GET["to"])])
        except (KeyError, ValueError) as error:
            raise Http404(_("Choose two versions to compare.")) from error
        older = get_object_or_404(versions, pk=chosen[0])
        newer = get_object_or_404(versions, pk=chosen[1])
        context = {
            **model_admin.admin_site.each_context(request),
            "title": _("Compare versions of “%(title)s”") % {"title": article.title},
            "opts": model_admin.opts,
            "original": article,
            "older": older,
            "newer": newer,
            "changes": compare_versions(older, newer),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    return view
