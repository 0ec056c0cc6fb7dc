"""Content Security Policy for every page, through django-csp.

Reader pages get ``CONTENT_SECURITY_POLICY`` (settings): scripts and styles only from our own origin, no inline script
at all (the JSON-LD block is data, which browsers do not run), style attributes only (the
sanitiser keeps a few, such as ``text-align``), frames only from the embed hosts, images from
anywhere over http(s) (articles show remote images), nothing may frame our pages. Had an
attacker's script slipped into a page, the browser would refuse to run it.

Admin pages get ``NEWSROOM_ADMIN_CONTENT_SECURITY_POLICY``: the same for scripts, plus this request's nonce, which only the
import map the rich-text editor writes inline carries (``ArticleAdmin.render_change_form``
gives the page's media the nonce). An injected ``<script type="importmap">`` has no nonce, so it
does not run, whatever its content. The admin's widgets set inline styles: allowed there.

Pages the page cache stores keep their header (the middleware sits inside the cache's), so a
cached page costs nothing more.
"""

from __future__ import annotations

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.urls import reverse


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's policy on admin pages (its documented extension point)."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and request.path.startswith(reverse("admin:index")):
            parts.config = settings.NEWSROOM_ADMIN_CONTENT_SECURITY_POLICY
        return parts
