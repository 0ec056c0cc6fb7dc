"""Index the articles that existed before the search index did (data migration).

With its own copy of ``articles.search``'s segmentation as of this migration: the live module
writes columns that later migrations add (0018's ``title_document``).
"""

import html
import re
import unicodedata

from django.db import migrations

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
TOKEN = re.compile(rf"[{CJK}]+|[0-9a-z]+")
BLOCK_TAG = re.compile(
    r"</?(?:p|div|br|hr|li|ul|ol|dl|dt|dd|h[1-6]|table|tr|td|th|blockquote|figure|figcaption|pre|section)\b[^>]*>",
    re.IGNORECASE,
)
TAG = re.compile(r"<[^>]*>")
WHITESPACE = re.compile(r"\s+")


def plain_text(markup):
    text = TAG.sub("", BLOCK_TAG.sub(" ", markup or ""))
    return WHITESPACE.sub(" ", html.unescape(text)).strip()


def segment(text):
    terms = []
    for word in TOKEN.findall(unicodedata.normalize("NFKC", text).lower()):
        if len(word) == 1 or word.isascii():
            terms.append(word)
        else:
            terms.extend(word[i : i + 2] for i in range(len(word) - 1))
    return " ".join(terms)


def fill(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    connection = schema_editor.connection
    articles = Article.objects.using(connection.alias).only(
        "pk", "title", "subtitle", "summary", "body", "status", "published_at"
    )
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM article_search")
        for article in articles.iterator(chunk_size=500):
            document = segment(" ".join((article.title, article.subtitle, article.summary, plain_text(article.body))))
            if connection.vendor == "postgresql":
                cursor.execute(
                    "INSERT INTO article_search (article_id, status, published_at, title, document)"
                    " VALUES (%s, %s, %s, %s, to_tsvector('simple', %s))",
                    [article.pk, article.status, article.published_at, article.title, document],
                )
            else:
                cursor.execute("INSERT INTO article_search (rowid, document) VALUES (%s, %s)", [article.pk, document])


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0003_search_index"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
