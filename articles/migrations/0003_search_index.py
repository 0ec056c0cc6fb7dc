"""The full-text search index (see articles/search.py): an FTS5 table on SQLite, tsvector + GIN on PostgreSQL."""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE article_search USING fts5(document, tokenize = 'unicode61 remove_diacritics 2')"
)
POSTGRESQL_CREATE = [
    # No foreign key: Django's flush (TRUNCATE) does not know this table. The post_delete
    # signal removes a deleted article's row; searches join on the article anyway.
    # status, published_at and title are copies kept for ranking: the best page of results
    # then comes from this table alone (articles/search.py).
    "CREATE TABLE article_search ("
    " article_id bigint PRIMARY KEY,"
    " status varchar(20) NOT NULL,"
    " published_at timestamp with time zone NULL,"
    " title text NOT NULL,"
    " document tsvector NOT NULL)",
    "CREATE INDEX article_search_document ON article_search USING gin (document)",
]


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(SQLITE_CREATE)
    elif vendor == "postgresql":
        for statement in POSTGRESQL_CREATE:
            schema_editor.execute(statement)
    else:
        raise NotImplementedError(f"Search needs SQLite or PostgreSQL, not {vendor}.")


def drop_index(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS article_search")


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_add_article_credits_and_image_validation"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
    ]
