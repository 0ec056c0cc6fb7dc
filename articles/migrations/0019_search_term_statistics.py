"""PostgreSQL keeps statistics on ten times more of the search index's terms.

``articles.search._best_matches`` lets the planner choose, for the words that are not in the
titles, between walking the newest articles until enough match and taking the matches from the
GIN index. It judges by the terms' frequencies that ANALYZE samples. With the default statistics
target it keeps about a thousand terms, and reckons any other term (most two-character Chinese
words) about as common as the rarest of those: for a word that no article holds it walked every
article, 1.1–2.4 s at 100,000 articles, instead of 1–7 ms. With a target of 1,000 it keeps about
ten thousand terms, rare words are reckoned rare, and ANALYZE samples 300,000 rows instead of
30,000 (about 3 s at 100,000 articles, run by autovacuum). SQLite's FTS5 table has no planner to
mislead.
"""

from django.db import migrations

COLUMNS = ("document", "title_document")
TARGET = 1000


def keep_more_term_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"ALTER TABLE article_search ALTER COLUMN {column} SET STATISTICS {TARGET}")
    schema_editor.execute("ANALYZE article_search")


def keep_default_term_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"ALTER TABLE article_search ALTER COLUMN {column} SET STATISTICS -1")


class Migration(migrations.Migration):
    dependencies = [("articles", "0018_search_title_terms_and_newest_first")]

    operations = [migrations.RunPython(keep_more_term_statistics, keep_default_term_statistics)]
