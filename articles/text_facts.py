"""What saving an article works out from its text, in one value that can be made anywhere.

Saving an article stores its languages and reading time (``articles.reading``) and writes its row
of the search index (``articles.search``): pure functions of its title, subtitle, summary and body.
The importer's workers, which parse and sanitise documents in parallel, make them there too
(``TextFacts.of``) and hand them over with the article's fields; the writer, which alone touches
the database and is what an import waits on, then saves without reading the text again.

A value names the text it was made from, so one that no longer matches the article (an edit
since) is never used: ``Article.text_facts()`` makes a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from articles import reading, search


class HasText(Protocol):
    title: str
    subtitle: str
    summary: str
    body: str


@dataclass(frozen=True)
class TextFacts:
    title: str
    subtitle: str
    summary: str
    body: str
    title_language: str
    body_language: str
    reading_minutes: int
    # The article's terms in the search index: all of its text, and its title alone.
    search_document: str
    title_terms: str

    @classmethod
    def of(cls, title: str, subtitle: str, summary: str, body: str) -> TextFacts:
        """Return the facts of a text, ``body`` an HTML fragment as stored."""
        text = search.plain_text(body)
        return cls(
            title=title,
            subtitle=subtitle,
            summary=summary,
            body=body,
            title_language=reading.detect_language(title),
            body_language=reading.detect_language(" ".join((summary, text))),
            reading_minutes=reading.reading_minutes(text),
            search_document=search.segment(" ".join((title, subtitle, summary, text))),
            title_terms=search.segment(title),
        )

    def describes(self, article: HasText) -> bool:
        """Return whether these are the facts of ``article``'s text as it is now."""
        # The strings are usually the very objects the facts were made from: compared by identity first.
        return (
            self.body == article.body
            and self.title == article.title
            and self.summary == article.summary
            and self.subtitle == article.subtitle
        )
