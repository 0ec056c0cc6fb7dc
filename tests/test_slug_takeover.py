"""An article's old address is taken: no other article may have it, by any write path."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from articles.importing.normalise import normalise
from articles.importing.parse import parse
from articles.importing.upsert import upsert
from articles.models import Article, SlugRedirect
from tests import factories
from tests.admin_forms import change_form_data, editor, writer

pytestmark = pytest.mark.django_db
ADD_URL = reverse("admin:articles_article_add")


@pytest.fixture
def renamed():
    """A published article an editor renamed from x-old to x-new: /articles/x-old/ redirects to it."""
    article = factories.article("被改名的文章", slug="x-old")
    article.slug = "x-new"
    article.save()
    assert SlugRedirect.objects.get(old_slug="x-old").article == article
    return article


def assert_still_redirects(client, article):
    response = client.get("/articles/x-old/")
    assert response.status_code == 301 and response["Location"] == article.get_absolute_url()
    assert SlugRedirect.objects.get(old_slug="x-old").article == article


def test_a_writer_cannot_give_a_new_draft_another_articles_old_address(client, renamed):
    client.force_login(writer())
    data = change_form_data(client.get(ADD_URL), title="抢地址", slug="x-old", body="<p>正文</p>")
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["slug"]
    assert "x-old" in errors[0] and "被改名的文章" in errors[0] and "已被占用" in errors[0]
    assert not Article.objects.filter(title="抢地址").exists()
    assert_still_redirects(client, renamed)


def test_a_writer_cannot_rename_their_draft_to_another_articles_old_address(client, renamed):
    user = writer()
    draft = factories.article("记者草稿", published=False, created_by=user)
    client.force_login(user)
    change = reverse("admin:articles_article_change", args=[draft.pk])
    response = client.post(change, change_form_data(client.get(change), slug="x-old"))
    assert response.status_code == 200 and "slug" in response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.slug != "x-old"
    assert_still_redirects(client, renamed)


def test_an_editor_cannot_either(client, renamed):
    client.force_login(editor())
    other = factories.article("另一篇")
    change = reverse("admin:articles_article_change", args=[other.pk])
    response = client.post(change, change_form_data(client.get(change), slug="x-old"))
    assert "slug" in response.context["adminform"].form.errors
    assert_still_redirects(client, renamed)


def test_saving_from_the_shell_refuses_another_articles_old_address(client, renamed):
    with pytest.raises(ValidationError) as refusal:
        Article(title="壳里抢地址", slug="x-old").save()
    assert list(refusal.value.message_dict) == ["slug"]
    draft = factories.article("草稿", published=False)
    draft.slug = "x-old"
    with pytest.raises(ValidationError):
        draft.save()
    assert_still_redirects(client, renamed)


def test_full_clean_names_the_slug():
    renamed_article = factories.article("旧", slug="x-old")
    renamed_article.slug = "x-new"
    renamed_article.save()
    with pytest.raises(ValidationError) as refusal:
        Article(title="新", slug="x-old").full_clean()
    assert "slug" in refusal.value.message_dict


def test_an_article_may_take_back_its_own_old_address(client, renamed):
    renamed.slug = "x-old"
    renamed.save()
    assert client.get("/articles/x-old/").status_code == 200
    assert SlugRedirect.objects.get(old_slug="x-new").article == renamed
    assert not SlugRedirect.objects.filter(old_slug="x-old").exists()


def test_a_slug_made_from_a_title_skips_old_addresses(renamed):
    article = factories.article("x old")
    assert article.slug == "x-old-2"


IMPORTED = """---
title: 'x old'
categories:
 - 新媒体
date: Sat, 15 Jan 2022 20:08:45 GMT
{extra}---

<p>正文</p>
"""


def test_the_importer_skips_another_articles_old_address(client, renamed):
    result = upsert(normalise(parse(IMPORTED.format(extra=""))), content_hash="a", source_path="x.md")
    assert Article.objects.get(pk=result.article_id).slug == "x-old-2"
    result = upsert(
        normalise(parse(IMPORTED.format(extra="newsroom:\n  slug: x-old\n  import_key: other\n"))),
        content_hash="b",
        source_path="y.md",
    )
    assert Article.objects.get(pk=result.article_id).slug not in {"x-old", "x-new"}
    assert_still_redirects(client, renamed)


def test_the_refusal_says_why_in_english_too():
    article = factories.article("旧的", slug="x-old")
    article.slug = "x-new"
    article.save()
    with translation.override("en"):
        with pytest.raises(ValidationError) as refusal:
            Article(title="新", slug="x-old").full_clean()
        assert "is taken: it is an old address of “旧的”" in refusal.value.message_dict["slug"][0]
