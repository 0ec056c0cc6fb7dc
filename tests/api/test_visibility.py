"""Who sees what: anonymous clients what readers see, staff more only when signed in for it, and never
through the cache."""

import datetime as dt

import pytest
import time_machine

from articles.models import Article
from tests import factories
from tests.admin_forms import staff_user
from tests.api.conftest import titles

pytestmark = pytest.mark.django_db

LIST = "/api/v1/articles/"


def every_anonymous_answer(client, newsroom) -> str:
    """Return the text of every anonymous answer that could show an article."""
    addresses = [
        LIST,
        f"{LIST}?page_size=100&fields=id,title,slug",
        f"{LIST}?category={newsroom.tech.path}",
        "/api/v1/search/?q=文章",
        "/api/v1/tags/?page_size=100",
        "/api/v1/authors/?page_size=100",
    ]
    for article in newsroom.hidden:
        addresses += [f"{LIST}{article.slug}/", f"{LIST}by-id/{article.pk}/"]
    return "".join(client.get(address).content.decode() for address in addresses)


def test_draft_review_archived_and_scheduled_articles_never_appear_anonymously(client, newsroom):
    text = every_anonymous_answer(client, newsroom)
    for article in newsroom.hidden:
        assert article.title not in text and article.slug not in text
    assert "秘密标签" not in text and "未发表作者" not in text
    for article in newsroom.hidden:
        assert client.get(f"{LIST}{article.slug}/").status_code == 404
        assert client.get(f"{LIST}by-id/{article.pk}/").status_code == 404


def test_anonymous_clients_cannot_ask_for_other_statuses(client, newsroom):
    for status in ("draft", "review", "archived", "scheduled", "any"):
        response = client.get(LIST, {"status": status})
        assert response.status_code == 403 and list(response.json()["errors"]) == ["status"]
    assert titles(client.get(LIST, {"status": "visible"})) == ["华为发布新手机", "芯片产业新进展", "股市收盘"]


def test_a_scheduled_article_appears_at_its_time(client, newsroom):
    due = newsroom.scheduled.published_at
    with time_machine.travel(due - dt.timedelta(seconds=1), tick=False):
        assert "定时文章" not in titles(client.get(LIST))
        assert client.get(f"{LIST}{newsroom.scheduled.slug}/").status_code == 404
    with time_machine.travel(due + dt.timedelta(seconds=1), tick=False):
        assert titles(client.get(LIST))[0] == "定时文章"
        assert client.get(f"{LIST}{newsroom.scheduled.slug}/").status_code == 200
        assert client.get(f"{LIST}by-id/{newsroom.scheduled.pk}/").status_code == 200


def test_an_editor_signed_in_sees_every_status_when_asking(client, newsroom, editor):
    client.force_login(editor)
    assert titles(client.get(LIST)) == ["华为发布新手机", "芯片产业新进展", "股市收盘"]
    assert titles(client.get(LIST, {"status": "draft"})) == ["草稿文章"]
    assert titles(client.get(LIST, {"status": "review"})) == ["待审文章"]
    assert titles(client.get(LIST, {"status": "archived"})) == ["归档文章"]
    assert titles(client.get(LIST, {"status": "scheduled"})) == ["定时文章"]
    assert len(titles(client.get(LIST, {"status": "any"}))) == 7
    for article in newsroom.hidden:
        body = client.get(f"{LIST}{article.slug}/").json()
        assert body["title"] == article.title and body["status"] == article.status


def test_an_editor_with_a_token_sees_drafts(client, newsroom, editor, token_header):
    response = client.get(f"{LIST}{newsroom.draft.slug}/", **token_header(editor))
    assert response.status_code == 200 and response.json()["status"] == "draft"
    assert titles(client.get(LIST, {"status": "draft"}, **token_header(editor))) == ["草稿文章"]


def test_a_writer_sees_only_their_own_unpublished_articles(client, newsroom, writer):
    own = factories.article("我的草稿", published=False, created_by=writer)
    client.force_login(writer)
    assert titles(client.get(LIST, {"status": "draft"})) == ["我的草稿"]
    assert client.get(f"{LIST}{own.slug}/").status_code == 200
    assert client.get(f"{LIST}{newsroom.draft.slug}/").status_code == 404


def test_a_login_that_is_not_staff_sees_what_readers_see(client, newsroom, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader"))
    assert client.get(f"{LIST}{newsroom.draft.slug}/").status_code == 404
    assert client.get(LIST, {"status": "draft"}).status_code == 403


def test_a_bad_token_is_refused(client, newsroom):
    response = client.get(LIST, HTTP_AUTHORIZATION="Token not-a-real-token")
    assert response.status_code == 401 and "detail" in response.json()


def test_staff_answers_are_private_and_never_stored(client, newsroom, editor, token_header):
    address = f"{LIST}{newsroom.draft.slug}/"
    for _ in range(2):
        response = client.get(address, **token_header(editor))
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert "X-Cache" not in response and "ETag" not in response
    # An anonymous client asking at the same address afterwards gets nothing from the cache.
    client.logout()
    assert client.get(address).status_code == 404


def test_a_staff_answer_for_a_published_article_is_not_cached_either(client, newsroom, editor):
    client.force_login(editor)
    response = client.get(f"{LIST}{newsroom.phone.slug}/")
    assert response["Cache-Control"] == "private, no-store" and "X-Cache" not in response


def test_unpublishing_removes_the_article_from_cached_answers_at_once(
    client, newsroom, django_capture_on_commit_callbacks
):
    assert "华为发布新手机" in titles(client.get(LIST))
    assert client.get(LIST)["X-Cache"] == "hit"
    with django_capture_on_commit_callbacks(execute=True):
        newsroom.phone.status = Article.Status.DRAFT
        newsroom.phone.save()
    assert "华为发布新手机" not in titles(client.get(LIST))
    assert client.get(f"{LIST}{newsroom.phone.slug}/").status_code == 404


def test_a_cached_list_shows_a_scheduled_article_at_its_time(client, newsroom):
    due = newsroom.scheduled.published_at
    with time_machine.travel(due - dt.timedelta(seconds=5), tick=False):
        assert "定时文章" not in titles(client.get(LIST))
        assert client.get(LIST)["X-Cache"] == "hit"
    with time_machine.travel(due + dt.timedelta(seconds=1), tick=False):
        assert titles(client.get(LIST))[0] == "定时文章"


def test_tags_and_authors_only_of_unpublished_articles_are_listed_for_staff(client, newsroom, editor):
    client.force_login(editor)
    assert "秘密标签" in client.get("/api/v1/tags/", {"page_size": 100}).content.decode()
    assert "未发表作者" in client.get("/api/v1/authors/", {"page_size": 100}).content.decode()


def test_staff_requests_make_a_bounded_number_of_queries(
    client, newsroom, editor, token_header, django_assert_max_num_queries
):
    header = token_header(editor)
    for size in (1, 100):
        # The token and its user, the user's permissions (two), then the list's own three.
        with django_assert_max_num_queries(6):
            assert client.get(LIST, {"status": "any", "page_size": size}, **header).status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(f"{LIST}{newsroom.draft.slug}/", **header).status_code == 200


def test_an_inactive_staff_token_is_refused(client, newsroom, token_header):
    user = staff_user("gone", "Editor")
    header = token_header(user)
    user.is_active = False
    user.save()
    assert client.get(f"{LIST}{newsroom.draft.slug}/", **header).status_code == 401
