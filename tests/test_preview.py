"""Previewing unpublished articles: staff in the admin, anyone holding a live share link."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, PreviewLink
from articles.preview import share
from tests import factories
from tests.admin_forms import change_form_data, editor, writer

pytestmark = pytest.mark.django_db


def staff_preview_url(article):
    return reverse("admin:articles_article_preview", args=[article.pk])


def share_links_url(article):
    return reverse("admin:articles_article_share_links", args=[article.pk])


def shared_url(article):
    return share(article).get_absolute_url()


def answers_like_an_expired_link(client, url):
    response = client.get(url)
    return response.status_code == 403 and "过期" in response.content.decode()


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


def test_a_live_link_shows_the_draft_to_someone_not_logged_in(client):
    draft = factories.article("分享预览", published=False)
    response = client.get(shared_url(draft))
    assert response.status_code == 200
    assert "分享预览" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_an_expired_link_is_refused(client, settings):
    settings.NEWSROOM_PREVIEW_MAX_AGE_SECONDS = 3600
    draft = factories.article("过期预览", published=False)
    url = shared_url(draft)
    with time_machine.travel(timezone.now() + dt.timedelta(hours=2)):
        response = client.get(url)
    assert response.status_code == 403
    assert "过期预览" not in response.content.decode()
    assert "这个预览链接已过期" in response.content.decode()


def test_an_unknown_or_old_style_token_is_not_found(client):
    draft = factories.article(published=False)
    assert client.get(reverse("articles:preview", args=["not-a-key"])).status_code == 404
    # Links signed before share links were rows named the article id; they no longer open anything.
    assert client.get(reverse("articles:preview", args=[f"{draft.pk}:1v2w3x:abc"])).status_code == 404


def test_a_revoked_link_answers_like_an_expired_one_and_the_others_keep_working(client):
    draft = factories.article("撤销", published=False)
    revoked, kept = share(draft), share(draft)
    client.force_login(editor())
    client.post(share_links_url(draft), {"revoke": revoked.pk})
    client.logout()
    assert answers_like_an_expired_link(client, revoked.get_absolute_url())
    assert client.get(kept.get_absolute_url()).status_code == 200


def test_revoking_all_ends_every_live_link(client):
    draft = factories.article(published=False)
    links = [share(draft) for _ in range(3)]
    client.force_login(editor())
    client.post(share_links_url(draft), {"revoke_all": "1"})
    client.logout()
    assert all(answers_like_an_expired_link(client, link.get_absolute_url()) for link in links)


def test_publishing_ends_the_links(client):
    draft = factories.article("即将发布", published=False)
    link = share(draft)
    draft.status = Article.Status.PUBLISHED
    draft.save()
    assert answers_like_an_expired_link(client, link.get_absolute_url())


def test_scheduling_ends_the_links_too(client):
    draft = factories.article("定时发布", published=False)
    link = share(draft)
    client.force_login(editor())
    url = reverse("admin:articles_article_change", args=[draft.pk])
    later = timezone.localtime(timezone.now() + dt.timedelta(days=1))
    data = change_form_data(
        client.get(url),
        status="published",
        published_at_0=later.strftime("%Y-%m-%d"),
        published_at_1=later.strftime("%H:%M:%S"),
    )
    assert client.post(url, data).status_code == 302
    client.logout()
    assert answers_like_an_expired_link(client, link.get_absolute_url())


def test_moving_to_the_trash_ends_the_links(client):
    draft = factories.article(published=False)
    link = share(draft)
    draft.move_to_trash()
    assert answers_like_an_expired_link(client, link.get_absolute_url())


def test_deleting_for_good_removes_the_links(client):
    draft = factories.article(published=False)
    link = share(draft)
    draft.move_to_trash()
    Article.objects.filter(pk=draft.pk).delete()
    assert not PreviewLink.objects.filter(pk=link.pk).exists()
    assert client.get(link.get_absolute_url()).status_code == 404


def test_the_share_page_lists_the_live_links_only(client):
    draft = factories.article(published=False)
    live, ended = share(draft), share(draft)
    PreviewLink.objects.filter(pk=ended.pk).end()
    client.force_login(editor())
    page = client.get(share_links_url(draft))
    assert [link.pk for link, _address in page.context["live_links"]] == [live.pk]
    assert "http://testserver" + live.get_absolute_url() in page.content.decode()


def test_a_writer_shares_their_own_draft_but_not_someone_elses(client):
    user = writer()
    mine = factories.article("我的稿子", published=False, created_by=user)
    theirs = factories.article("别人的稿子", published=False, created_by=writer("other"))
    client.force_login(user)
    assert client.post(share_links_url(mine), {"share": "1"}).status_code == 302
    assert mine.preview_links.live().count() == 1
    assert client.post(share_links_url(theirs), {"share": "1"}).status_code in {403, 404}
    assert not theirs.preview_links.exists()


def test_a_published_article_cannot_be_shared(client):
    published = factories.article("已发布")
    client.force_login(editor())
    assert client.post(share_links_url(published), {"share": "1"}).status_code == 403
    assert not published.preview_links.exists()


def test_the_edit_page_offers_the_staff_preview_and_the_share_links(client):
    draft = factories.article(published=False)
    share(draft)
    client.force_login(editor())
    page = client.get(reverse("admin:articles_article_change", args=[draft.pk])).content.decode()
    assert staff_preview_url(draft) in page
    assert share_links_url(draft) in page and "1 个有效" in page
