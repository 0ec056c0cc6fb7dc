"""Fill the fields 0016 added on the articles already stored: the languages of title and text, the
reading time, and when readers last saw a change (the source's ``updated``, else the publication).

A copy of what ``articles.reading`` and ``Article.save()`` do as of this migration, as migrations
carry their own code.
"""

import datetime as dt
import html
import math
import re
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

from django.db import migrations
from hanzidentifier import helpers as hanzi

HIRAGANA = re.compile(r"[\u3041-\u309f]")
KATAKANA = re.compile(r"[\u30a0-\u30ff\u31f0-\u31ff]")
IDEOGRAPH = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")
BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|table|tr|td|th|blockquote|figure|figcaption|pre|section)\b[^>]*>",
    re.IGNORECASE,
)
TAG = re.compile(r"<[^>]*>")
WHITESPACE = re.compile(r"\s+")
SHANGHAI = ZoneInfo("Asia/Shanghai")
BATCH = 500


def plain_text(markup):
    text = TAG.sub("", BLOCK_TAG.sub(" ", markup or ""))
    return WHITESPACE.sub(" ", html.unescape(text)).strip()


def detect_language(text, traditional_only, simplified_only):
    sample = text[:3000]
    hiragana = len(HIRAGANA.findall(sample))
    katakana = len(KATAKANA.findall(sample))
    ideographs = IDEOGRAPH.findall(sample)
    cjk = hiragana + katakana + len(ideographs)
    if not cjk:
        return ""
    if (hiragana and hiragana * 5 >= cjk) or (katakana >= 2 and katakana > len(ideographs)):
        return "ja"
    traditional = sum(1 for character in ideographs if character in traditional_only)
    simplified = sum(1 for character in ideographs if character in simplified_only)
    return "zh-Hant" if traditional > simplified else "zh-Hans"


def reading_minutes(text):
    characters = len(IDEOGRAPH.findall(text)) + len(HIRAGANA.findall(text)) + len(KATAKANA.findall(text))
    words = len(LATIN_WORD.findall(text))
    if not characters and not words:
        return 0
    return max(1, math.ceil(characters / 400 + words / 200))


def source_updated(front_matter):
    """Return the document's own ``updated`` time, or None when it has none that reads as a time."""
    value = (front_matter or {}).get("updated")
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=SHANGHAI)
    return parsed.astimezone(dt.UTC)


def fill(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    traditional_only = frozenset(hanzi.TRADITIONAL_CHARACTERS - hanzi.SHARED_CHARACTERS)
    simplified_only = frozenset(hanzi.SIMPLIFIED_CHARACTERS - hanzi.SHARED_CHARACTERS)
    fields = ["title_language", "body_language", "reading_minutes", "revised_at"]
    batch = []
    articles = Article.objects.only("pk", "title", "summary", "body", "published_at", "front_matter")
    for article in articles.iterator(chunk_size=BATCH):
        text = plain_text(article.body)
        article.title_language = detect_language(article.title, traditional_only, simplified_only)
        article.body_language = detect_language(
            " ".join((article.summary, text)), traditional_only, simplified_only
        )
        article.reading_minutes = reading_minutes(text)
        if article.published_at is not None:
            updated = source_updated(article.front_matter)
            article.revised_at = max(updated, article.published_at) if updated else article.published_at
        batch.append(article)
        if len(batch) >= BATCH:
            Article.objects.bulk_update(batch, fields)
            batch = []
    if batch:
        Article.objects.bulk_update(batch, fields)


class Migration(migrations.Migration):
    dependencies = [("articles", "0016_add_article_language_reading_time_revised_at")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
