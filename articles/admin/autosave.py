"""Autosave of an article being written: the form's text is kept on the server every few seconds.

What is autosaved is kept apart from the article (``Autosave``, one per person and article),
so it never counts as a version, never trips the edit-conflict check, and nobody else sees it.
Opening the form again offers to bring it back when it is newer than the saved article;
saving the article forgets it.
"""

from __future__ import annotations

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, JsonResponse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from articles import workflow
from articles.models import Article, Autosave
from articles.sanitise import sanitise

TEXT_FIELDS = ("title", "subtitle", "summary", "body")


def pending(user, article: Article | None) -> Autosave | None:
    """Return ``user``'s autosave of ``article`` (None: a new article) if it is newer than the saved article."""
    autosave = Autosave.objects.filter(user=user, article=article).first()
    if autosave is None or (article is not None and autosave.saved_at <= article.updated_at):
        return None
    return autosave


def forget(user, article: Article | None) -> None:
    """Delete ``user``'s autosave of ``article``, and of a new article when ``article`` was just created."""
    Autosave.objects.filter(user=user, article=article).delete()


def as_data(autosave: Autosave) -> dict:
    """Return what the form's script puts back into the fields."""
    return {name: getattr(autosave, name) for name in TEXT_FIELDS}


def autosave_view(model_admin):
    """Return the view (POST) keeping the text of an article form: ``article`` (empty for a new one),
    the text fields, or ``discard`` to forget it."""

    def view(request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = None
        if request.POST.get("article"):
            article = model_admin.get_object(request, unquote(request.POST["article"]))
            if article is None or not workflow.can_edit(request.user, article):
                raise PermissionDenied
        elif not model_admin.has_add_permission(request):
            raise PermissionDenied
        if "discard" in request.POST:
            forget(request.user, article)
            return JsonResponse({"discarded": True})
        values = {name: request.POST.get(name, "") for name in TEXT_FIELDS}
        for name in ("title", "subtitle"):
            values[name] = values[name][: Autosave._meta.get_field(name).max_length]
        values["body"] = sanitise(values["body"])
        autosave, _created = Autosave.objects.update_or_create(
            user=request.user, article=article, defaults=values
        )
        at = formats.time_format(timezone.localtime(autosave.saved_at), "H:i:s")
        return JsonResponse(
            {"saved_at": autosave.saved_at.isoformat(), "message": _("Autosaved at %(time)s") % {"time": at}}
        )

    return view
