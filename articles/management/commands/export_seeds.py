"""manage.py export_seeds DIR: write articles back as seed-format documents."""

from pathlib import Path

from django.core.management.base import BaseCommand

from articles.importing.export import export_article, export_path, export_queryset


class Command(BaseCommand):
    help = (
        "Write every article as a seed-format document under DIR (<category>/<…>/<slug>.md). "
        "Importing the export into an empty database gives the same articles, field for field."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)
        parser.add_argument(
            "--status", action="append", help="Only articles with this status (repeatable); default: all."
        )

    def handle(self, *args, directory: Path, status=None, **options):
        articles = export_queryset().order_by("pk")
        if status:
            articles = articles.filter(status__in=status)
        written = 0
        for article in articles.iterator(chunk_size=500):
            path = directory / export_path(article)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(export_article(article), encoding="utf-8")
            written += 1
        self.stdout.write(self.style.SUCCESS(f"Exported {written} articles to {directory}"))
