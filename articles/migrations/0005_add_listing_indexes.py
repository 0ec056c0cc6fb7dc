from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0004_fill_search_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="taggedarticle",
            index=models.Index(fields=["tag", "-content_object"], name="tagged_article_by_tag"),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["status", "-published_at", "-id", "category"], name="article_listing"
            ),
        ),
    ]
