"""PostgreSQL's search index gets the titles' own terms (with a GIN index) and an index of the
visible articles newest first, so that the best results of a common word are found without
ranking every match (see ``articles.search._best_matches``). SQLite's FTS5 table is unchanged.

The titles' terms are filled here with a copy of ``articles.search.segment`` as of this
migration, as migrations carry their own code.
"""

import re
import unicodedata

from django.db import migrations

CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
TOKEN = re.compile(rf"[{CJK}]+|[0-9a-z]+")
BATCH = 1000

ADD = [
    "ALTER TABLE article_search ADD COLUMN title_document tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX article_search_title ON article_search USING gin (title_document)",
    "CREATE INDEX article_search_newest ON article_search (published_at DESC, article_id DESC)"
    " WHERE status = 'published'",
]
REMOVE = [
    "DROP INDEX IF EXISTS article_search_newest",
    "DROP INDEX IF EXISTS article_search_title",
    "ALTER TABLE article_search DROP COLUMN IF EXISTS title_document",
]


def segment(text):
    folded = unicodedata.normalize("NFKC", text).lower()
    terms = []
    for word in TOKEN.findall(folded):
        if len(word) == 1 or word.isascii():
            terms.append(word)
        else:
            terms.extend(word[i : i + 2] for i in range(len(word) - 1))
    return " ".join(terms)


def add_title_terms(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in ADD:
        schema_editor.execute(statement)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT article_id, title FROM article_search")
        rows = cursor.fetchall()
        for start in range(0, len(rows), BATCH):
            batch = rows[start : start + BATCH]
            cursor.executemany(
                "UPDATE article_search SET title_document = to_tsvector('simple', %s) WHERE article_id = %s",
                [(segment(title), article_id) for article_id, title in batch],
            )


def remove_title_terms(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in REMOVE:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("articles", "0017_fill_article_language_reading_time_revised_at")]

    operations = [migrations.RunPython(add_title_terms, remove_title_terms)]
