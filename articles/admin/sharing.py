"""The share-links page of an article: its live links, a new one, revoking one or all."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles import workflow
from articles.preview import share

RECENTLY_ENDED = 10


def share_links_view(model_admin):
    """Return the view listing an article's share links; POST ``share``, ``revoke`` (a link) or ``revoke_all``."""

    def view(request, object_id):
        article = model_admin.get_object(request, unquote(object_id))
        if article is None:
            raise Http404(_("No such article."))
        if not workflow.can_edit(request.user, article):
            raise PermissionDenied
        links = article.preview_links.select_related("created_by")
        if request.method == "POST":
            if "share" in request.POST:
                if not article.can_be_shared:
                    raise PermissionDenied
                link = share(article, request.user)
                model_admin.message_user(
                    request,
                    _("New share link: %(url)s")
                    % {"url": request.build_absolute_uri(link.get_absolute_url())},
                    messages.SUCCESS,
                )
            elif "revoke_all" in request.POST:
                ended = links.live().end()
                model_admin.message_user(
                    request,
                    ngettext("%(count)d link revoked.", "%(count)d links revoked.", ended) % {"count": ended},
                )
            elif request.POST.get("revoke", "").isdigit():
                ended = links.live().filter(pk=int(request.POST["revoke"])).end()
                model_admin.message_user(
                    request,
                    _("The link was revoked: it now answers like an expired one.")
                    if ended
                    else _("That link had already ended."),
                )
            return HttpResponseRedirect(request.path)
        live = list(links.live())
        ended = [link for link in links.exclude(pk__in=[link.pk for link in live])[:RECENTLY_ENDED]]
        context = {
            **model_admin.admin_site.each_context(request),
            "title": _("Share links of “%(title)s”") % {"title": article.title},
            "opts": model_admin.opts,
            "original": article,
            "live_links": [(link, request.build_absolute_uri(link.get_absolute_url())) for link in live],
            "ended_links": ended,
            "can_share": article.can_be_shared,
        }
        return TemplateResponse(request, "admin/articles/article/share_links.html", context)

    return view
