"""Safety does not depend on which path wrote a row: a body without a valid mark is cleaned when shown."""

from __future__ import annotations

import json
from io import StringIO

import feedparser
import pytest
from django.core.management import call_command
from django.db import connection

from articles import body_marks
from articles.models import Article
from tests import factories

pytestmark = pytest.mark.django_db
HOSTILE_BODY = '<p>正文</p><script>alert(document.cookie)</script><img src="x" onerror="alert(1)">'


def tampered(**fields) -> Article:
    """Return a published article whose body was then replaced with ``update()``, around save()."""
    article = factories.article("被篡改的文章", body="<p>原文</p>", **fields)
    Article.objects.filter(pk=article.pk).update(body=HOSTILE_BODY)
    return article


def assert_clean(html: str) -> None:
    assert "<script>" not in html and "onerror" not in html and "alert(" not in html


def test_a_saved_body_carries_a_mark_that_proves_it_was_cleaned():
    article = factories.article(body="<p onclick='x()'>正文</p>")
    article.refresh_from_db()
    assert article.body == "<p>正文</p>"
    assert body_marks.is_marked(article.body, article.body_mark)
    assert not body_marks.is_marked(article.body + " ", article.body_mark)


def test_a_body_written_with_update_is_cleaned_on_the_page(client):
    page = client.get(tampered().get_absolute_url()).content.decode()
    assert_clean(page)
    assert "<p>正文</p>" in page


def test_a_body_written_with_raw_sql_is_cleaned_on_the_page(client):
    article = factories.article("原始 SQL", body="<p>原文</p>")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Article._meta.db_table} SET body = %s, body_mark = %s WHERE id = %s",
            [HOSTILE_BODY, "0" * 64, article.pk],
        )
    assert_clean(client.get(article.get_absolute_url()).content.decode())


def test_a_body_loaded_from_a_fixture_is_cleaned_on_the_page(client, tmp_path):
    article = factories.article("夹具", body="<p>原文</p>")
    fixture = json.loads(_dump(article))
    fixture[0]["fields"]["body"] = HOSTILE_BODY
    path = tmp_path / "articles.json"
    path.write_text(json.dumps(fixture), encoding="utf-8")
    call_command("loaddata", str(path), stdout=StringIO())
    assert Article.objects.get(pk=article.pk).body == HOSTILE_BODY
    assert_clean(client.get(article.get_absolute_url()).content.decode())


def _dump(article: Article) -> str:
    out = StringIO()
    call_command("dumpdata", "articles.article", f"--pks={article.pk}", stdout=out)
    return out.getvalue()


def test_the_preview_and_the_feeds_clean_an_unmarked_body(client, admin_client):
    article = tampered(summary="")
    assert_clean(admin_client.get(f"/admin/articles/article/{article.pk}/preview/").content.decode())
    entries = feedparser.parse(client.get("/rss.xml").content).entries
    assert entries and all("<script" not in entry.description for entry in entries)
    assert "onerror" not in client.get("/rss.xml").content.decode()


def test_a_mark_made_with_another_secret_key_does_not_hold(settings):
    article = factories.article(body="<p>正文</p>")
    article.refresh_from_db()
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    assert not body_marks.is_marked(article.body, article.body_mark)


def test_a_mark_made_with_a_key_kept_as_fallback_still_holds(settings):
    old_key = settings.SECRET_KEY
    article = factories.article(body="<p>正文</p>")
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "rotated-secret-key-" + "y" * 40, [old_key]
    assert body_marks.is_marked(article.body, article.body_mark)


def test_a_new_sanitiser_version_makes_every_mark_stale(monkeypatch):
    article = factories.article(body="<p>正文</p>")
    monkeypatch.setattr(body_marks, "SANITISER_VERSION", "next")
    assert not body_marks.is_marked(article.body, article.body_mark)


def test_a_marked_body_is_shown_without_cleaning_it_again(client, monkeypatch):
    article = factories.article(body="<p>正文</p>")

    def refuse(html):
        raise AssertionError("a marked body was cleaned again at render")

    monkeypatch.setattr(body_marks, "sanitise", refuse)
    assert "<p>正文</p>" in client.get(article.get_absolute_url()).content.decode()


def test_saving_an_article_read_from_a_tampered_row_cleans_its_body():
    article = Article.objects.get(pk=tampered().pk)
    article.title = "改标题"
    article.save()
    article.refresh_from_db()
    assert_clean(article.body)
    assert body_marks.is_marked(article.body, article.body_mark)


def test_saving_only_the_body_stores_its_mark_too():
    article = factories.article(body="<p>一</p>")
    article.body = "<p>二</p>"
    article.save(update_fields=["body"])
    article.refresh_from_db()
    assert body_marks.is_marked(article.body, article.body_mark)


def test_sanitise_bodies_cleans_and_marks_only_the_unmarked_ones():
    good = factories.article("好", body="<p>好</p>")
    bad = tampered()
    version = Article.objects.get(pk=good.pk).version
    out = StringIO()
    call_command("sanitise_bodies", stdout=out)
    assert "Checked 2 bodies" in out.getvalue() and "1 cleaned and marked" in out.getvalue()
    bad.refresh_from_db()
    assert_clean(bad.body)
    assert body_marks.is_marked(bad.body, bad.body_mark)
    assert Article.objects.get(pk=good.pk).version == version
    call_command("sanitise_bodies", stdout=out)
    assert "0 cleaned and marked" in out.getvalue()


def test_sanitise_bodies_keeps_the_search_index_on_the_cleaned_text():
    article = tampered()
    call_command("sanitise_bodies", stdout=StringIO())
    assert list(Article.objects.search("正文")) == [Article.objects.get(pk=article.pk)]
    assert not Article.objects.search("cookie").exists()
