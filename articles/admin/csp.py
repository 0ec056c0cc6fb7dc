"""A strict Content Security Policy for the admin pages.

Scripts come only from our own origin, except the import maps that django-js-asset
writes inline for the rich-text editor (``<script type="importmap">``): a browser
cannot load an import map from a file, so each one on the page is allowed by its
SHA-256 hash (CSP Level 3, "hash-source"), computed from the response itself. Any
other inline script stays blocked. Inline style attributes are allowed: the admin's
widgets and the editor set them.
"""

from __future__ import annotations

import base64
import hashlib
import re

from django.urls import reverse

HEADER = "Content-Security-Policy"
IMPORT_MAP = re.compile(rb'<script type="importmap"[^>]*>(.*?)</script>', re.DOTALL)
POLICY = (
    "default-src 'self'; script-src 'self'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: https:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def script_hashes(html: bytes) -> list[str]:
    """Return the CSP hash sources of the inline import maps in ``html``."""
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(body).digest()).decode() + "'"
        for body in IMPORT_MAP.findall(html)
    ]


def admin_policy(html: bytes) -> str:
    """Return the Content-Security-Policy header value for an admin page with body ``html``."""
    hashes = "".join(f" {source}" for source in script_hashes(html))
    return POLICY.format(hashes=hashes)


class AdminContentSecurityPolicyMiddleware:
    """Set ``admin_policy`` on every HTML page under the admin that has no policy of its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.path.startswith(reverse("admin:index"))
            and HEADER not in response
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
        ):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            response[HEADER] = admin_policy(response.content)
        return response
