"""Login throttling with django-axes: the pieces axes asks the project for.

Failed logins are counted per account and per address (``AXES_LOCKOUT_PARAMETERS``) in the
database, so every app server sees the same counts. Past ``NEWSROOM_LOGIN_FAILURE_LIMIT``
failures the account, or the address, is locked for ``NEWSROOM_LOGIN_LOCKOUT_MINUTES``: even the
right password is refused, with ``lockout_response``'s page. ``manage.py axes_reset``,
``axes_reset_username NAME`` and ``axes_reset_ip ADDRESS`` unlock sooner.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.shortcuts import render


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' lockout check, for logins that come with a request (the admin's login form, any view).

    ``authenticate()`` called without a request (the test client's ``login()``, a script) has no
    address to count and no one to show a lockout page to: axes would raise; this skips it.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def client_address(request) -> str:
    """Return the address a request came from: behind NEWSROOM_TRUSTED_PROXIES proxies, the one the
    outermost of them saw (each appends to X-Forwarded-For what it received from), else REMOTE_ADDR.

    The one rule for it: failed logins and the Content API's anonymous requests are counted by it.

    Only the trusted proxies' entries are read: a client may put anything at the front of the header.
    """
    proxies = settings.NEWSROOM_TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, original_response=None, credentials=None):
    """Return the page (status 429) saying the login is locked, for how long, and who can unlock it."""
    return render(
        request,
        "registration/locked_out.html",
        {"minutes": settings.NEWSROOM_LOGIN_LOCKOUT_MINUTES, "title": None},
        status=429,
    )
