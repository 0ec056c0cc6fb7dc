"""Rules about addresses: the real target of a tracking redirect, and when two image addresses are one picture."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, unquote, urlsplit

from articles.importing.profiles import FeedProfile

# A CORS proxy wrapping the real address after "?" (``https://cors.zfour.workers.dev/?http://…``).
CORS_PROXY = re.compile(
    r"^(?:https?:)?//[^/?#]*(?:cors|proxy)[^/?#]*/?\?(?P<target>(?:https?:)?//.+)$", re.IGNORECASE
)
ABSOLUTE = re.compile(r"^https?://[^/\s]+", re.IGNORECASE)


def host_of(url: str) -> str:
    """Return the lower-cased host of ``url`` ('' when it has none or is malformed)."""
    try:
        return (urlsplit(url.strip()).hostname or "").lower()
    except ValueError:
        return ""


def tracking_target(url: str) -> str:
    """Return the address a tracking redirect leads to when the URL carries it, else ''.

    Affiliate redirects put the destination in a query parameter (``t=``, ``u=``, ``url=``…),
    sometimes percent-encoded twice.
    """
    try:
        query = urlsplit(url.strip()).query
    except ValueError:
        return ""
    for _name, value in parse_qsl(query, keep_blank_values=False):
        for _ in range(2):
            if ABSOLUTE.match(value):
                return value
            value = unquote(value)
    return ""


def unwrap_proxy(url: str) -> str:
    """Return the address a CORS proxy wraps, or ``url`` itself."""
    match = CORS_PROXY.match(url.strip())
    return match.group("target") if match else url.strip()


def image_key(url: str, profile: FeedProfile) -> str:
    """Return what identifies the picture at ``url``: proxy, scheme and host case left out,
    the feed's resized-copy addresses (``image_variants``) turned into the picture's own."""
    url = unwrap_proxy(url)
    url = re.sub(r"^(?:https?:)?//", "", url, flags=re.IGNORECASE)
    host, _, rest = url.partition("/")
    url = f"{host.lower()}/{rest}".rstrip("?")
    for pattern, replacement in profile.image_variants:
        url = pattern.sub(replacement, url)
    return url
