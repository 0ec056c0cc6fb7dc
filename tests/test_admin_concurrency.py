"""Two editors saving the same version at the same moment: exactly one wins."""

import threading
import time

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from articles.models import Article
from tests import factories
from tests.admin_forms import change_form_data, editor


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_the_same_version_cannot_both_win(monkeypatch):
    article = factories.article("并发", published=False)
    url = reverse("admin:articles_article_change", args=[article.pk])
    clients, forms = [], []
    for name in ("first", "second"):
        client = Client()
        client.force_login(editor(name))
        forms.append(change_form_data(client.get(url), body=f"<p>{name}</p>"))
        clients.append(client)

    original_save = Article.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.3)  # keep the first save in flight while the second arrives
        original_save(self, *args, **kwargs)

    monkeypatch.setattr(Article, "save", slow_save)
    statuses = {}

    def post(index):
        try:
            statuses[index] = clients[index].post(url, forms[index]).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(statuses.values()) == [200, 302]
    article.refresh_from_db()
    winner = 0 if statuses[0] == 302 else 1
    assert article.body == f"<p>{['first', 'second'][winner]}</p>"
    assert article.version == 2
