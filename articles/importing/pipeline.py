"""One document through the stages: read → parse → normalise → upsert, with the outcome for the report."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.db import DatabaseError

from articles.importing.errors import ImportRefused
from articles.importing.normalise import normalise
from articles.importing.parse import parse
from articles.importing.read import content_hash, decode, read_bytes
from articles.importing.upsert import Lookups, Outcome, UpsertResult, plan, upsert
from articles.models import Article

logger = logging.getLogger(__name__)

NOT_DOCUMENTS = frozenset({"README.md", "MANIFEST.md"})


@dataclass
class DocumentReport:
    path: str
    outcome: Outcome
    reason: str = ""
    article_id: int | None = None
    import_key: str = ""
    warnings: list[str] = field(default_factory=list)
    furniture_removed: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self) | {"outcome": str(self.outcome)}


def find_documents(paths: list[Path]) -> list[tuple[Path, str]]:
    """Return (file, name relative to the argument it was found under) for every document, sorted."""
    found: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for file in sorted(path.rglob("*.md")):
                if file.name not in NOT_DOCUMENTS and file.is_file():
                    found.append((file, file.relative_to(path).as_posix()))
        else:
            found.append((path, path.name))
    return found


class Importer:
    """Imports documents one by one; holds what a run has seen so far."""

    def __init__(
        self,
        *,
        status: str = "published",
        force: bool = False,
        dry_run: bool = False,
        fetch_images: bool = False,
        max_bytes: int,
    ) -> None:
        self.status = status
        self.force = force
        self.dry_run = dry_run
        self.fetch_images = fetch_images
        self.max_bytes = max_bytes
        self.lookups = Lookups()
        self.seen_keys: dict[str, str] = {}
        # One query up front lets unchanged documents skip parsing altogether.
        self.known_hashes: dict[str, str] = dict(
            Article.objects.exclude(import_key=None).values_list("import_hash", "import_key")
        )

    def import_file(self, path: Path, name: str) -> DocumentReport:
        """Import one file and return what happened to it; never raises for a bad document."""
        try:
            return self._import(path, name)
        except ImportRefused as refusal:
            return DocumentReport(name, Outcome.FAILED, str(refusal))
        except DatabaseError as error:
            logger.exception("Database error importing %s", name)
            return DocumentReport(name, Outcome.FAILED, f"database error: {error}")

    def _import(self, path: Path, name: str) -> DocumentReport:
        data = read_bytes(path, self.max_bytes)
        digest = content_hash(data)
        known_key = self.known_hashes.get(digest)
        if known_key is not None and not self.force:
            duplicate_of = self.seen_keys.setdefault(known_key, name)
            if duplicate_of != name:
                return self._duplicate(name, known_key, duplicate_of)
            return DocumentReport(name, Outcome.UNCHANGED, import_key=known_key)

        post = normalise(parse(decode(data)), status=self.status)
        duplicate_of = self.seen_keys.setdefault(post.import_key, name)
        if duplicate_of != name:
            return self._duplicate(name, post.import_key, duplicate_of)
        if self.dry_run:
            result = plan(post, content_hash=digest, force=self.force)
        else:
            result = upsert(
                post, content_hash=digest, source_path=name, force=self.force, lookups=self.lookups
            )
        report = DocumentReport(
            name,
            result.outcome,
            result.reason,
            result.article_id,
            post.import_key,
            list(post.warnings),
            list(post.removed),
        )
        if self.fetch_images and not self.dry_run and result.outcome in {Outcome.CREATED, Outcome.UPDATED}:
            self._fetch_lead_image(result, post.lead_image_url, report)
        return report

    def _duplicate(self, name: str, key: str, first: str) -> DocumentReport:
        return DocumentReport(
            name,
            Outcome.DUPLICATE,
            f"same feed, title and date as {first} (import key {key}): imported once, from {first}",
            import_key=key,
        )

    def _fetch_lead_image(self, result: UpsertResult, url: str, report: DocumentReport) -> None:
        from articles.importing.fetch import FetchRefused, fetch_image, store_lead_image

        article = Article.objects.get(pk=result.article_id)
        if not url or article.lead_image:
            return
        try:
            fetched = fetch_image(url)
        except FetchRefused as refusal:
            report.warnings.append(f"lead image not fetched, remote address kept: {refusal.reason}")
            return
        store_lead_image(article, fetched)
        article.save(imported=True)
