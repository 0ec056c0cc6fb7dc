"""The one allow-list for addresses: what may be stored in a URL field and put in a page.

An address is allowed when a browser would read it as an ``http`` or ``https`` address with
a host. "Read as a browser would" is the WHATWG URL Standard, implemented by ada-url (the
parser of Node.js): browsers drop tabs and newlines anywhere in an address and control
characters and spaces around it, so ``jav<TAB>ascript:`` is ``javascript:``; they read a
backslash as a slash, so ``https://evil.example\\@www.youtube.com/`` goes to
``evil.example``. Python's ``urlsplit`` agrees with neither, so nothing here relies on it.

Stored addresses must also be written plainly: an address holding characters that browsers
drop or read differently (tabs, newlines, backslashes) or a user name (``www.youtube.com@evil``)
is refused rather than stored, so the value an editor sees is the address a reader's browser
follows. Django's ``URLValidator`` (http and https only) checks the syntax,
as the admin's form field does.
"""

from __future__ import annotations

import functools
import re

import ada_url
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

WEB_SCHEMES = ("http", "https")
# WHATWG URL parsing: "remove all ASCII tab or newline", and "leading and trailing C0 control
# or space" (https://url.spec.whatwg.org/#concept-basic-url-parser).
BROWSER_DROPPED = re.compile(r"[\t\n\r]")
C0_CONTROL_OR_SPACE = "".join(chr(code) for code in range(0x21))
# An address of a page no one may load: the base for reading relative addresses.
STAND_IN_HOST = "relative.invalid"
STAND_IN_BASE = f"https://{STAND_IN_HOST}/"

_syntax = URLValidator(schemes=list(WEB_SCHEMES))


def browser_form(value: str) -> str:
    """Return ``value`` as a browser reads it before parsing: no surrounding controls or spaces,
    no tabs or newlines."""
    return BROWSER_DROPPED.sub("", value.strip(C0_CONTROL_OR_SPACE))


@functools.lru_cache(maxsize=4096)
def is_web_url(value: str) -> bool:
    """Return whether ``value`` is an absolute http or https address written plainly: the allow-list.

    Cached: pages check the same few addresses over and over.
    """
    return web_url_problem(value) is None


def web_url_problem(value: str) -> str | None:
    """Return why ``value`` is not an allowed address, or None when it is."""
    if not isinstance(value, str) or not value:
        return str(_("The address is empty."))
    if browser_form(value) != value:
        return str(_("The address contains spaces, tabs or line breaks that browsers ignore."))
    if "\\" in value:
        return str(_("The address contains a backslash, which browsers read as a slash."))
    parsed = whatwg_parse(value)
    if parsed is None or parsed.protocol not in ("http:", "https:") or not parsed.hostname:
        return str(_("Only http and https addresses are allowed (such as https://example.com/news/1)."))
    if parsed.username or parsed.password:
        return str(_("Addresses with a user name or password (user@host) are not allowed."))
    try:
        _syntax(value)
    except ValidationError:
        return str(_("The address is not written correctly (such as https://example.com/news/1)."))
    return None


def whatwg_parse(value: str, base: str | None = None) -> ada_url.URL | None:
    """Return ``value`` parsed as a browser would (against ``base`` when given), or None when a
    browser could not parse it either."""
    try:
        return ada_url.URL(value, base) if base is not None else ada_url.URL(value)
    except ValueError:
        return None


def browser_reading(value: str) -> ada_url.URL | None:
    """Return ``value`` as a browser on one of our pages reads it in an ``href`` or ``src``, or None
    when it cannot; relative addresses come out on the host ``relative.invalid``."""
    return whatwg_parse(value, STAND_IN_BASE)


def is_relative(parsed: ada_url.URL) -> bool:
    """Return whether ``parsed`` (from ``browser_reading``) was a relative address: one on this site."""
    return parsed.host == STAND_IN_HOST


def validate_web_url(value: str) -> None:
    """Raise ValidationError unless ``value`` is on the allow-list (``is_web_url``)."""
    problem = web_url_problem(value)
    if problem is not None:
        raise ValidationError(problem, code="web_url", params={"value": value})


def allowed_or_empty(value: str | None) -> str:
    """Return ``value`` when it is on the allow-list, else ''; what pages use to put an address out."""
    if value and is_web_url(value):
        return value
    return ""


class WebURLField(models.URLField):
    """A URL field that holds only allowed addresses (``validate_web_url``), in forms and on save.

    Models call ``check_web_urls()`` on save: validators alone run only in forms and ``full_clean``.
    """

    default_validators = [validate_web_url]


def check_web_urls(instance: models.Model) -> None:
    """Raise ValidationError, by field, for every WebURLField of ``instance`` holding a refused address."""
    errors = {}
    for field in instance._meta.concrete_fields:
        if isinstance(field, WebURLField):
            value = getattr(instance, field.attname)
            if value:
                problem = web_url_problem(value)
                if problem is not None:
                    errors[field.name] = [ValidationError(problem, code="web_url")]
    if errors:
        raise ValidationError(errors)
