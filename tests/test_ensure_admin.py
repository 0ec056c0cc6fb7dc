"""manage.py ensure_admin: the administrator account exists once, and the command says how to log in."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    return tmp_path


def ensure_admin(*arguments: str) -> str:
    out = StringIO()
    call_command("ensure_admin", *arguments, stdout=out)
    return out.getvalue()


def test_creates_a_superuser_whose_password_is_kept_in_the_data_folder_and_printed(data_dir):
    output = ensure_admin()
    password = (data_dir / "admin-password.txt").read_text(encoding="utf-8").strip()
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    assert authenticate(username="admin", password=password) == admin
    assert "Created the administrator account 'admin'" in output
    assert repr(password) in output


def test_the_password_file_is_readable_by_its_owner_only(data_dir):
    ensure_admin()
    assert (data_dir / "admin-password.txt").stat().st_mode & 0o777 == 0o600


def test_running_again_keeps_the_account_and_its_password(data_dir):
    ensure_admin()
    password = (data_dir / "admin-password.txt").read_text(encoding="utf-8").strip()
    output = ensure_admin()
    assert get_user_model().objects.filter(is_superuser=True).count() == 1
    assert "Created" not in output
    assert repr(password) in output
    assert authenticate(username="admin", password=password) is not None


def test_an_account_made_elsewhere_is_left_alone_and_changepassword_is_suggested(data_dir):
    get_user_model().objects.create_superuser("chief", "", "a-password-of-their-own")
    output = ensure_admin("--username", "chief")
    assert not (data_dir / "admin-password.txt").exists()
    assert "python manage.py changepassword chief" in output
    assert authenticate(username="chief", password="a-password-of-their-own") is not None
