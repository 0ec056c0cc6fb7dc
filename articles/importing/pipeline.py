"""One document through the stages: read → parse → normalise → upsert, with the outcome for the report."""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connections

from articles.importing.errors import ImportRefused, ImportSkipped
from articles.importing.normalise import PostData, normalise
from articles.importing.parse import parse
from articles.importing.read import content_hash, decode, read_bytes
from articles.importing.upsert import Derived, Lookups, Outcome, UpsertResult, derive, plan, upsert
from articles.models import Article

logger = logging.getLogger(__name__)

# Worker processes pay off only past a few dozen documents (forking costs ~50 ms).
MIN_DOCUMENTS_FOR_WORKERS = 48
# Documents parsed in the writer before workers are started (starting them costs more than a few).
PARSED_BEFORE_WORKERS = 4
LOOKAHEAD_PER_WORKER = 16
# prctl(2): ask the kernel for a signal when the parent process dies.
PR_SET_PDEATHSIG = 1
PARENT_CHECK_SECONDS = 1.0


@dataclass
class DocumentReport:
    path: str
    outcome: Outcome
    reason: str = ""
    article_id: int | None = None
    import_key: str = ""
    warnings: list[str] = field(default_factory=list)
    furniture_removed: list[str] = field(default_factory=list)
    # The feed (its profile's name); for a document never read, the folders it sits in.
    feed: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self) | {"outcome": str(self.outcome)}


def find_documents(paths: list[Path]) -> list[tuple[Path, str]]:
    """Return (file, name for reports) for every ``.md`` file once, sorted within each argument.

    A file without front matter (a README beside the posts) is among them: the import reports
    it as skipped.

    With one folder, names are relative to it (``新媒体/cnBeta/最新/x.md``); with several
    arguments each name starts with its argument, so that two files never share a name.
    """
    found: list[tuple[Path, str]] = []
    seen: set[Path] = set()
    for path in paths:
        prefix = f"{path.as_posix().rstrip('/')}/" if len(paths) > 1 else ""
        if path.is_dir():
            files = [
                (file, prefix + file.relative_to(path).as_posix())
                for file in sorted(path.rglob("*.md"))
                if file.is_file()
            ]
        else:
            files = [(path, path.as_posix() if prefix else path.name)]
        for file, name in files:
            if file.resolve() not in seen:
                seen.add(file.resolve())
                found.append((file, name))
    return found


@dataclass(frozen=True)
class Prepared:
    """A document read, parsed and normalised (or refused, or skipped), ready for ``upsert``."""

    name: str
    digest: str
    post: PostData | None = None
    refusal: str = ""
    skipped: str = ""
    derived: Derived | None = None


# What ``Importer._start`` hands to ``_finish``: the rest of one document's import, run in order.
Pending = Callable[[], DocumentReport]


def folder_feed(name: str) -> str:
    """Return the feed a report names by the document's folders (for documents never read)."""
    parts = name.split("/")[:-1]
    return "/".join(parts[:2]) if parts else ""


def prepare(path: Path, name: str, digest: str, status: str, max_bytes: int | None = None) -> Prepared:
    """Return the normalised document at ``path``; pure, so it can run in a worker process."""
    try:
        data = read_bytes(path, max_bytes or settings.NEWSROOM_IMPORT_MAX_BYTES)
        post = normalise(parse(decode(data)), status=status)
        derived = derive(post)
    except ImportSkipped as skipped:
        return Prepared(name, digest, skipped=str(skipped))
    except ImportRefused as refusal:
        return Prepared(name, digest, refusal=str(refusal))
    except Exception as error:  # noqa: BLE001 - one document's surprise must not stop the run
        logger.exception("Unexpected error preparing %s", name)
        return Prepared(
            name, digest, refusal=f"unexpected error while reading it ({type(error).__name__}: {error})"
        )
    return Prepared(name, digest, post, derived=derived)


def exit_with_parent(parent_pid: int) -> None:
    """Make this worker process exit when the importer that started it dies, however it died.

    A worker waits on its task queue, which never reports end of file (the fork left the
    worker holding the writing end too): after ``kill -9`` of the importer, workers would live
    on forever. On Linux the kernel sends them SIGKILL when their parent dies
    (``PR_SET_PDEATHSIG``); elsewhere, and as a fallback, a thread checks every second that
    the parent is still there.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    # The parent may have died before prctl() took effect.
    if os.getppid() != parent_pid:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent_pid,), daemon=True, name="watch-parent").start()


def _watch_parent(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _close_connections_before_fork() -> bool:
    """Close database connections so forked workers inherit none; False inside a transaction."""
    if any(connection.in_atomic_block for connection in connections.all()):
        return False
    connections.close_all()
    return True


class Importer:
    """Imports documents in order; parsing and sanitising may run in worker processes."""

    def __init__(
        self,
        *,
        status: str = "published",
        force: bool = False,
        dry_run: bool = False,
        fetch_images: bool = False,
        max_bytes: int | None = None,
        workers: int = 1,
    ) -> None:
        self.status = status
        self.force = force
        self.dry_run = dry_run
        self.fetch_images = fetch_images
        self.max_bytes = max_bytes or settings.NEWSROOM_IMPORT_MAX_BYTES
        self.workers = workers
        self.lookups = Lookups()
        self.seen_keys: dict[str, str] = {}
        # One query up front lets unchanged documents skip parsing altogether.
        rows = Article.objects.exclude(import_key=None).values_list("import_hash", "import_key")
        self.known_hashes: dict[str, str] = {}
        # The keys of every imported article: a document whose key is not among them is inserted
        # without looking for its article (a concurrent import's is found on the retry).
        self.known_keys: set[str] = set()
        for digest, key in rows:
            if key is not None:  # always (the exclude); says so to the type checker
                self.known_hashes[digest] = key
                self.known_keys.add(key)

    def run(self, documents: list[tuple[Path, str]]) -> Iterator[DocumentReport]:
        """Import ``documents`` in order, yielding one report each.

        Workers parse and sanitise up to ``LOOKAHEAD_PER_WORKER`` documents ahead of
        the writer, so both cores stay busy and memory stays flat however many files.
        """
        # Workers start only once a few documents have needed parsing, and only if enough remain
        # to pay for starting them: a re-run, where (nearly) everything is unchanged, starts none.
        pool = None
        parsed_here = 0
        lookahead = max(self.workers, 1) * LOOKAHEAD_PER_WORKER
        pending: deque[Pending] = deque()
        try:
            for index, (path, name) in enumerate(documents):
                digest = self._hash(path, name)
                if pool is None and isinstance(digest, str) and self._needs_parsing(digest):
                    parsed_here += 1
                    if (
                        parsed_here > PARSED_BEFORE_WORKERS
                        and self.workers > 1
                        and len(documents) - index >= MIN_DOCUMENTS_FOR_WORKERS
                        and _close_connections_before_fork()
                    ):
                        pool = ProcessPoolExecutor(
                            self.workers,
                            mp_context=multiprocessing.get_context("fork"),
                            initializer=exit_with_parent,
                            initargs=(os.getpid(),),
                        )
                pending.append(self._start(path, name, digest, pool))
                if len(pending) > lookahead:
                    yield self._finish(pending.popleft())
            while pending:
                yield self._finish(pending.popleft())
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)

    def _hash(self, path: Path, name: str) -> str | DocumentReport:
        """Return the content hash of a document, or the report of a file that cannot be read."""
        try:
            return content_hash(read_bytes(path, self.max_bytes))
        except ImportRefused as refusal:
            return DocumentReport(name, Outcome.FAILED, str(refusal), feed=folder_feed(name))

    def _needs_parsing(self, digest: str) -> bool:
        return self.force or digest not in self.known_hashes

    def _start(
        self, path: Path, name: str, digest: str | DocumentReport, pool: ProcessPoolExecutor | None
    ) -> Pending:
        """Hand a document not imported as it is to a worker (or prepare it here).

        Returns what is left to do, to be called in document order (``_finish``).
        """
        if isinstance(digest, DocumentReport):
            report = digest
            return lambda: report
        if not self._needs_parsing(digest):
            known_key = self.known_hashes[digest]
            return lambda: self._seen(name, known_key) or DocumentReport(
                name, Outcome.UNCHANGED, import_key=known_key, feed=folder_feed(name)
            )
        if pool is None:
            prepared = prepare(path, name, digest, self.status, self.max_bytes)
            return lambda: self.store(prepared)
        future = pool.submit(prepare, path, name, digest, self.status, self.max_bytes)
        return lambda: self.store(future.result())

    @staticmethod
    def _finish(pending: Pending) -> DocumentReport:
        return pending()

    def import_file(self, path: Path, name: str) -> DocumentReport:
        """Import one file and return what happened to it; never raises for a bad document."""
        return next(self.run([(path, name)]))

    def store(self, prepared: Prepared) -> DocumentReport:
        """Write one prepared document (or report its refusal)."""
        name = prepared.name
        if prepared.skipped:
            return DocumentReport(name, Outcome.SKIPPED, prepared.skipped, feed=folder_feed(name))
        if prepared.post is None:
            return DocumentReport(name, Outcome.FAILED, prepared.refusal, feed=folder_feed(name))
        post = prepared.post
        duplicate = self._seen(name, post.import_key)
        if duplicate is not None:
            duplicate.feed = post.feed
            return duplicate
        try:
            if self.dry_run:
                result = plan(post, content_hash=prepared.digest, force=self.force)
            else:
                result = upsert(
                    post,
                    content_hash=prepared.digest,
                    source_path=name,
                    force=self.force,
                    lookups=self.lookups,
                    derived=prepared.derived,
                    may_exist=post.import_key in self.known_keys,
                )
        except ImportRefused as refusal:
            return DocumentReport(
                name, Outcome.FAILED, str(refusal), import_key=post.import_key, feed=post.feed
            )
        except DatabaseError as error:
            logger.exception("Database error importing %s", name)
            return DocumentReport(
                name, Outcome.FAILED, f"database error: {error}", import_key=post.import_key, feed=post.feed
            )
        except (ValueError, TypeError, ValidationError) as error:
            logger.exception("Unexpected error importing %s", name)
            return DocumentReport(
                name,
                Outcome.FAILED,
                f"could not be stored ({type(error).__name__}: {error})",
                import_key=post.import_key,
                feed=post.feed,
            )
        report = DocumentReport(
            name,
            result.outcome,
            result.reason,
            result.article_id,
            post.import_key,
            list(post.warnings),
            list(post.removed),
            post.feed,
        )
        if self.fetch_images and not self.dry_run and result.outcome in {Outcome.CREATED, Outcome.UPDATED}:
            self._fetch_lead_image(result, post.lead_image_url, report)
        return report

    def _seen(self, name: str, key: str) -> DocumentReport | None:
        """Remember ``key`` for ``name``; return a duplicate report if another file had it first."""
        first = self.seen_keys.setdefault(key, name)
        if first == name:
            return None
        return DocumentReport(
            name,
            Outcome.DUPLICATE,
            f"same feed, title and date as {first} (import key {key}): imported once, from {first}",
            import_key=key,
        )

    def _fetch_lead_image(self, result: UpsertResult, url: str, report: DocumentReport) -> None:
        from articles.importing.fetch import FetchRefused, fetch_image, store_lead_image

        if not url or result.article_id is None:
            return
        article = Article.objects.get(pk=result.article_id)
        if article.lead_image:
            return
        try:
            fetched = fetch_image(url)
        except FetchRefused as refusal:
            report.warnings.append(f"lead image not fetched, remote address kept: {refusal.reason}")
            return
        try:
            store_lead_image(article, fetched)
        except (ValidationError, OSError) as error:
            report.warnings.append(f"lead image {url} could not be stored, remote address kept: {error}")
            return
        article.save(imported=True)
