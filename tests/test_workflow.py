"""The workflow rules: which statuses each role may give an article."""

import io

import pytest
from django.core.exceptions import ValidationError

from articles import workflow
from articles.models import Article
from tests import factories
from tests.admin_forms import editor, writer

pytestmark = pytest.mark.django_db
Status = Article.Status


def test_a_writer_may_keep_their_draft_or_submit_it_for_review():
    user = writer()
    draft = factories.article(published=False, created_by=user)
    assert workflow.allowed_transitions(user, draft) == {Status.DRAFT, Status.REVIEW}


def test_a_writer_may_not_publish_their_own_draft():
    user = writer()
    draft = factories.article(published=False, created_by=user)
    with pytest.raises(ValidationError) as refused:
        workflow.check_transition(user, draft, Status.PUBLISHED)
    assert refused.value.code == "transition_refused"


def test_a_writer_may_not_touch_someone_elses_draft():
    user = writer()
    draft = factories.article(published=False, created_by=writer("other"))
    assert not workflow.can_edit(user, draft)
    assert workflow.allowed_transitions(user, draft) == set()


def test_a_writer_named_in_the_byline_owns_the_draft():
    user = writer()
    draft = factories.article(published=False)
    draft.bylines.create(author=factories.author("作者甲"))
    author = draft.bylines.get().author
    author.user = user
    author.save()
    assert workflow.can_edit(user, draft)


def test_a_writer_may_not_edit_their_article_once_it_is_in_review():
    user = writer()
    submitted = factories.article(published=False, status=Status.REVIEW, created_by=user)
    assert not workflow.can_edit(user, submitted)


def test_an_editor_may_publish_archive_and_send_back_from_review():
    article = factories.article(published=False, status=Status.REVIEW)
    assert workflow.allowed_transitions(editor(), article) == {
        Status.REVIEW,
        Status.DRAFT,
        Status.PUBLISHED,
        Status.ARCHIVED,
    }


def test_sending_back_to_draft_needs_a_note():
    user = editor()
    article = factories.article(published=False, status=Status.REVIEW)
    with pytest.raises(ValidationError) as refused:
        workflow.check_transition(user, article, Status.DRAFT, note="  ")
    assert refused.value.code == "note_required"
    workflow.check_transition(user, article, Status.DRAFT, note="第二段的数据需要出处。")


def test_a_user_without_a_role_may_do_nothing():
    from tests.admin_forms import staff_user

    user = staff_user("nobody", None)
    assert workflow.allowed_transitions(user, factories.article(published=False)) == set()


def test_the_roles_can_be_recreated_with_the_command():
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    Group.objects.get(name="Editor").permissions.clear()
    call_command("create_roles", stdout=io.StringIO())
    editor_permissions = set(Group.objects.get(name="Editor").permissions.values_list("codename", flat=True))
    assert {"publish_article", "change_any_article", "delete_article"} <= editor_permissions
    administrator = Group.objects.get(name="Administrator").permissions
    assert administrator.filter(codename="change_user").exists()
    assert administrator.filter(codename="change_group").exists()
