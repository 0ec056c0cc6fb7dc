"""manage.py import_seeds PATH [PATH ...]: import seed-format documents."""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.importing.pipeline import DocumentReport, Importer, find_documents
from articles.importing.report import by_feed
from articles.importing.upsert import Outcome

PLAIN_PROGRESS_SECONDS = 5.0
SUMMARY_ORDER = (
    Outcome.CREATED,
    Outcome.UPDATED,
    Outcome.UNCHANGED,
    Outcome.KEPT_EDITOR_CHANGES,
    Outcome.DUPLICATE,
    Outcome.SKIPPED,
    Outcome.FAILED,
)


class Progress:
    """A one-line progress bar on a terminal; a plain line every few seconds elsewhere."""

    def __init__(self, stream, total: int, enabled: bool) -> None:
        self.stream = stream
        self.total = total
        self.enabled = enabled
        self.is_terminal = hasattr(stream, "isatty") and stream.isatty()
        self.started = time.monotonic()
        self.last_line = self.started

    def update(self, done: int, counts: Counter) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not self.is_terminal and now - self.last_line < PLAIN_PROGRESS_SECONDS and done < self.total:
            return
        self.last_line = now
        rate = done / max(now - self.started, 1e-6)
        tally = " ".join(f"{outcome}={counts[outcome]}" for outcome in SUMMARY_ORDER if counts[outcome])
        if self.is_terminal:
            width = 30
            filled = int(width * done / max(self.total, 1))
            bar = "█" * filled + "·" * (width - filled)
            self.stream.write(f"\r[{bar}] {done}/{self.total} {rate:,.0f} docs/s {tally}\x1b[K")
            if done == self.total:
                self.stream.write("\n")
        else:
            self.stream.write(f"{done}/{self.total} documents, {rate:,.0f} docs/s, {tally}\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import Hexo-style seed documents (YAML front matter + HTML body). Idempotent: "
        "unchanged documents are skipped by content hash; articles changed in the admin "
        "since their import are left alone unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path, help="Files or folders (walked recursively).")
        parser.add_argument(
            "--dry-run", action="store_true", help="Parse, validate and report; write nothing."
        )
        parser.add_argument("--report", type=Path, help="Write a JSON report, one entry per document.")
        parser.add_argument(
            "--status",
            choices=["published", "draft", "review", "archived"],
            default="published",
            help="What imported articles become (default: published at their own date).",
        )
        parser.add_argument(
            "--force", action="store_true", help="Overwrite articles changed in the admin since their import."
        )
        parser.add_argument(
            "--fetch-images",
            action="store_true",
            help="Download lead images into media storage (remote addresses are kept on failure).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=os.cpu_count() or 1,
            help="Processes that parse and sanitise in parallel (default: one per CPU; 1 = none).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Print no progress lines.")

    def handle(self, *args: str, **options: Any) -> None:
        missing = [str(path) for path in options["paths"] if not path.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        documents = find_documents(options["paths"])
        if not documents:
            raise CommandError("No .md documents found under " + ", ".join(map(str, options["paths"])))

        importer = Importer(
            status=options["status"],
            force=options["force"],
            dry_run=options["dry_run"],
            fetch_images=options["fetch_images"],
            max_bytes=settings.NEWSROOM_IMPORT_MAX_BYTES,
            workers=options["workers"],
        )
        progress = Progress(
            self.stderr._out, len(documents), options["verbosity"] > 0 and not options["no_progress"]
        )
        counts: Counter = Counter()
        reports: list[DocumentReport] = []
        started = time.monotonic()
        for done, report in enumerate(importer.run(documents), start=1):
            name = report.path
            counts[report.outcome] += 1
            reports.append(report)
            if options["verbosity"] >= 2:
                self.stdout.write(
                    f"{report.outcome}: {name}" + (f" ({report.reason})" if report.reason else "")
                )
            progress.update(done, counts)
        elapsed = time.monotonic() - started

        if options["report"]:
            self._write_report(options["report"], reports, counts, elapsed, options["dry_run"])
        self._print_summary(reports, counts, elapsed, options["dry_run"], options["verbosity"])
        if counts[Outcome.FAILED]:
            sys.exit(1)

    def _print_summary(self, reports, counts, elapsed, dry_run, verbosity) -> None:
        for report in reports:
            if report.outcome == Outcome.FAILED:
                self.stderr.write(f"FAILED {report.path}: {report.reason}")
            elif report.outcome in {Outcome.KEPT_EDITOR_CHANGES, Outcome.DUPLICATE}:
                self.stdout.write(f"{report.outcome.upper()} {report.path}: {report.reason}")
            elif report.outcome == Outcome.SKIPPED and verbosity >= 1:
                self.stdout.write(f"SKIPPED {report.path}: {report.reason}")
            if verbosity >= 1:
                for warning in report.warnings:
                    self.stdout.write(f"warning {report.path}: {warning}")
        if verbosity >= 1:
            self.stdout.write("By feed:")
            for summary in by_feed(reports):
                self.stdout.write(f"  {summary.line()}")
        tally = ", ".join(f"{counts[outcome]} {outcome_label(outcome)}" for outcome in SUMMARY_ORDER)
        prefix = "Dry run, nothing written: " if dry_run else ""
        rate = len(reports) / max(elapsed, 1e-6)
        line = f"{prefix}{tally} ({len(reports)} documents in {elapsed:.1f}s, {rate:,.0f}/s)"
        self.stdout.write(self.style.ERROR(line) if counts[Outcome.FAILED] else self.style.SUCCESS(line))

    def _write_report(self, path: Path, reports, counts, elapsed, dry_run) -> None:
        payload = {
            "dry_run": dry_run,
            "seconds": round(elapsed, 3),
            "summary": {outcome_label(outcome): counts[outcome] for outcome in SUMMARY_ORDER},
            "feeds": [summary.as_dict() for summary in by_feed(reports)],
            "documents": [report.as_dict() for report in reports],
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")


def outcome_label(outcome: Outcome) -> str:
    """Return the word the summary uses for ``outcome``."""
    return {Outcome.KEPT_EDITOR_CHANGES: "conflicts", Outcome.DUPLICATE: "duplicates"}.get(
        outcome, str(outcome)
    )
