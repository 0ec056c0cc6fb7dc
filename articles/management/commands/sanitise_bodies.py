"""manage.py sanitise_bodies: clean and mark every article body that carries no valid mark."""

import time

from django.core.management.base import BaseCommand

from articles.models import Article


class Command(BaseCommand):
    help = (
        "Clean and mark the bodies saved without a valid mark (loaddata, update(), raw SQL, a restored "
        "backup, a new sanitiser version or secret key). Pages clean such bodies on every render until then."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        checked, cleaned = Article.objects.all().clean_unmarked_bodies()
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Checked {checked} bodies in {elapsed:.1f}s: {cleaned} cleaned and marked.")
        )
