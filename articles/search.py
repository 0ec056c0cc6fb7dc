"""Full-text search that works for Chinese, on SQLite (FTS5) and PostgreSQL (tsvector + GIN).

Chinese has no spaces between words, and a word is most often two characters
(张勇, 阿里, 手机). Both databases therefore index *bigrams*: every run of CJK
characters becomes its overlapping character pairs (阿里巴巴 → 阿里 里巴 巴巴),
a lone character stays itself, and Latin letters and digits become lowercase
words (Win11 → win11). A query is cut the same way and every word must match,
so 张勇 finds exactly the articles containing 张勇. A single character matches
the bigrams starting with it (a prefix search). A longer word matches the
articles holding all of its bigrams; on SQLite they must also stand in a row (a
phrase), so 阿里巴巴 needs the four characters together. PostgreSQL would have
to read every candidate's whole tsvector to check positions (GIN keeps none),
4× slower on common words, so there the bigrams need only all be present:
特斯拉 finds texts with 特斯 and 斯拉, which in practice are texts with 特斯拉.

SQLite's FTS5 trigram tokenizer would not do: it cannot match a query shorter
than three characters. Instead the segmented text goes into an FTS5 table with
the plain ``unicode61`` tokenizer, which splits on the spaces we put in. On
PostgreSQL the same text becomes a ``tsvector`` with the ``simple``
configuration, in its own table with a GIN index.

The index is one row per article in the table ``article_search`` (made by
migration 0003), written by one statement per article from the ``post_save``
signal (see ``articles.signals``) and rebuilt by ``manage.py rebuild_search_index``.
On PostgreSQL the row also copies the article's status, time and title (and the
title's own terms, ``title_document``, made by migration 0018), so that the best
results (title matches first, then newest) are found inside the index table; a
common word at 100,000 articles matches 10,000 of them, and reading those from
the article table instead costs 5× more.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

if TYPE_CHECKING:
    from articles.models import Article

TABLE = "article_search"
CJK = (
    "\u3040-\u30ff"  # kana
    "\u3400-\u4dbf"  # CJK extension A
    "\u4e00-\u9fff"  # CJK unified ideographs
    "\uf900-\ufaff"  # compatibility ideographs
    "\uac00-\ud7af"  # hangul syllables
)
TOKEN = re.compile(rf"[{CJK}]+|[0-9a-z]+")
# Block elements separate words; inline ones (<b>, <a>) sit inside them: 张<b>勇</b> is 张勇.
BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|table|tr|td|th|blockquote|figure|figcaption|pre|section)\b[^>]*>",
    re.IGNORECASE,
)
TAG = re.compile(r"<[^>]*>")
WHITESPACE = re.compile(r"\s+")
MAX_QUERY_WORDS = 8
SNIPPET_CHARACTERS = 120
# How much of a body a search snippet is cut from; when the summary already holds a word, only as
# much as the snippet can show after it.
SNIPPET_SOURCE = 4000
SNIPPET_AFTER_SUMMARY = 600


def plain_text(markup: str) -> str:
    """Return the text of an HTML fragment: tags dropped, entities decoded, spaces collapsed."""
    text = TAG.sub("", BLOCK_TAG.sub(" ", markup or ""))
    return WHITESPACE.sub(" ", html.unescape(text)).strip()


def _fold(text: str) -> str:
    # NFKC turns full-width letters and digits (Ｗｉｎ１１) into ASCII ones.
    return unicodedata.normalize("NFKC", text).lower()


# Full-width letters and digits (Ｗｉｎ１１), which NFKC makes ASCII; a query's words hold nothing else
# that NFKC changes (punctuation separates words).
FULL_WIDTH_LETTER_OR_DIGIT = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def _fold_in_place(text: str) -> str:
    """Return ``text`` folded like ``_fold`` for the characters a query's words can hold, keeping
    every character's position (NFKC is a thousand times slower on Chinese text with full-width
    punctuation, and may change its length)."""
    if FULL_WIDTH_LETTER_OR_DIGIT.search(text):
        text = FULL_WIDTH_LETTER_OR_DIGIT.sub(lambda match: chr(ord(match.group()) - 0xFEE0), text)
    return text.lower()


def _terms(word: str) -> list[str]:
    """Return the index terms of one token: bigrams for a CJK run, the word itself otherwise."""
    if len(word) == 1 or word.isascii():
        return [word]
    return [word[i : i + 2] for i in range(len(word) - 1)]


def segment(text: str) -> str:
    """Return ``text`` as space-separated index terms (CJK bigrams and lowercase words)."""
    return " ".join(term for word in TOKEN.findall(_fold(text)) for term in _terms(word))


@dataclass(frozen=True)
class Query:
    """A reader's query cut into words; each word must appear in a matching article."""

    text: str
    words: tuple[str, ...]

    @classmethod
    def parse(cls, text: str) -> Query:
        """Return the query ``text`` cut into at most ``MAX_QUERY_WORDS`` distinct words."""
        words = tuple(dict.fromkeys(TOKEN.findall(_fold(text or ""))))[:MAX_QUERY_WORDS]
        return cls(text=(text or "").strip(), words=words)

    def __bool__(self) -> bool:
        return bool(self.words)

    def fts5(self) -> str:
        """Return the FTS5 MATCH expression: every word as a phrase of its bigrams."""
        parts = []
        for word in self.words:
            terms = _terms(word)
            phrase = '"' + " ".join(terms) + '"'
            parts.append(phrase + "*" if len(word) == 1 and not word.isascii() else phrase)
        return " AND ".join(parts)

    def tsquery(self) -> str:
        """Return the PostgreSQL ``to_tsquery('simple', …)`` text: every bigram of every word."""
        parts = []
        for word in self.words:
            if len(word) == 1 and not word.isascii():
                parts.append(f"{word}:*")
            else:
                parts.extend(_terms(word))
        return " & ".join(dict.fromkeys(parts))

    def found_in(self, text: str) -> bool:
        """Return whether ``text`` holds one of the words (as ``highlight`` would mark it)."""
        folded = _fold_in_place(text or "")
        return any(word in folded for word in self.words)

    def title_patterns(self) -> list[str]:
        """Return the ``UPPER(title) LIKE`` patterns a title holding every word matches."""
        return [f"%{word.upper()}%" for word in self.words]


def matching_ids(query: Query, limit: int | None = None, any_status: bool = False) -> RawSQL:
    """Return a subquery selecting the ids of the articles matching ``query``.

    On PostgreSQL only the best ``limit`` visible ones, ranked as ``ArticleQuerySet.search`` orders
    them (title holding every word first, then newest) from the copies in the index table;
    the caller still filters with ``published()``, which stays the definition of what is visible.
    On SQLite every match, of any status. ``any_status`` (the admin's search) asks for every
    match on both.
    """
    if connection.vendor == "postgresql" and any_status:
        return RawSQL(
            f"SELECT article_id FROM {TABLE} WHERE document @@ to_tsquery('simple', %s)", [query.tsquery()]
        )
    if connection.vendor == "postgresql":
        if limit is not None:
            return _best_matches(query, limit)
        sql = (
            f"SELECT article_id FROM {TABLE} WHERE document @@ to_tsquery('simple', %s)"
            " AND status = 'published' AND published_at <= %s"
        )
        return RawSQL(sql, [query.tsquery(), timezone.now()])
    return RawSQL(f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s", [query.fts5()])


def _best_matches(query: Query, limit: int) -> RawSQL:
    """Return the ids of the best ``limit`` visible matches on PostgreSQL: the newest whose title
    holds every word, then the newest of the others.

    Two branches, each newest first, rather than one sort of every match: a common word matches
    most articles, and ranking them all meant reading every one's tsvector (15 ms at 2,000
    articles). The title branch looks in the titles' own small index (``title_document``, then
    the same ``LIKE`` test as ``ArticleQuerySet.search``); the other branch walks the newest
    articles (``article_search_newest``) and stops after ``limit`` matches, or, for a rare word,
    takes the few matches from the GIN index, whichever the planner reckons cheaper.
    """
    in_title = "title_document @@ to_tsquery('simple', %s) AND UPPER(title) LIKE ALL (%s)"
    visible = "status = 'published' AND published_at <= %s"
    newest = "ORDER BY published_at DESC, article_id DESC LIMIT %s"
    sql = (
        f"SELECT article_id FROM ("
        f"(SELECT article_id, 1 AS in_title, published_at FROM {TABLE} WHERE {in_title} AND {visible} {newest})"
        " UNION ALL "
        f"(SELECT article_id, 0, published_at FROM {TABLE} WHERE document @@ to_tsquery('simple', %s)"
        f" AND NOT ({in_title}) AND {visible} {newest})"
        f") AS ranked ORDER BY in_title DESC, published_at DESC, article_id DESC LIMIT %s"
    )
    words, patterns, now = query.tsquery(), query.title_patterns(), timezone.now()
    params = [words, patterns, now, limit, words, words, patterns, now, limit, limit]
    return RawSQL(sql, params)


def index_article(article: Article) -> None:
    """Write ``article``'s row of the search index: one statement."""
    facts = article.text_facts()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {TABLE} (article_id, status, published_at, title, title_document, document)"
                " VALUES (%s, %s, %s, %s, to_tsvector('simple', %s), to_tsvector('simple', %s))"
                " ON CONFLICT (article_id) DO UPDATE"
                " SET status = EXCLUDED.status, published_at = EXCLUDED.published_at, title = EXCLUDED.title,"
                " title_document = EXCLUDED.title_document, document = EXCLUDED.document",
                [
                    article.pk,
                    article.status,
                    article.published_at,
                    article.title,
                    facts.title_terms,
                    facts.search_document,
                ],
            )
        else:
            cursor.execute(
                f"INSERT OR REPLACE INTO {TABLE} (rowid, document) VALUES (%s, %s)",
                [article.pk, facts.search_document],
            )


def remove_article(article_id: int) -> None:
    """Delete an article's row of the search index."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {TABLE} WHERE {'article_id' if connection.vendor == 'postgresql' else 'rowid'} = %s",
            [article_id],
        )


def rebuild(articles: Iterable[Article], clear: bool = True) -> int:
    """Rewrite the index rows of ``articles`` (all of them first removed when ``clear``); return the count."""
    count = 0
    with connection.cursor() as cursor:
        if clear:
            cursor.execute(f"DELETE FROM {TABLE}")
    for article in articles:
        index_article(article)
        count += 1
    return count


def article_snippet(summary: str, body: str, query: Query) -> SafeString:
    """Return the excerpt of an article shown under a search result: its summary and the opening of
    its body, around the first match, matches marked. ``body`` may be the body's first
    ``SNIPPET_SOURCE`` characters only (the search page reads no more)."""
    # The opening of the body is enough for a snippet, and cheap to strip of its markup.
    source = SNIPPET_AFTER_SUMMARY if query.found_in(summary) else SNIPPET_SOURCE
    return highlight(" ".join(filter(None, (summary, plain_text(body[:source])))), query)


def highlight(text: str, query: Query, length: int = SNIPPET_CHARACTERS) -> SafeString:
    """Return an escaped excerpt of ``text`` around the first match, each match wrapped in ``<mark>``."""
    if not text:
        return mark_safe("")
    folded = _fold_in_place(text)
    if len(folded) != len(text):  # lower() changed the length (İ): fall back to the text as it is
        folded = text
    needles = sorted(query.words, key=len, reverse=True)
    pattern = re.compile("|".join(re.escape(word) for word in needles)) if needles else None
    first = pattern.search(folded) if pattern else None
    start = 0
    if first and first.start() > length // 3:
        start = first.start() - length // 3
    end = min(len(text), start + length)
    pieces: list[str] = []
    position = start
    if pattern:
        for match in pattern.finditer(folded, start, end):
            pieces.append(escape(text[position : match.start()]))
            pieces.append(f"<mark>{escape(text[match.start() : match.end()])}</mark>")
            position = match.end()
    pieces.append(escape(text[position:end]))
    return mark_safe(("…" if start else "") + "".join(pieces) + ("…" if end < len(text) else ""))
