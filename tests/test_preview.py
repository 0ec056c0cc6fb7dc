"""Previewing unpublished articles: staff in the admin, anyone holding an unexpired signed link."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.preview import preview_token
from tests import factories
from tests.admin_forms import editor, writer

pytestmark = pytest.mark.django_db


def staff_preview_url(article):
    return reverse("admin:articles_article_preview", args=[article.pk])


def shared_url(article):
    return reverse("articles:preview", args=[preview_token(article.pk)])


def test_staff_see_a_draft_with_the_public_article_template(client):
    draft = factories.article("未发布的稿子", published=False, body="<p>草稿正文</p>")
    client.force_login(editor())
    response = client.get(staff_preview_url(draft))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<article class="article">' in page and "草稿正文" in page
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_preview_shows_the_bylines_and_tags_of_a_draft(client):
    draft = factories.article("带署名的稿子", published=False)
    draft.bylines.create(author=factories.author("王小明"))
    draft.tags.add("芯片")
    page = client.get(shared_url(draft)).content.decode()
    assert 'href="/author/wang-xiao-ming/"' in page and "#芯片" in page


def test_a_scheduled_article_is_previewed_before_its_time(client):
    scheduled = factories.article("定时稿", published_at=timezone.now() + dt.timedelta(hours=3))
    assert client.get(scheduled.get_absolute_url()).status_code == 404
    client.force_login(editor())
    assert client.get(staff_preview_url(scheduled)).status_code == 200


def test_anonymous_visitors_are_sent_to_log_in_for_the_staff_preview(client):
    draft = factories.article(published=False)
    response = client.get(staff_preview_url(draft))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_writer_cannot_preview_someone_elses_draft(client):
    draft = factories.article(published=False, created_by=writer("other"))
    client.force_login(writer())
    assert client.get(staff_preview_url(draft)).status_code == 404


def test_a_valid_token_shows_the_draft_to_someone_not_logged_in(client):
    draft = factories.article("分享预览", published=False)
    response = client.get(shared_url(draft))
    assert response.status_code == 200
    assert "分享预览" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_an_expired_token_is_refused(client, settings):
    settings.NEWSROOM_PREVIEW_MAX_AGE_SECONDS = 3600
    draft = factories.article("过期预览", published=False)
    url = shared_url(draft)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        response = client.get(url)
    assert response.status_code == 403
    assert "过期预览" not in response.content.decode()


def test_a_tampered_token_is_not_found(client):
    draft = factories.article(published=False)
    other = factories.article("另一篇", published=False)
    forged = preview_token(draft.pk).replace(f"{draft.pk}:", f"{other.pk}:", 1)
    assert client.get(reverse("articles:preview", args=[forged])).status_code == 404


def test_the_edit_page_offers_both_preview_links(client):
    draft = factories.article(published=False)
    client.force_login(editor())
    page = client.get(reverse("admin:articles_article_change", args=[draft.pk])).content.decode()
    assert staff_preview_url(draft) in page
    assert "/preview/" in page


def test_preview_of_a_missing_article_is_not_found(client):
    token_for_deleted = preview_token(12345)
    assert not Article.objects.filter(pk=12345).exists()
    assert client.get(reverse("articles:preview", args=[token_for_deleted])).status_code == 404
