"""The Jinja2 environment of the reader site's templates (``templates/jinja2/``).

The public pages are rendered by Jinja2, which Django supports as a template backend: it compiles
a template to Python once, where Django's engine walks its node tree on every render, and the
article and listing pages are the site's most rendered HTML. The admin keeps Django's engine.

What the templates get beside their context: ``_()``/``gettext()``/``ngettext()`` (Django's
translations; ``makemessages`` reads these templates with Jinja2's own parser, see
``gettext_calls``), ``url()``, ``static()``, and the
filters ``date``, ``iso`` and ``truncate_text`` (Django's date formats in the site's time zone) and
``web_url``, the guard every stored address passes through on its way into a page
(``articles.safe_urls``, as the Django templates' ``{% load web_urls %}``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json

from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone, translation
from jinja2 import Environment
from jinja2.ext import extract_from_ast

from articles.templatetags.web_urls import web_url


def environment(**options) -> Environment:
    """Return the reader site's Jinja2 environment (TEMPLATES' ``environment`` option)."""
    env = Environment(**options)
    # Django's own functions as globals, called straight (the i18n extension's {% trans %} blocks,
    # which we do not use, would wrap every call); ``_("…")|format(name=value)`` for parameters.
    env.globals.update(
        _=translation.gettext,
        gettext=translation.gettext,
        ngettext=translation.ngettext,
        url=url,
        static=static_url,
        current_language=translation.get_language,
    )
    env.filters.update(date=date, iso=iso, truncate_text=truncate_text, web_url=web_url)
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


def gettext_calls(source: str) -> str:
    """Return the messages of a Jinja2 template as Python ``gettext``/``ngettext``/``pgettext`` calls,
    each on its template line, for xgettext (``manage.py makemessages``).

    Django's makemessages reads templates with Django's template lexer, which finds ``_("…")`` only
    at the start of a ``{{ }}`` and never ``ngettext()``; Jinja2's own parser finds every call,
    wherever it stands (a macro's argument, a ``{% set %}``, an attribute).
    """
    lines: dict[int, list[str]] = {}
    for line, function, messages in extract_from_ast(Environment().parse(source), babel_style=False):
        if not isinstance(messages, tuple):
            messages = (messages,)
        # Only constants are messages: ``_(reason)`` translates a variable, nothing to extract.
        arguments = [
            json.dumps(message, ensure_ascii=False) for message in messages if isinstance(message, str)
        ]
        if not arguments:
            continue
        name = "gettext" if function == "_" else function
        if name in {"ngettext", "npgettext"}:
            arguments.append("0")  # the count
        lines.setdefault(line, []).append(f"{name}({', '.join(arguments)})")
    last = max(lines, default=0)
    return "".join("; ".join(lines.get(number, ())) + "\n" for number in range(1, last + 1))
