"""The import's tally per feed, so that an operator sees at a glance which feed needs a profile."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from articles.importing.pipeline import DocumentReport
from articles.importing.upsert import Outcome

# Warning kinds, recognised from the warning's wording (normalise() writes them).
WARNING_KINDS = (
    ("placeholder-image", re.compile(r"is a random placeholder")),
    ("default-image", re.compile(r"is a picture the site puts on many articles")),
    ("not-story-image", re.compile(r"is not the story's picture")),
    ("category-repaired", re.compile(r"^category item|^several category hierarchies")),
    ("invalid-date", re.compile(r"is not a date: imported like a missing date")),
    ("far-future-date", re.compile(r"more than a year ahead")),
    ("no-date", re.compile(r"^no date:")),
    ("no-title", re.compile(r"^no title:")),
    ("image-not-fetched", re.compile(r"^lead image .*not (?:fetched|be stored)")),
)


def warning_kind(text: str) -> str:
    """Return the kind of a report warning ('other' when it is none of the known ones)."""
    return next((kind for kind, pattern in WARNING_KINDS if pattern.search(text)), "other")


@dataclass
class FeedSummary:
    feed: str
    documents: int = 0
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    furniture: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "feed": self.feed,
            "documents": self.documents,
            "created": self.outcomes[Outcome.CREATED],
            "updated": self.outcomes[Outcome.UPDATED],
            "unchanged": self.outcomes[Outcome.UNCHANGED],
            "conflicts": self.outcomes[Outcome.KEPT_EDITOR_CHANGES],
            "duplicates": self.outcomes[Outcome.DUPLICATE],
            "refused": self.outcomes[Outcome.FAILED],
            "skipped": self.outcomes[Outcome.SKIPPED],
            "warnings": dict(sorted(self.warnings.items())),
            "furniture_removed": dict(sorted(self.furniture.items())),
        }

    def line(self) -> str:
        """Return the summary as one line of text."""
        counts = self.as_dict()
        text = (
            f"{self.feed or '(no feed)'}: {self.documents} documents, {counts['created']} created, "
            f"{counts['updated']} updated, {counts['unchanged']} unchanged, {counts['refused']} refused"
        )
        for key in ("conflicts", "duplicates", "skipped"):
            if counts[key]:
                text += f", {counts[key]} {key}"
        if self.warnings:
            text += "; warnings: " + ", ".join(
                f"{kind} {count}" for kind, count in sorted(self.warnings.items())
            )
        if self.furniture:
            text += "; furniture: " + ", ".join(
                f"{kind} {count}" for kind, count in sorted(self.furniture.items())
            )
        return text


def by_feed(reports: list[DocumentReport]) -> list[FeedSummary]:
    """Return one summary per feed, in the order feeds first appear."""
    summaries: dict[str, FeedSummary] = {}
    for report in reports:
        summary = summaries.setdefault(report.feed, FeedSummary(report.feed))
        summary.documents += 1
        summary.outcomes[report.outcome] += 1
        summary.warnings.update(warning_kind(text) for text in report.warnings)
        summary.furniture.update(report.furniture_removed)
    return list(summaries.values())
