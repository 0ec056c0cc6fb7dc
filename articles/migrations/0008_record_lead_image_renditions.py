"""Data migration: record on each article the smaller copies of its lead image already in storage.

Until now pages found the copies by listing ``renditions/<image name>/`` in storage on every
view; from now on they read them from ``Article.lead_image_renditions``. This lists each folder
once. The naming rule is copied here (``articles.images`` may change after this migration).
"""

import re

from django.core.files.storage import default_storage
from django.db import migrations

RENDITION_FILE = re.compile(r"^(?P<width>[1-9][0-9]*)w\.(?:jpg|webp)$")


def renditions_in_storage(image_name):
    folder = f"renditions/{image_name.strip('/')}"
    try:
        _folders, files = default_storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return {}
    found = {}
    for file_name in files:
        match = RENDITION_FILE.match(file_name)
        if match:
            found[match["width"]] = f"{folder}/{file_name}"
    return found


def record_renditions(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    with_image = Article.objects.exclude(lead_image="").only("pk", "lead_image")
    for article in with_image.iterator(chunk_size=500):
        renditions = renditions_in_storage(article.lead_image.name)
        if renditions:
            Article.objects.filter(pk=article.pk).update(lead_image_renditions=renditions)


class Migration(migrations.Migration):
    dependencies = [("articles", "0007_add_article_lead_image_renditions")]

    operations = [migrations.RunPython(record_renditions, migrations.RunPython.noop)]
