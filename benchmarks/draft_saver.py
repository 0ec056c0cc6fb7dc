"""An Editor saving a draft in the admin every second, for the page benchmark's hit-rate case.

    python benchmarks/draft_saver.py SECONDS

Runs with the benchmark's environment (its database and settings). Each save goes through the
admin's change view as a browser's would (Django's test client in this process: the real form,
revision, version counter and signals), with a new body and review note each time. Prints
``SAVED n FAILED m`` at the end.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchmarks.site_bench_settings")


def main() -> int:
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from articles import roles
    from articles.models import Article
    from tests.admin_forms import change_form_data

    # The test client's view of the form (response.context) and its host name.
    setup_test_environment()
    seconds = float(sys.argv[1])
    user, _ = User.objects.get_or_create(username="bench-editor", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name=roles.EDITOR))
    draft = Article.objects.filter(title="基准草稿").first() or Article.objects.create(title="基准草稿")
    client = Client()
    client.force_login(user)
    url = reverse("admin:articles_article_change", args=[draft.pk])
    saved = failed = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        form = change_form_data(
            client.get(url), body=f"<p>第 {saved + 1} 稿</p>", review_note=f"第 {saved + 1} 次修改"
        )
        if client.post(url, form).status_code == 302:
            saved += 1
        else:
            failed += 1
        time.sleep(max(0.0, 1.0 - (time.monotonic() - started)))
    print(f"SAVED {saved} FAILED {failed}", flush=True)
    return 0 if saved and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
