"""Logins are people: each staff account has an author profile, the default byline of what it writes."""

import pytest
from django.urls import reverse

from articles.models import Article, Author, person_name
from tests import factories
from tests.admin_forms import change_form_data, editor, writer

pytestmark = pytest.mark.django_db
ADD_URL = reverse("admin:articles_article_add")


def named_writer(username, last_name="", first_name=""):
    user = writer(username)
    user.last_name, user.first_name = last_name, first_name
    user.save()
    return user


def test_a_chinese_name_is_written_family_name_first():
    assert person_name(named_writer("zhangsan", "张", "三")) == "张三"
    assert person_name(named_writer("ada", "Lovelace", "Ada")) == "Ada Lovelace"
    assert person_name(named_writer("noname")) == "noname"


def test_a_profile_is_made_on_first_use_and_then_reused():
    user = named_writer("zhangsan", "张", "三")
    profile = Author.objects.profile_for(user)
    assert (profile.name, profile.kind, profile.user) == ("张三", Author.Kind.PERSON, user)
    assert Author.objects.profile_for(user) == profile
    assert Author.objects.count() == 1


def test_an_unclaimed_author_of_the_same_name_becomes_the_account_s_profile():
    imported = factories.author("张三")
    user = named_writer("zhangsan", "张", "三")
    assert Author.objects.profile_for(user) == imported
    imported.refresh_from_db()
    assert imported.user == user


def test_a_namesake_with_another_account_gets_a_profile_of_its_own():
    first = Author.objects.profile_for(named_writer("zhangsan", "张", "三"))
    second = Author.objects.profile_for(named_writer("zhangsan2", "张", "三"))
    assert first != second and second.name == "张三（zhangsan2）"


def test_a_new_article_has_its_writer_s_byline_by_default(client):
    user = named_writer("lisi", "李", "四")
    client.force_login(user)
    page = client.get(ADD_URL)
    [byline_form] = page.context["inline_admin_formsets"][0].formset.forms
    assert byline_form["author"].value() == Author.objects.get(user=user).pk
    data = change_form_data(page, title="李四的稿子")
    data["bylines-TOTAL_FORMS"] = "1"
    data["bylines-0-author"] = str(Author.objects.get(user=user).pk)
    data["bylines-0-position"] = "0"
    assert client.post(ADD_URL, data).status_code == 302
    article = Article.objects.get(title="李四的稿子")
    assert [byline.author.name for byline in article.bylines.all()] == ["李四"]


def test_a_writer_owns_what_carries_their_byline(client):
    user = named_writer("lisi", "李", "四")
    draft = factories.article("署名的稿子", published=False)
    draft.bylines.create(author=Author.objects.profile_for(user))
    client.force_login(user)
    titles = [
        a.title for a in client.get(reverse("admin:articles_article_changelist")).context["cl"].result_list
    ]
    assert titles == ["署名的稿子"]


def test_the_author_list_shows_which_account_each_person_uses(client):
    user = named_writer("lisi", "李", "四")
    Author.objects.profile_for(user)
    client.force_login(editor())
    page = client.get(reverse("admin:articles_author_changelist")).content.decode()
    assert "lisi" in page
