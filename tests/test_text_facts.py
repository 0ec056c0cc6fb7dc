"""What saving works out from an article's text is made once per text, and never from a stale one."""

import pytest

from articles.models import Article
from articles.text_facts import TextFacts
from tests.factories import article

pytestmark = pytest.mark.django_db


def test_facts_made_elsewhere_for_the_same_text_are_used(monkeypatch):
    story = Article(title="東京の春", summary="", body="<p>ひらがなとカタカナの文章です。</p>")
    story._text_facts = TextFacts.of(story.title, story.subtitle, story.summary, story.body)
    monkeypatch.setattr(TextFacts, "of", lambda *args: pytest.fail("made again"))
    story.save()
    assert (story.title_language, story.body_language) == ("ja", "ja")


def test_facts_of_another_text_are_not_used():
    story = article("简体标题", body="<p>简体中文的正文。</p>")
    story._text_facts = TextFacts.of("繁體標題", "", "", "<p>這是繁體中文的內文，說明軟體釋出。</p>")
    story.title = "新的标题"
    story.save()
    assert (story.title_language, story.body_language) == ("zh-Hans", "zh-Hans")
    assert list(Article.objects.search("新的标题").values_list("pk", flat=True)) == [story.pk]
    assert not Article.objects.search("繁體").exists()


def test_an_edited_body_gets_new_facts():
    story = article("标题", body="<p>短文。</p>")
    minutes = story.reading_minutes
    story.body = "<p>" + "长" * 4000 + "</p>"
    story.save()
    assert story.reading_minutes == 10 > minutes
