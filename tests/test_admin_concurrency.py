"""Two editors saving the same version at the same moment: exactly one wins."""

import contextlib
import threading
import time

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from articles.admin.article import ArticleAdmin
from articles.admin.forms import ArticleAdminForm
from tests import factories
from tests.admin_forms import change_form_data, editor

# Long enough for a thread to reach a point that it would reach at once; never waited out when all is well.
WAIT_SECONDS = 10


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

    # Both requests start together, before either opens its transaction (the revision's, which
    # wraps the whole save).
    start_together = threading.Barrier(2, timeout=WAIT_SECONDS)
    in_flight: dict[int, tuple[float, float]] = {}
    original_create_revision = ArticleAdmin.create_revision

    @contextlib.contextmanager
    def create_revision(self, request):
        start_together.wait()
        started = time.monotonic()
        try:
            with original_create_revision(self, request):
                yield
        finally:
            in_flight[threading.get_ident()] = (started, time.monotonic())

    # Whoever passes the version check first waits for the other to pass it too. With the lock
    # held, the other cannot get there before the first commits: the wait runs out and exactly
    # one save passes. Were the lock missing, both would pass and both saves would win.
    passed_check = []
    both_passed = threading.Event()
    original_check = ArticleAdminForm._check_no_edit_conflict

    def check(self, expected):
        original_check(self, expected)
        passed_check.append(threading.get_ident())
        if len(passed_check) == 2:
            both_passed.set()
        both_passed.wait(timeout=1)

    monkeypatch.setattr(ArticleAdmin, "create_revision", create_revision)
    monkeypatch.setattr(ArticleAdminForm, "_check_no_edit_conflict", check)
    statuses = {}

    def post(index):
        try:
            statuses[index] = clients[index].post(url, forms[index]).status_code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS * 3)

    [(first_start, first_end), (second_start, second_end)] = in_flight.values()
    assert max(first_start, second_start) < min(first_end, second_end), "the two saves did not overlap"
    assert len(passed_check) == 1
    assert sorted(statuses.values()) == [200, 302]
    article.refresh_from_db()
    winner = 0 if statuses[0] == 302 else 1
    assert article.body == f"<p>{['first', 'second'][winner]}</p>"
    assert article.version == 2
