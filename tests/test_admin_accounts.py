"""The roles explained in the admin: what each group may do, named in the admin's language."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from articles import roles
from tests.admin_forms import staff_user, writer

pytestmark = pytest.mark.django_db


@pytest.fixture
def administrator_client(client):
    client.force_login(staff_user("chief", roles.ADMINISTRATOR))
    return client


def test_the_role_list_names_each_role_and_says_what_it_may_do(administrator_client):
    writer("somebody")
    page = administrator_client.get(reverse("admin:auth_group_changelist")).content.decode()
    assert "记者" in page and "编辑" in page and "管理员" in page
    assert "不能发布" in page and "永久删除" in page


def test_a_role_s_page_explains_it(administrator_client):
    group = Group.objects.get(name=roles.EDITOR)
    page = administrator_client.get(reverse("admin:auth_group_change", args=[group.pk])).content.decode()
    assert "定时发布" in page


def test_choosing_a_person_s_roles_shows_their_names_and_rights(administrator_client):
    user = writer("somebody")
    page = administrator_client.get(reverse("admin:auth_user_change", args=[user.pk]))
    field = page.context["adminform"].form.fields["groups"]
    assert {label for _value, label in field.choices} >= {"记者", "编辑", "管理员"}
    assert "不能发布" in str(field.help_text)
    listing = administrator_client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert "记者" in listing


def test_every_role_is_described():
    assert set(roles.DESCRIPTIONS) == {roles.WRITER, roles.EDITOR, roles.ADMINISTRATOR} == set(roles.LABELS)
