"""The Jinja2 environment of the reader site's templates (``templates/jinja2/``).

The public pages are rendered by Jinja2, which Django supports as a template backend: it compiles
a template to Python once, where Django's engine walks its node tree on every render, and the
article and listing pages are the site's most rendered HTML. The admin keeps Django's engine.

What the templates get beside their context: ``_()``/``ngettext()`` (Django's translations, so
``makemessages`` finds ``_("…")`` as it does in Django templates), ``url()``, ``static()``, and the
filters ``date``, ``iso`` and ``truncate_text`` (Django's date formats in the site's time zone).
"""

from __future__ import annotations

import datetime as dt
import functools

from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone, translation
from jinja2 import Environment


def environment(**options) -> Environment:
    """Return the reader site's Jinja2 environment (TEMPLATES' ``environment`` option)."""
    env = Environment(**options)
    # Django's own functions as globals, called straight (the i18n extension's {% trans %} blocks,
    # which we do not use, would wrap every call). ``_("…")|format(name=value)`` keeps the message
    # first, where makemessages finds it.
    env.globals.update(
        _=translation.gettext,
        gettext=translation.gettext,
        ngettext=translation.ngettext,
        url=url,
        static=static_url,
        current_language=translation.get_language,
    )
    env.filters.update(date=date, iso=iso, truncate_text=truncate_text)
    return env


def url(name: str, *args, **kwargs) -> str:
    """Return the path of the URL named ``name``; addresses without arguments are reversed once."""
    if args or kwargs:
        return reverse(name, args=args, kwargs=kwargs)
    return _fixed_url(get_urlconf(), get_script_prefix(), name)


@functools.lru_cache(maxsize=256)
def _fixed_url(urlconf, script_prefix: str, name: str) -> str:
    return reverse(name, urlconf=urlconf)


@functools.lru_cache(maxsize=256)
def static_url(path: str) -> str:
    """Return the address of a static file (the manifest's hashed name in production)."""
    return static(path)


def date(value: dt.datetime | dt.date | None, format_name: str = "DATETIME_FORMAT") -> str:
    """Return ``value`` formatted with a Django date format (a format name or a format string), in
    the site's time zone, as Django's ``date`` filter does."""
    if value is None:
        return ""
    return _formatted(value, format_name, translation.get_language(), timezone.get_current_timezone_name())


@functools.lru_cache(maxsize=4096)
def _formatted(value: dt.datetime | dt.date, format_name: str, language: str, zone: str) -> str:
    # Listings show the same few hundred times over and over; Django's formatting reads the format
    # character by character each time. The language and zone are part of the key.
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return formats.date_format(value, format_name)


def iso(value: dt.datetime | None) -> str:
    """Return ``value`` in ISO 8601, in the site's time zone (for ``datetime`` attributes)."""
    if value is None:
        return ""
    return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()


def truncate_text(value: str, length: int) -> str:
    """Return ``value`` cut to ``length`` characters, the last being an ellipsis, as ``truncatechars``."""
    value = value or ""
    return value if len(value) <= length else value[: length - 1] + "…"
