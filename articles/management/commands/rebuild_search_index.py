"""manage.py rebuild_search_index: rewrite the full-text search index from the articles."""

import time

from django.core.management.base import BaseCommand
from django.db import transaction

from articles import search
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Rewrite the search index of every article (saves keep it up to date; use after raw SQL or update())."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        with transaction.atomic():
            count = search.rebuild(
                Article.objects.only(
                    "pk", "title", "subtitle", "summary", "body", "status", "published_at"
                ).iterator(chunk_size=500)
            )
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(f"Indexed {count} articles in {elapsed:.1f}s."))
