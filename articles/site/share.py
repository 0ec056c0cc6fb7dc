"""Sharing an article: the addresses of its share links, and the QR code 微信 (WeChat) readers scan.

Nothing comes from a third party: the 微博 (Weibo) link is a plain address of its share page, the
QR code is drawn here (segno, as SVG) and served from our own origin, and copying the link is a
small script of ours (``static/js/share.js``), so the page needs no outside script under its
Content Security Policy.
"""

from __future__ import annotations

import functools
import io
from urllib.parse import urlencode

import segno
from django.urls import reverse

from articles.models import Article

WEIBO_SHARE = "https://service.weibo.com/share/share.php"


def links(article: Article, address: str) -> dict[str, str]:
    """Return the article's share addresses: its own ``address``, 微博's share page, and its QR code."""
    return {
        "address": address,
        "weibo": f"{WEIBO_SHARE}?{urlencode({'url': address, 'title': article.title})}",
        "qr_code": reverse("articles:share-code", kwargs={"slug": article.slug}),
    }


@functools.lru_cache(maxsize=256)
def qr_code_svg(address: str) -> str:
    """Return a QR code of ``address`` as an SVG document (dark modules on white, a quiet zone of 2)."""
    buffer = io.BytesIO()
    segno.make(address, error="m").save(
        buffer, kind="svg", scale=4, border=2, dark="#1a1a1a", light="#fff", xmldecl=False, title=address
    )
    return buffer.getvalue().decode("utf-8")
