"""Query parameters of the Content API: each read and checked by one small function.

An endpoint lists its ``Parameter``\\ s once; ``read_parameters()`` reads them from the request and
``openapi()`` describes them to the schema, so what is documented is what is accepted. A bad value,
a parameter given twice or one the endpoint does not know is refused with a 400 that names the
parameter and says why: a client that misspells ``categroy`` learns it, rather than getting an
unfiltered list it takes for a filtered one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

SLUG = re.compile(r"[-a-zA-Z0-9_]+")
CATEGORY_PATH = re.compile(r"[-a-zA-Z0-9_]+(?:/[-a-zA-Z0-9_]+)*")
# A "+08:00" offset sent unencoded in a query string arrives as " 08:00".
UNENCODED_PLUS = re.compile(r" (?=\d{2}:?\d{2}$)")
TRUE_WORDS, FALSE_WORDS = frozenset({"true", "1"}), frozenset({"false", "0"})


class BadValue(ValueError):
    """A parameter's value is refused; the message says why, for the client."""


@dataclass(frozen=True)
class Parameter:
    """A query parameter: its name, how its value is read (``read`` raises ``BadValue``), its
    OpenAPI schema and description."""

    name: str
    read: Callable[[str], Any]
    schema: dict
    description: Any = ""
    required: bool = False
    explode: bool | None = None

    def openapi(self) -> OpenApiParameter:
        """Return the parameter as drf-spectacular describes it in the schema."""
        return OpenApiParameter(
            self.name,
            type=self.schema,
            location=OpenApiParameter.QUERY,
            description=self.description,
            required=self.required,
            explode=self.explode,
        )


def read_parameters(query, parameters: Sequence[Parameter]) -> dict[str, Any]:
    """Return {name: value} of the ``parameters`` present in ``query`` (a QueryDict), read and checked.

    Raise a ValidationError naming every parameter that is unknown, repeated or has a bad value.
    """
    known = {parameter.name: parameter for parameter in parameters}
    values, errors = {}, {}
    for name in query:
        parameter = known.get(name)
        if parameter is None:
            if known:
                message = _("Unknown parameter. This endpoint accepts: %(names)s.") % {
                    "names": ", ".join(known)
                }
            else:
                message = _("Unknown parameter. This endpoint takes no parameters.")
            errors[name] = [message]
            continue
        given = query.getlist(name)
        if len(given) > 1:
            errors[name] = [_("Give this parameter once.")]
            continue
        try:
            values[name] = parameter.read(given[0])
        except BadValue as error:
            errors[name] = [str(error)]
    for parameter in parameters:
        if parameter.required and parameter.name not in query:
            errors[parameter.name] = [_("This parameter is required.")]
    if errors:
        raise ValidationError(errors)
    return values


# --- readers ---------------------------------------------------------------------------------


def whole_number(minimum: int, maximum: int) -> Callable[[str], int]:
    """Return a reader of a whole number from ``minimum`` to ``maximum``."""

    def read(text: str) -> int:
        if not re.fullmatch(r"[0-9]{1,12}", text) or not minimum <= int(text) <= maximum:
            raise BadValue(
                _("Give a whole number from %(minimum)s to %(maximum)s.")
                % {"minimum": minimum, "maximum": maximum}
            )
        return int(text)

    return read


def boolean(text: str) -> bool:
    """Return ``text`` read as true or false."""
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise BadValue(_("Give true or false."))


def moment(text: str) -> dt.datetime:
    """Return ``text``, an ISO 8601 date or time, as an aware time in UTC; one without an offset is in
    the site's time zone, and a date is its first moment."""
    text = UNENCODED_PLUS.sub("+", text.strip())
    try:
        value = parse_datetime(text)
        if value is None and (day := parse_date(text)) is not None:
            value = dt.datetime.combine(day, dt.time.min)
    except ValueError:
        value = None
    if value is None:
        raise BadValue(_("Give an ISO 8601 date or time, such as 2024-05-01 or 2024-05-01T08:00:00+08:00."))
    if timezone.is_naive(value):
        value = timezone.make_aware(value, timezone.get_default_timezone())
    try:
        # In UTC, as the database compares it: PostgreSQL refuses offsets beyond ±15:59, which
        # ISO 8601 allows, and a time near year 1 or 9999 may not exist in UTC at all.
        return value.astimezone(dt.UTC)
    except OverflowError:
        raise BadValue(_("This time is out of range.")) from None


def slug(text: str) -> str:
    """Return ``text`` if it can be a slug (letters, digits, hyphens, underscores)."""
    if not SLUG.fullmatch(text) or len(text) > 120:
        raise BadValue(_("Give a slug: letters, digits, hyphens and underscores."))
    return text


def category_path(text: str) -> str:
    """Return ``text`` if it can be a category's address path, such as ``news/tech``."""
    text = text.strip("/")
    if not CATEGORY_PATH.fullmatch(text) or len(text) > 700:
        raise BadValue(_("Give a category path: slugs separated by slashes, such as news/tech."))
    return text


def choice(values: Sequence[str]) -> Callable[[str], str]:
    """Return a reader of one of ``values``."""

    def read(text: str) -> str:
        if text not in values:
            raise BadValue(_("Give one of: %(values)s.") % {"values": ", ".join(values)})
        return text

    return read


def names(values: Sequence[str]) -> Callable[[str], tuple[str, ...]]:
    """Return a reader of a comma-separated list of some of ``values``, in the order given."""

    def read(text: str) -> tuple[str, ...]:
        given = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
        unknown = [name for name in given if name not in values]
        if not given or unknown:
            raise BadValue(
                _("Unknown field names: %(unknown)s. Choose from: %(values)s.")
                % {"unknown": ", ".join(unknown) or "''", "values": ", ".join(values)}
            )
        return given

    return read


def query_text(max_length: int) -> Callable[[str], str]:
    """Return a reader of search words: at most ``max_length`` characters, control characters refused."""

    def read(text: str) -> str:
        text = text.strip()
        if not text:
            raise BadValue(_("Give the words to search for."))
        if len(text) > max_length:
            raise BadValue(_("Give at most %(count)s characters.") % {"count": max_length})
        if any(ord(character) < 32 for character in text):
            raise BadValue(_("Control characters are not allowed."))
        return text

    return read


# --- schemas ---------------------------------------------------------------------------------


def integer_schema(minimum: int, maximum: int, default: int | None = None) -> dict:
    """Return the OpenAPI schema of a whole number in a range."""
    schema = {"type": "integer", "minimum": minimum, "maximum": maximum}
    if default is not None:
        schema["default"] = default
    return schema


BOOLEAN_SCHEMA = {"type": "string", "enum": ["true", "false", "1", "0"]}
MOMENT_SCHEMA = {"type": "string", "format": "date-time"}
SLUG_SCHEMA = {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+$", "maxLength": 120}
CATEGORY_PATH_SCHEMA = {"type": "string", "pattern": r"^[-a-zA-Z0-9_]+(/[-a-zA-Z0-9_]+)*$", "maxLength": 700}


def enum_schema(values: Sequence[str], default: str | None = None) -> dict:
    """Return the OpenAPI schema of one of ``values``."""
    schema: dict = {"type": "string", "enum": list(values)}
    if default is not None:
        schema["default"] = default
    return schema


def names_schema(values: Sequence[str]) -> dict:
    """Return the OpenAPI schema of a comma-separated list of some of ``values``."""
    return {"type": "array", "items": {"type": "string", "enum": list(values)}, "minItems": 1}
