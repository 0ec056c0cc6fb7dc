"""Index the articles that existed before the search index did (data migration)."""

from django.db import migrations


def fill(apps, schema_editor):
    from articles import search

    Article = apps.get_model("articles", "Article")
    articles = Article.objects.using(schema_editor.connection.alias).only("pk", "title", "subtitle", "summary", "body", "status", "published_at")
    search.rebuild(articles.iterator(chunk_size=500), clear=True)


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_search_index"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
