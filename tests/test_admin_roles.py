"""Each role's allowed and refused actions in the admin, including forged requests."""

import pytest
from django.urls import reverse

from articles.models import Article
from tests import factories
from tests.admin_forms import change_form_data, editor, writer

pytestmark = pytest.mark.django_db
Status = Article.Status
ADD_URL = reverse("admin:articles_article_add")
LIST_URL = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def add_form(client, **changes):
    response = client.get(ADD_URL)
    assert response.status_code == 200
    return change_form_data(response, **changes)


def test_a_writer_creates_a_draft_that_is_theirs(client):
    user = writer()
    client.force_login(user)
    response = client.post(ADD_URL, add_form(client, title="记者的稿子", body="<p>正文</p>"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get(title="记者的稿子")
    assert (article.status, article.created_by) == (Status.DRAFT, user)


def test_a_writer_submits_their_draft_for_review(client):
    user = writer()
    draft = factories.article("待审稿", published=False, created_by=user)
    client.force_login(user)
    data = change_form_data(client.get(change_url(draft)), status=Status.REVIEW)
    assert client.post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.status == Status.REVIEW


def test_a_writer_is_offered_only_draft_and_review(client):
    user = writer()
    draft = factories.article(published=False, created_by=user)
    client.force_login(user)
    form = client.get(change_url(draft)).context["adminform"].form
    assert [value for value, _label in form.fields["status"].choices] == [Status.DRAFT, Status.REVIEW]


def test_a_forged_form_from_a_writer_that_publishes_is_refused(client):
    user = writer()
    draft = factories.article("伪造发布", published=False, created_by=user)
    client.force_login(user)
    data = change_form_data(client.get(change_url(draft)), status=Status.PUBLISHED)
    response = client.post(change_url(draft), data)
    assert response.status_code == 200
    assert "status" in response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_forged_new_article_that_is_published_is_refused(client):
    client.force_login(writer())
    response = client.post(ADD_URL, add_form(client, title="直接发布", status=Status.PUBLISHED))
    assert response.status_code == 200
    assert not Article.objects.filter(title="直接发布").exists()


def test_a_writer_cannot_open_or_post_to_someone_elses_article(client):
    other = factories.article("别人的稿子", published=False, created_by=writer("other"))
    client.force_login(writer())
    assert client.get(change_url(other)).status_code == 302  # "does not exist" redirect
    response = client.post(change_url(other), {"title": "改掉", "status": Status.DRAFT})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.title == "别人的稿子"


def test_a_writer_sees_only_their_own_articles_in_the_list(client):
    user = writer()
    factories.article("我的", published=False, created_by=user)
    factories.article("别人的", published=False, created_by=writer("other"))
    client.force_login(user)
    titles = [article.title for article in client.get(LIST_URL).context["cl"].result_list]
    assert titles == ["我的"]


def test_a_writer_cannot_change_their_article_once_submitted(client):
    user = writer()
    submitted = factories.article("已提交", published=False, status=Status.REVIEW, created_by=user)
    client.force_login(user)
    response = client.get(change_url(submitted))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    client.post(change_url(submitted), {"title": "偷偷改"})
    submitted.refresh_from_db()
    assert submitted.title == "已提交"


def test_a_writer_gets_no_publishing_bulk_actions_and_a_forged_one_is_refused(client):
    user = writer()
    draft = factories.article("草稿", published=False, created_by=user)
    client.force_login(user)
    action_form = client.get(LIST_URL).context["action_form"]
    assert action_form is None or "publish" not in dict(action_form.fields["action"].choices)
    client.post(LIST_URL, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Status.DRAFT


def test_a_writer_cannot_delete(client):
    user = writer()
    draft = factories.article(published=False, created_by=user)
    client.force_login(user)
    response = client.post(reverse("admin:articles_article_delete", args=[draft.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Article.objects.filter(pk=draft.pk).exists()


def test_an_editor_publishes_someone_elses_article(client):
    article = factories.article("记者稿", published=False, status=Status.REVIEW, created_by=writer())
    client.force_login(editor())
    data = change_form_data(client.get(change_url(article)), status=Status.PUBLISHED)
    response = client.post(change_url(article), data)
    assert response.status_code == 302, response.context["errors"]
    article.refresh_from_db()
    assert article.is_published


def test_an_editor_schedules_with_a_future_time(client):
    article = factories.article("定时稿", published=False, status=Status.REVIEW)
    client.force_login(editor())
    data = change_form_data(
        client.get(change_url(article)),
        status=Status.PUBLISHED,
        published_at_0="2099-01-02",
        published_at_1="08:00:00",
    )
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert article.is_scheduled and not Article.objects.published().filter(pk=article.pk).exists()
    assert "定时稿" in client.get(LIST_URL + "?status=scheduled").content.decode()


def test_an_editor_sends_back_to_draft_only_with_a_note(client):
    article = factories.article("退回稿", published=False, status=Status.REVIEW)
    client.force_login(editor())
    page = client.get(change_url(article))
    response = client.post(change_url(article), change_form_data(page, status=Status.DRAFT))
    assert response.status_code == 200 and "status" in response.context["adminform"].form.errors
    data = change_form_data(page, status=Status.DRAFT, review_note="标题太长，请改短。")
    assert client.post(change_url(article), data).status_code == 302
    article.refresh_from_db()
    assert (article.status, article.review_note) == (Status.DRAFT, "标题太长，请改短。")


def test_an_administrator_manages_users(client):
    from tests.admin_forms import staff_user

    client.force_login(staff_user("chief", "Administrator"))
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 200
    client.force_login(editor())
    assert client.get(reverse("admin:auth_user_changelist")).status_code == 403


def test_a_writer_cannot_unpublish_their_article_by_restoring_its_draft_revision(client):
    from reversion.models import Version

    user = writer()
    draft = factories.article("我的稿子", published=False, created_by=user)
    client.force_login(user)
    data = change_form_data(client.get(change_url(draft)), body="<p>草稿</p>")
    assert client.post(change_url(draft), data).status_code == 302
    draft_revision = Version.objects.get_for_object(draft).first()
    draft.refresh_from_db()
    draft.status, draft.published_at = Status.PUBLISHED, None
    draft.save()  # an editor published it

    url = reverse("admin:articles_article_revision", args=[draft.pk, draft_revision.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, data).status_code == 403
    draft.refresh_from_db()
    assert draft.is_published


def test_only_editors_see_the_trash(client):
    factories.article("回收站里的", published=False).move_to_trash()
    client.force_login(writer())
    response = client.get(LIST_URL + "?status=trashed")
    assert "回收站里的" not in [article.title for article in response.context["cl"].result_list]
    assert "trashed" not in dict(response.context["cl"].filter_specs[0].lookup_choices)
    client.force_login(editor())
    response = client.get(LIST_URL + "?status=trashed")
    assert [article.title for article in response.context["cl"].result_list] == ["回收站里的"]
