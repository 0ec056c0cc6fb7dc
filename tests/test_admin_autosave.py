"""Autosave keeps the text of an article being written, for its writer only, until the article is saved."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Autosave
from tests import factories
from tests.admin_forms import change_form_data, editor, writer

pytestmark = pytest.mark.django_db
AUTOSAVE = reverse("admin:articles_article_autosave")
ADD_URL = reverse("admin:articles_article_add")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def autosave(client, article=None, **text):
    data = {
        "article": article.pk if article else "",
        "title": "",
        "subtitle": "",
        "summary": "",
        "body": "",
        **text,
    }
    return client.post(AUTOSAVE, data)


def test_the_text_of_a_new_article_is_kept_and_offered_back(client):
    user = writer()
    client.force_login(user)
    response = autosave(
        client, title="写到一半的稿子", body='<p onclick="x()">第一段</p><script>alert(1)</script>'
    )
    assert response.status_code == 200 and "自动保存" in json.loads(response.content)["message"]
    kept = Autosave.objects.get(user=user)
    assert kept.article is None and kept.body == "<p>第一段</p>"
    page = client.get(ADD_URL)
    assert page.context["autosave"] == kept
    html = page.content.decode()
    assert 'id="autosave-pending"' in html and 'id="autosave-data"' in html


def test_autosaving_again_replaces_the_text(client):
    client.force_login(writer())
    autosave(client, title="一")
    autosave(client, title="二")
    assert list(Autosave.objects.values_list("title", flat=True)) == ["二"]


def test_an_autosave_older_than_the_article_is_not_offered(client):
    user = editor()
    article = factories.article(published=False)
    client.force_login(user)
    autosave(client, article, title="旧的自动保存")
    Autosave.objects.update(saved_at=timezone.now() - dt.timedelta(days=1))
    assert client.get(change_url(article)).context["autosave"] is None


def test_saving_the_article_forgets_the_autosave(client):
    user = editor()
    article = factories.article("原标题", published=False)
    client.force_login(user)
    autosave(client, article, title="自动保存的标题")
    page = client.get(change_url(article))
    assert page.context["autosave"] is not None
    assert client.post(change_url(article), change_form_data(page, title="正式保存")).status_code == 302
    assert not Autosave.objects.exists()


def test_creating_the_article_forgets_the_autosave_of_the_new_article(client):
    client.force_login(editor())
    autosave(client, title="新稿")
    client.post(ADD_URL, change_form_data(client.get(ADD_URL), title="新稿"))
    assert Article.objects.filter(title="新稿").exists() and not Autosave.objects.exists()


def test_an_autosave_is_its_writer_s_alone(client):
    article = factories.article(published=False)
    client.force_login(editor("first"))
    autosave(client, article, title="第一位的")
    client.force_login(editor("second"))
    assert client.get(change_url(article)).context["autosave"] is None


def test_discarding_forgets_it(client):
    client.force_login(writer())
    autosave(client, title="不要了")
    client.post(AUTOSAVE, {"article": "", "discard": "1"})
    assert not Autosave.objects.exists()


def test_nobody_autosaves_into_an_article_they_may_not_change(client):
    other = factories.article("别人的", published=False, created_by=writer("other"))
    client.force_login(writer())
    assert autosave(client, other, title="偷偷写").status_code in {403, 404}
    assert client.get(AUTOSAVE).status_code == 405
    assert not Autosave.objects.exists()


def test_an_autosave_does_not_change_the_article_or_its_version(client):
    article = factories.article("不变", published=False)
    client.force_login(editor())
    autosave(client, article, title="自动保存")
    article.refresh_from_db()
    assert (article.title, article.version) == ("不变", 1)
